import { strict as assert } from 'node:assert';
import { selectTokens, JsonPathSyntaxError } from './jsonPath';
import { evaluateServerExpression, evaluateServerExpressionValue, ExpressionError } from './serverExpressions';

describe('JSONPath subset (Newtonsoft SelectTokens semantics)', () => {
  const doc = {
    properties: {
      provisioningState: 'Succeeded',
      replicationStatus: {
        summary: [
          { region: 'westeurope', state: 'Completed', progress: 100 },
          { region: 'northeurope', state: 'InProgress', progress: 40 },
          { region: 'eastus' },
        ],
      },
    },
    'odd name': 1,
  };

  it('selects properties, wildcards and indexes', () => {
    assert.deepEqual(selectTokens(doc, '$.properties.provisioningState'), ['Succeeded']);
    assert.deepEqual(selectTokens(doc, '$.properties.replicationStatus.summary[*].region'), ['westeurope', 'northeurope', 'eastus']);
    assert.deepEqual(selectTokens(doc, "$['odd name']"), [1]);
    assert.deepEqual(selectTokens(doc, '$.properties.replicationStatus.summary[1].progress'), [40]);
    assert.deepEqual(selectTokens(doc, '$.properties.*'), [doc.properties.provisioningState, doc.properties.replicationStatus]);
  });

  it('selects nothing for a missing path', () => {
    assert.deepEqual(selectTokens(doc, '$.properties.nothing[*]'), []);
    assert.deepEqual(selectTokens(doc, '$.properties.replicationStatus.summary[9]'), []);
    assert.deepEqual(selectTokens(null, '$.a'), []);
  });

  it('filters with comparisons; an element without the property never matches', () => {
    assert.deepEqual(selectTokens(doc, "$.properties.replicationStatus.summary[?(@.state != 'Completed')].region"), ['northeurope']);
    assert.deepEqual(selectTokens(doc, "$.properties.replicationStatus.summary[?(@.state == 'Completed')].region"), ['westeurope']);
    assert.deepEqual(selectTokens(doc, '$.properties.replicationStatus.summary[?(@.progress < 50)].region'), ['northeurope']);
    assert.deepEqual(selectTokens(doc, '$.properties.replicationStatus.summary[?(@.progress >= 100)].region'), ['westeurope']);
    assert.deepEqual(selectTokens(doc, '$.properties.replicationStatus.summary[?(@.state)].region'), ['westeurope', 'northeurope']);
  });

  it('compares strings in filters by ordinal (case-sensitive)', () => {
    assert.deepEqual(selectTokens(doc, "$.properties.replicationStatus.summary[?(@.state == 'completed')]"), []);
  });

  it('accepts a path without $ as the service documentation does', () => {
    const items = { Items: [{ price: 100 }, { price: 40 }, { price: 70 }] };
    assert.equal(selectTokens(items, 'Items[?(@.price<50)]').length, 1);
    assert.equal(selectTokens(items, 'Items[?(@.price>60)]').length, 2);
  });

  it('rejects syntax outside the subset', () => {
    assert.throws(() => selectTokens(doc, '$..state'), JsonPathSyntaxError);
    assert.throws(() => selectTokens(doc, '$.a[0:2]'), JsonPathSyntaxError);
    assert.throws(() => selectTokens(doc, "$.a[?(@.x == 'a' && @.y == 'b')]"), /&& and \|\|/);
    assert.throws(() => selectTokens(doc, '$.a[?(@.x == $.y)]'), JsonPathSyntaxError);
  });
});

