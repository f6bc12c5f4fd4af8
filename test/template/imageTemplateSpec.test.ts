import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  imageTemplateExamplesDir,
  imageTemplateSpecPath,
  loadImageTemplateSpec,
  type ImageTemplateSpec,
} from '../../testkit/imageTemplateSpec';

interface ExampleFile {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown }>;
}

interface OperationSchemas {
  /** Definition of the body parameter, if the operation takes one. */
  request?: string;
  /** Definition per response status code. */
  responses: Record<string, string>;
}

const definitionOf = (schema: unknown): string | undefined => {
  const ref = (schema as { $ref?: unknown } | undefined)?.$ref;
  return typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
};

/**
 * Which definitions each example file exercises, read from the raw swagger's
 * x-ms-examples, so that every request and response body is checked against
 * the schema its operation declares.
 */
function schemasByExample(): Map<string, OperationSchemas> {
  const raw = JSON.parse(fs.readFileSync(imageTemplateSpecPath('2025-10-01'), 'utf8')) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const result = new Map<string, OperationSchemas>();
  for (const item of Object.values(raw.paths)) {
    for (const op of Object.values(item)) {
      const examples = op['x-ms-examples'] as Record<string, { $ref: string }> | undefined;
      if (!examples) continue;
      const bodyParam = ((op['parameters'] ?? []) as { in?: string; schema?: unknown }[]).find((p) => p.in === 'body');
      const responses: Record<string, string> = {};
      for (const [code, response] of Object.entries((op['responses'] ?? {}) as Record<string, { schema?: unknown }>)) {
        const def = definitionOf(response.schema);
        if (def) responses[code] = def;
      }
      const request = definitionOf(bodyParam?.schema);
      for (const example of Object.values(examples)) {
        result.set(path.basename(example.$ref), request ? { request, responses } : { responses });
      }
    }
  }
  return result;
}

