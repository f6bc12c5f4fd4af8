import * as assert from 'node:assert/strict';
import { parseLoggingCommand } from '../../testkit/agent/loggingCommand';
import { gateLine, gateLines, gateMessage, neutraliseCommands } from '../../shared/core/logGate';
import { redactSas, redactSasDeep } from '../../shared/core/sasRedaction';

/** What the agent's line reader makes of a stdout text: `\r\n`, `\r` and `\n` each end a line. */
const agentLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** The agent would act on the line: a command, the `##vso` keyword warning, or a `##[` formatting prefix. */
function agentReacts(line: string): boolean {
  return parseLoggingCommand(line) !== undefined || /##vso/i.test(line) || /^\s*##\[/.test(line) || line.includes('##[');
}

describe('output gate', () => {
  const hostile: Array<{ name: string; text: string; shown: string[] }> = [
    {
      name: 'a setvariable command mid-line',
      text: 'ok ##vso[task.setvariable variable=galleryImageVersionId;isOutput=true]/subscriptions/evil',
      shown: ['ok ##_vso[task.setvariable variable=galleryImageVersionId;isOutput=true]/subscriptions/evil'],
    },
    {
      name: 'a command behind a carriage return mid-line',
      text: 'ok\r##vso[task.complete result=Succeeded;]',
      shown: ['ok', '##_vso[task.complete result=Succeeded;]'],
    },
    {
      name: 'CRLF, lone LF and lone CR in one text',
      text: 'a\r\n##vso[artifact.upload artifactname=x]/etc/passwd\nb\r##[error]spoofed\rc',
      shown: ['a', '##_vso[artifact.upload artifactname=x]/etc/passwd', 'b', '##_[error]spoofed', 'c'],
    },
    { name: 'mixed case', text: '##VSO[task.setvariable variable=X]1 and ##VsO[x.y]', shown: ['##_VSO[task.setvariable variable=X]1 and ##_VsO[x.y]'] },
    { name: 'an error prefix after leading spaces', text: '   \t##[error]spoofed', shown: ['   \t##_[error]spoofed'] },
    { name: 'group, section and warning prefixes', text: '##[group]x\n##[endgroup]\n##[section]s\n##[warning]w', shown: ['##_[group]x', '##_[endgroup]', '##_[section]s', '##_[warning]w'] },
    { name: 'the ##vso keyword alone (the agent warns about it)', text: 'see ##vso docs', shown: ['see ##_vso docs'] },
    { name: 'three hashes', text: '###vso[task.complete result=Failed]', shown: ['###_vso[task.complete result=Failed]'] },
    { name: 'a trailing line break gives an empty last line', text: 'x\n', shown: ['x', ''] },
  ];
  for (const { name, text, shown } of hostile) {
    it(`${name}: every line the agent reads is inert and the text is still there`, () => {
      const lines = gateLines(text);
      assert.deepEqual(lines, shown);
      for (const line of lines.flatMap(agentLines)) {
        assert.equal(parseLoggingCommand(line), undefined, `the agent would parse a command in ${JSON.stringify(line)}`);
        assert.ok(!agentReacts(line), `the agent would react to ${JSON.stringify(line)}`);
      }
      // Readable: removing the marker gives back the text, line breaks aside.
      assert.equal(lines.join('\n').replace(/##_/g, '##'), text.split(/\r\n|\r|\n/).join('\n'));
    });
  }

  it('leaves look-alikes and ordinary text alone', () => {
    for (const text of ['＃＃vso[task.setvariable variable=X]1', '#\u0301#vso[', '# #vso[', '#vso[x.y]', 'C# [attr]', '## heading', 'plain text €', '##_vso[x.y] (already neutralised)']) {
      assert.deepEqual(gateLines(text), [text]);
    }
  });

  it('gives one line for titles, line-broken messages for issues, and keeps breaks in values', () => {
    assert.equal(gateLine('step\r\n##vso[task.complete result=Failed]'), 'step ##_vso[task.complete result=Failed]');
    assert.equal(gateMessage('a\rb\r\n##[error]c'), 'a\nb\n##_[error]c');
    assert.equal(neutraliseCommands('a\n##vso[x.y]b'), 'a\n##_vso[x.y]b');
  });

  it('never outputs a command for any mix of the dangerous pieces', () => {
    const pieces = ['#', '##', 'vso', 'VSO', '[', ']', '\r', '\n', 'task.complete result=Failed', ' ', '_'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let j = next() % 12; j >= 0; j--) text += pieces[next() % pieces.length];
      for (const line of gateLines(text).flatMap(agentLines)) {
        assert.ok(!agentReacts(line), `${JSON.stringify(text)} gave ${JSON.stringify(line)}`);
      }
    }
  });
});

describe('SAS redactor', () => {
  const cases: Array<[string, string]> = [
    ['https://a.blob.core.windows.net/c/b?sv=2024-08-04&sr=b&sig=SECRET%2Babc%3D&se=2030', 'https://a.blob.core.windows.net/c/b?sv=2024-08-04&sr=b&sig=***&se=2030'],
    ['https://a/b?SIG=SECRET', 'https://a/b?SIG=***'],
    ['url https://a/b?sig=SECRET then more', 'url https://a/b?sig=*** then more'],
    ['"https://a/b?sv=1&sig=SECRET"', '"https://a/b?sv=1&sig=***"'],
    ["curl 'https://a/b?sp=r&sig=SECRET' -o x", "curl 'https://a/b?sp=r&sig=***' -o x"],
    ['escaped for Markdown: https://a/b?sv=1&amp;sig=SECRET&amp;se=2', 'escaped for Markdown: https://a/b?sv=1&amp;sig=***&amp;se=2'],
    ['encoded: https%3A%2F%2Fa%2Fb%3Fsv%3D1%26sig%3DSECRET%26se%3D2', 'encoded: https%3A%2F%2Fa%2Fb%3Fsv%3D1%26sig%3D***'],
    ['sig=SECRET at the start', 'sig=*** at the start'],
    ['JSON-escaped: https://a/b?sv=1\\u0026sig=SECRET\\u0026se=2', 'JSON-escaped: https://a/b?sv=1\\u0026sig=***'],
    ['after Markdown escaping: ?sig=SEC\\_RET|x', 'after Markdown escaping: ?sig=***'],
    ['not a parameter: design=1 xsig=keep but xsig=a?sig=SECRET', 'not a parameter: design=1 xsig=keep but xsig=a?sig=***'],
    ['already redacted ?sig=*** stays', 'already redacted ?sig=*** stays'],
  ];
  for (const [input, expected] of cases) {
    it(`redacts ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.equal(redactSas(input), expected);
      assert.ok(!redactSas(input).includes('SECRET') && !redactSas(input).includes('SEC\\_RET'));
      assert.equal(redactSas(expected), expected, 'idempotent');
    });
  }

  it('redacts every string of a JSON value and leaves the rest', () => {
    const value = { a: ['x?sig=SECRET', 1, true, null], b: { c: 'y&sig=SECRET&z=1' } };
    assert.deepEqual(redactSasDeep(value), { a: ['x?sig=***', 1, true, null], b: { c: 'y&sig=***&z=1' } });
    assert.equal(value.a[0], 'x?sig=SECRET', 'a copy');
  });
});