describe('server task expressions', () => {
  const root = { status: 'successful', ActiveReleaseNames: ['Release1', 'Release2', 'Release3'], Items: [{ name: 'item1', price: 100 }, { name: 'item2', price: 40 }, { name: 'item3', price: 70 }], nested: { n: 5, flag: true, empty: null } };
  const ev = (e: string, r: unknown = root) => evaluateServerExpression(e, { root: r });

  it('evaluates the examples from the server task authoring guide', () => {
    assert.equal(ev("eq(root['status'], 'successful')"), true);
    assert.equal(ev("ge(count(root['ActiveReleaseNames']), 3)"), true);
    assert.equal(ev("and(eq(count(jsonpath('Items[?(@.price<50)]')), 1), eq(count(jsonpath('Items[?(@.price>60)]')), 2))"), true);
  });

  it('compares strings without case and converts the right operand to the left type', () => {
    assert.equal(ev("eq(root['status'], 'SUCCESSFUL')"), true);
    assert.equal(ev("ne(root['status'], 'failed')"), true);
    assert.equal(ev("eq(root['nested']['n'], '5')"), true);
    assert.equal(ev("eq(root['nested']['n'], 'five')"), false, 'a failed conversion is not equal');
    assert.equal(ev("eq('True', true)"), true, 'Boolean converts to the string True');
    assert.equal(ev("eq(root['nested']['flag'], 'yes')"), true, 'a non-empty string is true');
    assert.equal(ev("eq('true', 'TRUE')"), true);
  });

  it('gives Null for anything missing, which equals nothing but Null', () => {
    assert.equal(evaluateServerExpressionValue("root['nope']['deeper']", { root }), null);
    assert.equal(ev("eq(root['nope'], 'Succeeded')"), false);
    assert.equal(ev("eq(root['nested']['empty'], null)"), true);
    assert.equal(ev("eq(root['status'], null)"), false);
    assert.equal(ev("eq(root['properties']['provisioningState'], 'Succeeded')", null), false);
  });

  it('matches property names without case and supports dotted access', () => {
    assert.equal(ev("eq(root['STATUS'], 'successful')"), true);
    assert.equal(ev("eq(root.nested.n, 5)"), true);
    assert.equal(evaluateServerExpressionValue("root['ActiveReleaseNames'][1]", { root }), 'Release2');
  });

  it('short-circuits and/or and casts to Boolean', () => {
    assert.equal(ev("or(true, count('not countable'))"), true, 'or stops at the first true');
    assert.equal(ev("and(false, count('not countable'))"), false, 'and stops at the first false');
    assert.throws(() => ev("and(true, count('not countable'))"), ExpressionError);
    assert.equal(ev("and(1, 'x', root)"), true);
    assert.equal(ev("or(0, '', null)"), false);
    assert.equal(ev('not(0)'), true);
  });

  it('orders numbers and strings, and errors when the conversion fails', () => {
    assert.equal(ev('gt(count(jsonpath(\'$.Items[*]\')), 2)'), true);
    assert.equal(ev('lt(2, 10)'), true);
    assert.equal(ev("le('a', 'B')"), true);
    assert.throws(() => ev("gt(1, 'abc')"), /cannot compare/);
  });

  it('counts arrays, objects and Null', () => {
    assert.equal(evaluateServerExpressionValue("count(root['Items'])", { root }), 3);
    assert.equal(evaluateServerExpressionValue("count(root['nested'])", { root }), 3);
    assert.equal(evaluateServerExpressionValue("count(root['nothing'])", { root }), 0);
  });

  it('reads doubled quotes in string literals (how a JSONPath filter literal is written)', () => {
    assert.equal(evaluateServerExpressionValue("'It''s'", { root }), "It's");
    assert.equal(ev("eq(count(jsonpath('$.Items[?(@.name == ''item2'')]')), 1)"), true);
  });

  it('rejects functions, names and syntax it does not implement', () => {
    assert.throws(() => ev("contains(root['status'], 'succ')"), /Unsupported function 'contains'/);
    assert.throws(() => ev("eq(variables['x'], 1)"), /Unknown named value 'variables'/);
    assert.throws(() => ev('eq(1)'), /takes 2 argument/);
    assert.throws(() => ev("eq(1, 1) extra"), /trailing/);
    assert.throws(() => ev("eq('open, 1)"), /Unterminated/);
  });
});
