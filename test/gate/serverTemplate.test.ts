import { strict as assert } from 'node:assert';
import { expandMacros, lookupIn } from './serverMacros';
import { renderServerTemplate, TemplateSyntaxError } from './serverTemplate';

describe('server task macros', () => {
  it('replaces $(name) from the first source that has it, ignoring case', () => {
    const lookup = lookupIn({ galleryName: 'gal' }, { GALLERYNAME: 'other', 'endpoint.url': 'https://arm/' });
    assert.equal(expandMacros('$(Endpoint.Url)x/$(galleryname)', lookup), 'https://arm/x/gal');
  });

  it('leaves a macro that names nothing as written', () => {
    assert.equal(expandMacros('a/$(missing)/b', lookupIn({})), 'a/$(missing)/b');
  });

  it('does not expand macros inside substituted values again', () => {
    assert.equal(expandMacros('$(a)', lookupIn({ a: '$(b)', b: 'deep' })), '$(b)');
  });

  it('leaves $ that is not a macro alone (OData $expand)', () => {
    assert.equal(expandMacros('?x=1&$expand=ReplicationStatus', lookupIn({ expand: 'no' })), '?x=1&$expand=ReplicationStatus');
  });

  it('skips undefined values so a later source can answer', () => {
    assert.equal(expandMacros('$(a)', lookupIn({ a: undefined }, { a: 'second' })), 'second');
  });
});

describe('server task Mustache sections', () => {
  it('renders an {{#if}} section only for a non-empty value', () => {
    const t = 'base{{#if rg}}&rg={{rg}}{{/if}}';
    assert.equal(renderServerTemplate(t, { rg: 'group1' }), 'base&rg=group1');
    assert.equal(renderServerTemplate(t, { rg: '' }), 'base');
    assert.equal(renderServerTemplate(t, { rg: '   ' }), 'base');
    assert.equal(renderServerTemplate(t, {}), 'base');
  });

  it('renders {{#equals}} on quoted literals, case-insensitive with the third argument', () => {
    assert.equal(renderServerTemplate("{{#equals 'resourceId' 'resourceId' 1}}yes{{/equals}}", {}), 'yes');
    assert.equal(renderServerTemplate("{{#equals 'ResourceID' 'resourceId' 1}}yes{{/equals}}", {}), 'yes');
    assert.equal(renderServerTemplate("{{#equals 'ResourceID' 'resourceId'}}yes{{/equals}}", {}), '');
    assert.equal(renderServerTemplate("{{#equals 'galleryNames' 'resourceId' 1}}yes{{/equals}}", {}), '');
  });

  it('looks bare {{#equals}} arguments up in the context', () => {
    assert.equal(renderServerTemplate("{{#equals mode 'b' 1}}B{{/equals}}", { Mode: 'B' }), 'B');
  });

  it('nests sections', () => {
    const t = "{{#equals 'x' 'x' 1}}[{{#if a}}a={{{a}}}{{/if}}]{{/equals}}";
    assert.equal(renderServerTemplate(t, { a: '1' }), '[a=1]');
    assert.equal(renderServerTemplate(t, {}), '[]');
  });

  it('escapes HTML in {{name}} and not in {{{name}}}', () => {
    assert.equal(renderServerTemplate('{{v}}|{{{v}}}', { v: 'a&b' }), 'a&amp;b|a&b');
  });

  it('supports quotes doubled inside a literal', () => {
    assert.equal(renderServerTemplate("{{#equals 'it''s' v}}ok{{/equals}}", { v: "it's" }), 'ok');
  });

  it('rejects syntax it does not implement instead of guessing', () => {
    assert.throws(() => renderServerTemplate('{{#each items}}x{{/each}}', {}), TemplateSyntaxError);
    assert.throws(() => renderServerTemplate('{{#if a}}x', {}), /never closed/);
    assert.throws(() => renderServerTemplate('x{{/if}}', {}), /never opened/);
    assert.throws(() => renderServerTemplate("{{#if a}}x{{/equals}}", { a: '1' }), /closes a \{\{#if\}\} section/);
    assert.throws(() => renderServerTemplate('{{> partial}}', {}), /unsupported tag/);
    assert.throws(() => renderServerTemplate("{{#equals 'a'}}x{{/equals}}", {}), /two values/);
  });
});
