import * as assert from 'node:assert/strict';
import { createLocalizer, loadTaskMessages } from '../support/localizer';

describe('localizer', () => {
  const loc = createLocalizer({ Hello: "Input '%s': got %d items", Plain: 'No placeholders' });

  it('formats a message with util.format placeholders', () => {
    assert.equal(loc('Hello', 'distributeType', 3), "Input 'distributeType': got 3 items");
    assert.equal(loc('Plain'), 'No placeholders');
  });

  it('throws on an unknown key so a typo fails loudly', () => {
    assert.throws(() => loc('Helo', 'x'), /Unknown message key 'Helo'/);
    assert.throws(() => loc('toString'), /Unknown message key 'toString'/);
  });

  it('reads the messages of a task.json text', () => {
    assert.deepEqual(loadTaskMessages('{"name":"T","messages":{"A":"a %s"}}'), { A: 'a %s' });
  });

  it('rejects a task.json without a messages object or with a non-string message', () => {
    assert.throws(() => loadTaskMessages('{"name":"T"}'), /no messages object/);
    assert.throws(() => loadTaskMessages('{"messages":[]}'), /no messages object/);
    assert.throws(() => loadTaskMessages('{"messages":{"A":1}}'), /message 'A' is not a string/);
    assert.throws(() => loadTaskMessages('not json'), SyntaxError);
  });
});
