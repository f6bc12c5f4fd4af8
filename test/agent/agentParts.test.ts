import { strict as assert } from 'node:assert';
import { escapeCommandValue, parseLoggingCommand, unescapeCommandValue } from '../../testkit/agent/loggingCommand';
import { SecretMasker } from '../../testkit/agent/secretMasker';
import { mergeTaskResults, parseTaskResult } from '../../testkit/agent/taskResult';
import { VariableStore, toEnvName, variablesToEnvironment } from '../../testkit/agent/variables';

describe('agent stand-in parts', () => {
  describe('logging command parsing', () => {
    it('finds the command anywhere in the line and reads properties case-insensitively', () => {
      const command = parseLoggingCommand('text ##vso[task.setvariable VARIABLE=x;isOutput=true;]value');
      assert.ok(command);
      assert.equal(command.area, 'task');
      assert.equal(command.event, 'setvariable');
      assert.equal(command.properties.get('variable'), 'x');
      assert.equal(command.properties.get('isoutput'), 'true');
      assert.equal(command.data, 'value');
    });

    it('unescapes %3B, %5D, %0D, %0A and %AZP25 in properties and data', () => {
      const command = parseLoggingCommand('##vso[task.logissue type=error;code=a%3Bb%5Dc]x%AZP25y%0D%0Az%3B%5D');
      assert.ok(command);
      assert.equal(command.properties.get('code'), 'a;b]c');
      assert.equal(command.data, 'x%y\r\nz;]');
    });

    it('round-trips values through escape and unescape, including a literal %3B', () => {
      const value = 'a;b]c%d%3B\r\nline2%AZP25';
      assert.equal(unescapeCommandValue(escapeCommandValue(value)), value);
    });

    it('treats lines that are not well-formed commands as plain output', () => {
      assert.equal(parseLoggingCommand('##vso[task]no event'), undefined);
      assert.equal(parseLoggingCommand('##vso[task.complete result=Succeeded'), undefined);
      assert.equal(parseLoggingCommand('##[group]not a command'), undefined);
    });
  });

  describe('task results', () => {
    it('rejects task-lib\'s "Cancelled" and accepts the agent\'s "Canceled" and enum numbers', () => {
      assert.equal(parseTaskResult('Cancelled'), undefined);
      assert.equal(parseTaskResult('canceled'), undefined, 'names are case-sensitive in Enum.TryParse');
      assert.equal(parseTaskResult('Canceled'), 'Canceled');
      assert.equal(parseTaskResult('2'), 'Failed');
    });

    it('merges worst-wins, and a Canceled or Skipped result is final', () => {
      assert.equal(mergeTaskResults(undefined, 'Succeeded'), 'Succeeded');
      assert.equal(mergeTaskResults('Succeeded', 'SucceededWithIssues'), 'SucceededWithIssues');
      assert.equal(mergeTaskResults('SucceededWithIssues', 'Succeeded'), 'SucceededWithIssues');
      assert.equal(mergeTaskResults('Failed', 'Succeeded'), 'Failed');
      assert.equal(mergeTaskResults('Failed', 'Canceled'), 'Canceled');
      assert.equal(mergeTaskResults('Canceled', 'Failed'), 'Canceled');
      assert.equal(mergeTaskResults('Skipped', 'Canceled'), 'Skipped');
    });
  });

  describe('secret masking', () => {
    it('masks the value and its JSON, URI and logging-command encodings', () => {
      const masker = new SecretMasker();
      masker.add('p@ss "w]rd";%', { base64: true });
      const value = 'p@ss "w]rd";%';
      const lines = [
        value,
        JSON.stringify({ value }),
        encodeURIComponent(value),
        escapeCommandValue(value),
        Buffer.from(value).toString('base64'),
      ];
      for (const line of lines) assert.doesNotMatch(masker.mask(`<${line}>`), /p@ss|cEBzc/, line);
      assert.equal(masker.mask(`x ${value} y`), 'x *** y');
      assert.deepEqual(masker.secrets, [value]);
    });

    it('ignores empty and whitespace values instead of masking every space', () => {
      const masker = new SecretMasker();
      masker.add('   ');
      assert.equal(masker.mask('a b'), 'a b');
    });
  });

  describe('variables', () => {
    it('names environment variables as the agent does and lists public and secret names', () => {
      assert.equal(toEnvName('System.Oidc Request.uri'), 'SYSTEM_OIDC_REQUEST_URI');
      const store = new VariableStore();
      store.set('Build.BuildId', '7');
      store.set('My.Secret', 's3', true);
      const env = variablesToEnvironment(store);
      assert.equal(env['BUILD_BUILDID'], '7');
      assert.equal(env['SECRET_MY_SECRET'], 's3');
      assert.equal(env['MY_SECRET'], undefined);
      assert.deepEqual(JSON.parse(env['VSTS_PUBLIC_VARIABLES']!), ['Build.BuildId']);
      assert.deepEqual(JSON.parse(env['VSTS_SECRET_VARIABLES']!), ['My.Secret']);
    });

    it('expands known macros case-insensitively, once, and leaves unknown ones', () => {
      const store = new VariableStore();
      store.set('a', '$(b)');
      store.set('b', 'B');
      assert.equal(store.expand('$(A)-$(b)-$(missing)'), '$(b)-B-$(missing)');
    });
  });
});
