import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseLoggingCommand } from '../../testkit/agent/loggingCommand';
import { runTaskLikeAgent, type AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';
import { gateLines } from '../../shared/core/logGate';
import { repoRoot } from '../../testkit/repoRoot';
import { HOSTILE, SIGNED_URL } from './hostileText';

const realTaskJson = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1', 'task.json');

/** A task folder whose entry runs hostProbe.ts with the real task's messages, as the agent would run a task. */
function makeProbeTask(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-probe-'));
  const messages = (JSON.parse(fs.readFileSync(realTaskJson, 'utf8')) as { messages: Record<string, string> }).messages;
  const taskJson = {
    id: '6a1f0c3e-2b4d-4e5f-8a9b-0c1d2e3f4a5b',
    name: 'HostProbe',
    friendlyName: 'Host probe',
    description: 'Drives TaskLibHost with hostile text',
    category: 'Utility',
    author: 'Image Builder for Azure Pipelines',
    version: { Major: 1, Minor: 0, Patch: 0 },
    instanceNameFormat: 'Host probe',
    inputs: [{ name: 'scenario', type: 'string', label: 'Scenario', required: true }],
    outputVariables: [],
    execution: { Node20_1: { target: 'probe.js' } },
    messages,
  };
  fs.writeFileSync(path.join(dir, 'task.json'), JSON.stringify(taskJson, null, 2));
  const probe = path.join(repoRoot, 'build', 'test', 'host', 'hostProbe.js');
  fs.writeFileSync(path.join(dir, 'probe.js'), `require(${JSON.stringify(probe)}).main(__dirname).catch((e) => { console.error(String(e)); process.exit(1); });\n`);
  return dir;
}

/** Lines of the task's own stdout, split as the agent's reader splits them. */
const stdoutLines = (run: AgentRunResult): string[] => run.stdout.split(/\r\n|\r|\n/);

describe('TaskLibHost through the agent stand-in', function () {
  this.timeout(60_000);
  let taskDir: string;
  before(() => {
    taskDir = makeProbeTask();
  });
  after(() => fs.rmSync(taskDir, { recursive: true, force: true }));

  it('lets no logging command through info, debug, warning, error, group titles, progress, outputs or the result, and keeps the text visible', async () => {
    const run = await runTaskLikeAgent({ taskDir, inputs: { scenario: 'hostile' }, stepName: 'probe', variables: { 'System.Debug': 'true' } });
    // The agent acted only on the task's own commands.
    assert.equal(run.result, 'Succeeded', 'no task.complete from the text');
    assert.deepEqual(Object.keys(run.variables), ['templateName']);
    assert.deepEqual(Object.keys(run.outputs), ['probe.templateName']);
    assert.ok(run.outputs['probe.templateName']!.startsWith('tmpl a ##_vso[task.setvariable'));
    assert.equal(parseLoggingCommand(run.outputs['probe.templateName']!), undefined, 'a later step echoing the output runs nothing');
    assert.deepEqual(run.attachments, []);
    assert.deepEqual(run.summaries, []);
    assert.deepEqual(run.uploadedFiles, []);
    assert.ok(!run.secrets.includes('ok'), 'no secret registered from the text');
    assert.deepEqual(
      run.issues.map((i) => i.type),
      ['warning', 'error'],
      `only the warning and the error the task raised: ${JSON.stringify(run.issues)}`,
    );
    for (const issue of run.issues) assert.equal(issue.message, gateLines(HOSTILE).join('\n'));
    assert.deepEqual(run.progress.map((p) => p.text), [gateLines(HOSTILE).join(' ')]);
    // Every command line in stdout is one the task wrote itself, with the text inert inside it.
    for (const line of stdoutLines(run)) {
      const command = parseLoggingCommand(line);
      if (!command) {
        assert.ok(!/##vso/i.test(line) && !line.includes('##[') || /^##\[(group|endgroup)\]/.test(line), `plain line the agent reacts to: ${JSON.stringify(line)}`);
        continue;
      }
      assert.ok(line.startsWith('##vso['), `a command starts the line: ${JSON.stringify(line)}`);
      assert.ok(['task.debug', 'task.issue', 'task.setprogress', 'task.setvariable', 'task.complete'].includes(`${command.area}.${command.event}`), line);
    }
    // Visible: each hostile line is in the log, marked.
    for (const shown of gateLines(HOSTILE)) assert.ok(run.log.includes(shown), `${JSON.stringify(shown)} is shown`);
    assert.ok(run.log.includes(`##[group]${gateLines(HOSTILE).join(' ')}`), 'the group title is one inert line');
    assert.ok(run.log.some((l) => l.startsWith('##[debug]a ##_vso[task.setvariable')), 'debug text shown, inert');
  });

  it('publishes no SAS signature from the run message, provisioning error, ARM error, warnings, log lines, summary or result', async () => {
    const run = await runTaskLikeAgent({ taskDir, inputs: { scenario: 'failure' }, stepName: 'probe' });
    assert.equal(run.result, 'Failed');
    const texts: Array<{ where: string; text: string }> = [
      { where: 'stdout', text: run.stdout },
      { where: 'log', text: run.log.join('\n') },
      ...run.issues.map((i) => ({ where: `issue ${i.type}`, text: i.message })),
      ...Object.entries(run.variables).map(([k, v]) => ({ where: `variable ${k}`, text: v })),
      ...[...run.summaries, ...run.logs, ...run.attachments.map((a) => a.path)].map((f) => ({ where: f, text: fs.readFileSync(f, 'utf8') })),
    ];
    assert.ok(run.summaries.length >= 1, 'the summary was written');
    for (const { where, text } of texts) assert.ok(!text.includes('SECRET'), `${where} holds the signature:\n${text}`);
    // The facts are still there, with the signature hidden.
    const errors = run.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');
    assert.match(errors, /Download of https:\/\/stagingacct\.blob\.core\.windows\.net\/packerlogs\/run\/customization\.log\?sv=2024-08-04&sr=b&sp=r&sig=\*\*\*&se=2030-01-01 failed/);
    assert.match(errors, /BadSourceUri/);
    assert.match(errors, /InvalidParameter/);
    assert.ok(run.issues.some((i) => i.type === 'warning' && i.message.includes('sig=***')));
    assert.ok(run.log.some((l) => l.startsWith('log line ') && l.includes('sig=***')));
    for (const file of run.summaries) assert.match(fs.readFileSync(file, 'utf8'), /sig=\*\*\*/);
    assert.equal(run.outputs['probe.templateName'], 'proj-42-1');
    assert.ok(run.stdout.includes(SIGNED_URL.split('sig=')[0]!), 'the URL itself is still shown');
  });
});