const examplesDir = imageTemplateExamplesDir('2025-10-01');
const exampleFiles = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort();
const readExample = (file: string): ExampleFile =>
  JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as ExampleFile;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('imageTemplates spec validator', function () {
  let spec: ImageTemplateSpec;
  let linuxBody: { properties: Record<string, unknown> & { customize: Record<string, unknown>[] } };
  let windowsBody: typeof linuxBody;

  before(async function () {
    spec = await loadImageTemplateSpec('2025-10-01');
    linuxBody = readExample('CreateImageTemplateLinux.json').parameters['parameters'] as typeof linuxBody;
    windowsBody = readExample('CreateImageTemplateWindows.json').parameters['parameters'] as typeof linuxBody;
  });

  it('caches the compiled validator per API version', async function () {
    assert.equal(await loadImageTemplateSpec('2025-10-01'), spec);
    assert.notEqual(await loadImageTemplateSpec('2024-02-01'), spec);
  });

  describe('accepts every body of the 18 published 2025-10-01 examples', function () {
    const schemas = schemasByExample();

    it('maps all 18 example files to operations', function () {
      assert.equal(exampleFiles.length, 18);
      assert.deepEqual([...schemas.keys()].sort(), exampleFiles);
    });

    for (const file of exampleFiles) {
      it(file, function () {
        const example = readExample(file);
        const ops = schemas.get(file);
        assert.ok(ops, `no operation references ${file}`);
        let checked = 0;
        if (ops.request) {
          const body = example.parameters['parameters'];
          assert.notEqual(body, undefined, `${file} has no request body`);
          assert.deepEqual(spec.validateDefinition(ops.request, body).errors, [], `${file} request`);
          if (ops.request === 'ImageTemplate') assert.ok(spec.validateTemplate(body).valid);
          checked++;
        }
        for (const [code, response] of Object.entries(example.responses)) {
          if (response.body === undefined) continue;
          const def: string | undefined = ops.responses[code];
          assert.ok(def, `${file}: response ${code} has a body but the operation declares no schema`);
          assert.deepEqual(spec.validateDefinition(def, response.body).errors, [], `${file} response ${code}`);
          checked++;
        }
        // Delete and cancel answer without bodies; every other example carries at least one.
        if (!/^(Delete|Cancel|Run)/.test(file)) assert.ok(checked > 0, `${file}: nothing was validated`);
      });
    }
  });

  describe('rejects what the service rejects', function () {
    const rejected = (mutate: (body: typeof linuxBody) => void, base?: typeof linuxBody): string[] => {
      const body = clone(base ?? linuxBody);
      mutate(body);
      const result = spec.validateTemplate(body);
      assert.equal(result.valid, false, 'expected the body to be rejected');
      return result.errors;
    };

    it('a Shell customizer whose scriptUri is a number', function () {
      const errors = rejected((b) => {
        b.properties.customize[0] = { type: 'Shell', name: 's', scriptUri: 123 };
      });
      assert.deepEqual(errors, ['ImageTemplate.properties.customize[0].scriptUri: expected string, got number']);
    });

    it('an unknown customizer type', function () {
      const errors = rejected((b) => {
        b.properties.customize[0] = { type: 'Bogus', name: 'x' };
      });
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /^ImageTemplate\.properties\.customize\[0\]\.type: unknown type 'Bogus' \(expected one of: .*Shell.*\)$/);
    });

    it('a misspelled subtype field (scriptUrl)', function () {
      const errors = rejected((b) => {
        b.properties.customize[0] = { type: 'Shell', name: 's', scriptUrl: 'https://example.com/a.sh' };
      });
      assert.deepEqual(errors, ["ImageTemplate.properties.customize[0]: unknown field 'scriptUrl'"]);
    });

    it('a ManagedImage source without imageId', function () {
      const errors = rejected((b) => {
        b.properties['source'] = { type: 'ManagedImage' };
      });
      assert.deepEqual(errors, ["ImageTemplate.properties.source: Field 'imageId' is required"]);
    });

    it('a misspelled vmProfile field (vmSzie)', function () {
      const errors = rejected((b) => {
        b.properties['vmProfile'] = { vmSzie: 'Standard_D2s_v3' };
      });
      assert.deepEqual(errors, ["ImageTemplate.properties.vmProfile: unknown field 'vmSzie'"]);
    });

    it('a miscased field (vmboot)', function () {
      const errors = rejected((b) => {
        b.properties['optimize'] = { vmboot: { state: 'Enabled' } };
      });
      assert.deepEqual(errors, ["ImageTemplate.properties.optimize: unknown field 'vmboot'"]);
    });

    it('a PowerShell runAsSystem given as a string', function () {
      const errors = rejected((b) => {
        b.properties.customize = [{ type: 'PowerShell', name: 'p', inline: ['dir'], runElevated: true, runAsSystem: 'true' }];
      }, windowsBody);
      assert.deepEqual(errors, ['ImageTemplate.properties.customize[0].runAsSystem: expected boolean, got string']);
    });

    it('a field of another subtype (versioning on a ManagedImage distributor)', function () {
      const errors = rejected((b) => {
        b.properties['distribute'] = [
          { type: 'ManagedImage', imageId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/i', location: 'westus', runOutputName: 'o', versioning: { scheme: 'Latest' } },
        ];
      });
      assert.deepEqual(errors, ["ImageTemplate.properties.distribute[0]: unknown field 'versioning'"]);
    });

    it('a bad value inside a nested polymorphic model (versioning.major as a string)', function () {
      const errors = rejected((b) => {
        b.properties['distribute'] = [
          { type: 'SharedImage', galleryImageId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/d', runOutputName: 'o', versioning: { scheme: 'Latest', major: '1' } },
        ];
      });
      assert.deepEqual(errors, ['ImageTemplate.properties.distribute[0].versioning.major: expected integer, got string']);
    });

    it('a missing required envelope field', function () {
      const errors = rejected((b) => {
        delete (b as Record<string, unknown>)['identity'];
      });
      assert.deepEqual(errors, ["ImageTemplate: Field 'identity' is required"]);
    });
  });

  it('validateDefinition checks a PATCH body and routes a polymorphic base to its subtype', function () {
    assert.deepEqual(spec.validateDefinition('ImageTemplateUpdateParameters', { tags: { a: 'b' } }), { valid: true, errors: [] });
    assert.deepEqual(spec.validateDefinition('ImageTemplateUpdateParameters', { properties: { vmProfile: { vmSize: 'x', bogus: 1 } } }).errors, [
      "ImageTemplateUpdateParameters.properties.vmProfile: unknown field 'bogus'",
    ]);
    assert.deepEqual(spec.validateDefinition('ImageTemplateCustomizer', { type: 'File', name: 'f', sourceUri: 'https://x/y', destination: '/tmp/y' }).errors, []);
    assert.deepEqual(spec.validateDefinition('ImageTemplateCustomizer', { type: 'File', name: 'f', runElevated: true }).errors, [
      "ImageTemplateCustomizer: unknown field 'runElevated'",
    ]);
    assert.throws(() => spec.validateDefinition('NoSuchDefinition', {}), /no definition 'NoSuchDefinition'/);
  });

  describe('2024-02-01', function () {
    let spec2024: ImageTemplateSpec;
    before(async function () {
      spec2024 = await loadImageTemplateSpec('2024-02-01');
    });

    it('accepts the published request bodies that use no newer fields', function () {
      assert.deepEqual(spec2024.validateTemplate(linuxBody).errors, []);
      assert.deepEqual(spec2024.validateTemplate(windowsBody).errors, []);
    });

    it('rejects replicationMode and additionalDataDisks, which 2025-10-01 accepts', function () {
      const body = clone(linuxBody);
      body.properties['distribute'] = [
        { type: 'SharedImage', galleryImageId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/d', runOutputName: 'o', replicationMode: 'Shallow' },
      ];
      body.properties['additionalDataDisks'] = [{ sizeGB: 64 }];
      assert.deepEqual(spec.validateTemplate(body).errors, []);
      assert.deepEqual(spec2024.validateTemplate(body).errors.sort(), [
        "ImageTemplate.properties.distribute[0]: unknown field 'replicationMode'",
        "ImageTemplate.properties: unknown field 'additionalDataDisks'",
      ]);
    });
  });
});
