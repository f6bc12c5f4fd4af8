import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { CUSTOMIZER_TYPES, VALIDATOR_TYPES } from '../../shared/config/customizers';
import { MAX_JSON_DEPTH, nestingDepth, parseJsonInput } from '../../shared/config/jsonInput';
import { parseTags } from '../../shared/config/tags';
import { buildImageTemplate } from '../../shared/template';
import { imageTemplateSpecPath } from '../../testkit/imageTemplateSpec';
import { base, expectConfig, parse } from './configFixtures';

/** Discriminator values of the definitions that extend `parent` in the published 2025-10-01 spec. */
function discriminatorValues(parent: string): string[] {
  const spec = JSON.parse(fs.readFileSync(imageTemplateSpecPath('2025-10-01'), 'utf8')) as { definitions: Record<string, Record<string, unknown>> };
  const ref = `#/definitions/${parent}`;
  return Object.values(spec.definitions)
    .filter((d) => Array.isArray(d['allOf']) && (d['allOf'] as { $ref?: string }[]).some((a) => a.$ref === ref))
    .map((d) => d['x-ms-discriminator-value'] as string);
}

describe('JSON inputs and names checked against what the API defines', () => {
  it('the customizer types the task accepts are exactly the spec\'s discriminator values', () => {
    const spec = discriminatorValues('ImageTemplateCustomizer');
    assert.ok(spec.length > 0, 'the spec defines customizers');
    assert.deepEqual([...CUSTOMIZER_TYPES].sort(), spec.sort());
  });

  it('the validator types the task accepts are exactly the spec\'s discriminator values', () => {
    const spec = discriminatorValues('ImageTemplateInVMValidator');
    assert.ok(spec.length > 0, 'the spec defines validators');
    assert.deepEqual([...VALIDATOR_TYPES].sort(), spec.sort());
  });

  it('measures nesting without counting brackets inside strings, and without recursion at any depth', () => {
    assert.equal(nestingDepth('{"a":"[[[[{{{{","b":[1,[2]]}'), 3);
    assert.equal(nestingDepth('["\\"[[[" ,[]]'), 2);
    assert.equal(nestingDepth('['.repeat(1_000_000)), 1_000_000);
    const atLimit = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    assert.equal(parseJsonInput(atLimit).ok, true);
    assert.equal(parseJsonInput('[' + atLimit + ']').ok, false);
  });

  it('keeps constructor and prototype keys as plain data all the way into the template, and pollutes nothing', () => {
    const customizers = '[{"type":"Shell","name":"x","inline":["ls"],"constructor":{"prototype":{"polluted":true}},"prototype":"p"}]';
    const config = expectConfig(parse({ ...base, additionalCustomizers: customizers, templateTags: 'constructor=c\nprototype=p\ntoString=t' }));
    const body = buildImageTemplate(config, {});
    const added = body.properties.customize?.find((c) => c.name === 'x') as unknown as Record<string, unknown>;
    assert.deepEqual(added['constructor'], { prototype: { polluted: true } });
    assert.equal(added['prototype'], 'p');
    assert.equal(Object.getPrototypeOf(added), Object.prototype);
    assert.deepEqual(body.tags, { constructor: 'c', prototype: 'p', toString: 't' });
    assert.equal(JSON.parse(JSON.stringify(body)).tags.constructor, 'c');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('accepts 50 tags, a 512-character name and a 256-character value', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}=v`).join('\n');
    assert.deepEqual(parseTags(fifty).issues, []);
    assert.equal(Object.keys(parseTags(fifty).tags).length, 50);
    assert.deepEqual(parseTags(`${'n'.repeat(512)}=${'v'.repeat(256)}`).issues, []);
  });

  it('accepts template and run output names that start with a letter or digit and end with a letter, digit or _', () => {
    for (const name of ['a', '7', 'web-image_1.2', 'web_', 'A.b-c_d', 'x'.repeat(64)]) {
      const config = expectConfig(parse({ ...base, templateName: name, runOutputName: name }));
      assert.equal(config.target.templateName, name);
    }
  });
});
