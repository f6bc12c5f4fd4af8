import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';
import { escapeCommandValue } from '../../testkit/agent/loggingCommand';
import { findNode20, isProcessRunning, node24Path } from '../../testkit/agent/nodeBinaries';
import { AGENT_CANCEL_LADDER, runTaskLikeAgent, type AgentRunOptions, type AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';

const probeDir = path.join(repoRoot, 'test', 'fixtures', 'tasks', 'AgentProbe');
const connectionId = '0d3b8a1e-1111-4222-8333-944455556666';
const secretValue = 'p@ss;w]rd%1';
const spKey = 'sp-key-4f5e6d';
const spId = 'sp-id-7a8b9c';
const systemToken = 'system-token-0123456789';

function probe(overrides: Partial<AgentRunOptions> = {}): Promise<AgentRunResult> {
  return runTaskLikeAgent({
    taskDir: probeDir,
    inputs: {},
    secretVariables: { 'Probe.Secret': secretValue },
    endpoints: {
      [connectionId.toUpperCase()]: {
        url: 'https://management.azure.com/',
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: spId, serviceprincipalkey: spKey, tenantid: 'tenant-1', authenticationType: 'spnKey' },
        data: { subscriptionId: 'sub-1', environment: 'AzureCloud' },
      },
    },
    systemConnection: { url: 'https://dev.azure.com/contoso/', accessToken: systemToken },
    ...overrides,
  });
}

function reportOf(run: AgentRunResult): Record<string, unknown> {
  const line = run.log.find((l) => l.startsWith('REPORT '));
  assert.ok(line, `no REPORT line in:\n${run.log.join('\n')}`);
  return JSON.parse(line.slice('REPORT '.length)) as Record<string, unknown>;
}

describe('agent stand-in: runTaskLikeAgent', function () {
  this.timeout(60000);

  describe('a task that exercises every logging command', () => {
    let run: AgentRunResult;
    let report: Record<string, unknown>;
    let workDir: string;

    before(async () => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-src-'));
      run = await probe({
        workDir,
        stepName: 'bake',
        inputs: {
          azureSubscription: connectionId,
          msg: '  hi $(Build.BuildId) $(nope)  ',
          pkg: 'app/dist',
        },
        variables: { 'System.OidcRequestUri': 'https://127.0.0.1:9/oidc', 'Build.BuildId': '4321' },
      });
      report = reportOf(run);
    });
    after(() => fs.rmSync(workDir, { recursive: true, force: true }));

    it('resolves aliases to input names, trims, expands macros and applies defaults', () => {
      assert.equal(report['message'], 'hi 4321 $(nope)');
      assert.equal(report['greeting'], 'build 4321 of ImageFactory');
      assert.equal(report['flagRaw'], 'True', 'a JSON boolean default reaches the task as .NET prints it');
      assert.equal(report['flag'], true);
      const envNames = report['agentEnvNames'] as string[];
      assert.ok(envNames.includes('INPUT_MESSAGE') && envNames.includes('INPUT_CONNECTION'));
      assert.ok(!envNames.some((n) => n === 'INPUT_MSG' || n === 'INPUT_AZURESUBSCRIPTION'), 'aliases never become variable names');
    });

    it('roots filePath inputs in the working directory; an empty one becomes the directory itself', () => {
      assert.equal(report['packagePath'], path.join(workDir, 'app', 'dist'));
      assert.equal(report['packageSupplied'], true);
      assert.equal(report['otherPath'], workDir);
      assert.equal(report['otherSupplied'], false);
      assert.equal(report['cwd'], workDir);
    });

    it('hands over the endpoint, the system connection and the variables the way the agent names them', () => {
      assert.equal(report['endpointUrl'], 'https://management.azure.com/');
      assert.equal(report['scheme'], 'ServicePrincipal');
      assert.equal(report['tenantId'], 'tenant-1');
      assert.equal(report['subscriptionId'], 'sub-1');
      assert.equal(report['systemUrl'], 'https://dev.azure.com/contoso/');
      assert.equal(report['systemScheme'], 'OAuth');
      assert.equal(report['oidcRequestUri'], 'https://127.0.0.1:9/oidc');
      assert.equal(report['agentVersion'], '4.266.2');
      const envNames = report['agentEnvNames'] as string[];
      for (const name of [
        `ENDPOINT_URL_${connectionId}`,
        `ENDPOINT_AUTH_${connectionId}`,
        `ENDPOINT_AUTH_SCHEME_${connectionId}`,
        `ENDPOINT_AUTH_PARAMETER_${connectionId}_SERVICEPRINCIPALKEY`,
        `ENDPOINT_DATA_${connectionId}`,
        `ENDPOINT_DATA_${connectionId}_SUBSCRIPTIONID`,
        'ENDPOINT_AUTH_SYSTEMVSSCONNECTION',
        'ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN',
        'SECRET_PROBE_SECRET',
        'SYSTEM_OIDCREQUESTURI',
        'AGENT_TEMPDIRECTORY',
      ]) {
        assert.ok(envNames.includes(name), `${name} missing`);
      }
      assert.ok(!envNames.some((n) => n.startsWith('ENDPOINT_DATA_SYSTEMVSSCONNECTION')), 'the system connection has no DATA variables');
      const dataJson = report['endpointDataJson'] as Record<string, string>;
      assert.deepEqual(JSON.parse(dataJson[`ENDPOINT_DATA_${connectionId}`]!), { subscriptionId: 'sub-1', environment: 'AzureCloud' });
      assert.ok((report['publicVariables'] as string[]).includes('System.OidcRequestUri'));
      // The job and the step, as the agent's TaskRunner sets them for each step.
      for (const name of ['System.JobId', 'System.TaskInstanceId', 'System.TaskInstanceName', 'System.TaskDisplayName']) {
        assert.ok((report['publicVariables'] as string[]).includes(name), `${name} missing`);
      }
      assert.deepEqual(report['secretVariables'], ['Probe.Secret']);
      assert.ok(fs.statSync(report['tempDirectory'] as string).isDirectory());
    });

    it('masks every secret and its encodings in the rendered log, while the raw output had them', () => {
      const secrets = [secretValue, spKey, spId, systemToken, 'derived-value-9f8e', 'secret-output-value'];
      assert.deepEqual([...run.secrets].sort(), [...secrets].sort());
      const rendered = run.log.join('\n') + JSON.stringify(run.issues);
      for (const secret of secrets) {
        assert.ok(run.stdout.includes(secret) || run.stdout.includes(JSON.stringify(secret).slice(1, -1)), `${secret} was printed`);
        for (const form of [secret, JSON.stringify(secret).slice(1, -1), escapeCommandValue(secret)]) {
          assert.ok(!rendered.includes(form), `${form} leaked into the log`);
        }
      }
      assert.ok(run.log.includes('the secret is ***'));
      assert.ok(run.log.includes('as json {"secret":"***"}'));
      assert.ok(run.log.includes('the key is ***'));
      assert.ok(run.log.includes('the client id is ***'), 'the agent masks every auth parameter but a few, the client id included');
      assert.ok(run.log.includes('the tenant is tenant-1'), 'the tenant id is not a secret to the agent');
      assert.ok(run.log.includes('the token is ***'));
      assert.ok(run.log.includes('on stderr ***'), 'stderr is rendered and masked too');
    });

    it('prefixes outputs with the step name, round-trips escaped values and keeps plain variables out of outputs', () => {
      assert.deepEqual(run.outputs, {
        'bake.escaped': 'a;b]c%d%3B\r\nline2',
        'bake.declaredOnly': 'plain-declared',
        'bake.secretOut': 'secret-output-value',
      });
      assert.equal(run.variables['notOutput'], 'internal');
      assert.equal(run.variables['inline'], 'set mid-line', 'a command in the middle of a line is still a command');
    });

    it('renders issues, groups and the step frame without showing the commands', () => {
      assert.deepEqual(run.issues, [
        { type: 'warning', message: 'careful: 50% done; [almost]' },
        { type: 'error', message: 'something went wrong' },
        { type: 'warning', message: 'done with issues' },
      ]);
      const log = run.log;
      assert.equal(log[0], '##[section]Starting: Probe report');
      assert.equal(log[log.length - 1], '##[section]Finishing: Probe report');
      // stdout and stderr are two pipes: a stderr line may land anywhere among the stdout lines.
      const fromStdout = log.filter((l) => l !== 'on stderr ***');
      const group = fromStdout.indexOf('##[group]Details');
      assert.deepEqual(fromStdout.slice(group, group + 3), ['##[group]Details', 'inside the group', '##[endgroup]']);
      assert.ok(log.includes('##[error]something went wrong'));
      assert.ok(!log.some((l) => l.includes('##vso[')), 'commands are not shown');
      assert.ok(!log.some((l) => l.includes('a debug line')), 'debug output needs System.Debug');
    });

    it('records progress, summaries, uploaded files, logs and attachments that exist on disk', () => {
      assert.deepEqual(run.progress, [{ value: 40, text: 'forty percent' }]);
      assert.equal(run.summaries.length, 1);
      assert.equal(fs.readFileSync(run.summaries[0]!, 'utf8'), '# Probe summary\n');
      assert.equal(path.basename(run.uploadedFiles[0] ?? ''), 'upload.txt');
      assert.equal(path.basename(run.logs[0] ?? ''), 'build.log');
      assert.deepEqual(
        run.attachments.map((a) => [a.type, a.name]),
        [
          ['DistributedTask.Core.Summary', 'summary.md'],
          ['DistributedTask.Core.FileAttachment', 'upload.txt'],
          ['probe.type', 'probe-attachment'],
        ],
      );
    });

    it('ends with the result the task reported', () => {
      assert.equal(run.result, 'SucceededWithIssues');
      assert.equal(run.exitCode, 0);
      assert.equal(run.canceled, false);
      assert.equal(run.handler, 'Node24', 'Node24 has the higher priority');
    });
  });

  it('masks a secret expanded into an input by a macro', async () => {
    const run = await probe({ inputs: { message: 'pre $(Probe.Secret) post' } });
    assert.equal(run.result, 'SucceededWithIssues');
    assert.ok(run.stdout.includes(`"message":"pre ${secretValue} post"`));
    assert.equal(reportOf(run)['message'], 'pre *** post');
  });

  it('shows task.debug lines when System.Debug is true', async () => {
    const run = await probe({ variables: { 'System.Debug': 'true' } });
    assert.ok(run.log.includes('##[debug]a debug line'));
  });

  it('refuses inputs the task does not declare, and a name given twice through its alias', async () => {
    await assert.rejects(probe({ inputs: { mesage: 'typo' } }), /'mesage' is not an input or alias of task AgentProbe/);
    await assert.rejects(probe({ inputs: { message: 'a', msg: 'b' } }), /'message' and 'msg' both set input 'message'/);
    await assert.rejects(
      probe({ inputs: { connection: '11111111-2222-4333-8444-555555555555' } }),
      /11111111-2222-4333-8444-555555555555 is referenced by the step but not given/,
    );
  });

  describe('results', () => {
    const merges: Array<[string, string]> = [
      ['SucceededWithIssues,Succeeded', 'SucceededWithIssues'],
      ['Failed,Succeeded', 'Failed'],
      ['Failed,Canceled', 'Canceled'],
      ['Canceled,Failed', 'Canceled'],
      ['Skipped,Failed', 'Skipped'],
    ];
    for (const [sequence, expected] of merges) {
      it(`merges task.complete ${sequence} to ${expected}`, async () => {
        const run = await probe({ inputs: { scenario: 'merge', message: sequence } });
        assert.equal(run.result, expected);
        assert.deepEqual(run.issues, []);
      });
    }

    it('rejects task-lib\'s "Cancelled" and fails the step, as the agent does', async () => {
      const run = await probe({ inputs: { scenario: 'taskLibCancelled' } });
      assert.equal(run.result, 'Failed');
      assert.ok(run.issues.some((i) => i.type === 'error' && i.message === "Command doesn't have valid result value."));
      assert.ok(run.issues.some((i) => i.message.startsWith("Unable to process command '##vso[task.complete result=Cancelled;]")));
    });

    it('accepts "Canceled" written by the task', async () => {
      const run = await probe({ inputs: { scenario: 'agentCanceled' } });
      assert.equal(run.result, 'Canceled');
      assert.equal(run.canceled, false);
    });

    it('fails the step on a non-zero exit code even after task.complete Succeeded', async () => {
      const run = await probe({ inputs: { scenario: 'exitCode' } });
      assert.equal(run.result, 'Failed');
      assert.equal(run.exitCode, 3);
      assert.ok(run.issues.some((i) => /^Exit code 3 returned from process: file name '.+node'/.test(i.message)));
    });

    it('refuses a multi-line secret and fails the step', async () => {
      const run = await probe({ inputs: { scenario: 'multilineSecret' } });
      assert.equal(run.result, 'Failed');
      assert.ok(run.issues.some((i) => i.message === 'Secrets cannot contain multiple lines'));
      assert.equal(run.variables['ml'], undefined);
    });
  });

  describe('handlers and Node versions', () => {
    it('runs the task on the Node 24 binary', async () => {
      const run = await probe({ nodePath: node24Path, inputs: { azureSubscription: connectionId } });
      assert.equal(run.result, 'SucceededWithIssues');
      assert.match(reportOf(run)['node'] as string, /^v24\./);
      assert.equal(run.outputs['step1.escaped'], 'a;b]c%d%3B\r\nline2');
      assert.ok(run.log.includes('the key is ***'));
    });

    it('runs the requested handler and refuses one task.json does not declare', async () => {
      const run = await probe({ handler: 'Node20_1', nodePath: findNode20() });
      assert.equal(run.handler, 'Node20_1');
      assert.match(reportOf(run)['node'] as string, /^v20\./);
      await assert.rejects(probe({ handler: 'Node16' as 'Node24' }), /does not declare the Node16 handler/);
    });
  });

  describe('cancellation and timeout', () => {
    let markerDir: string;
    beforeEach(() => {
      markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-marker-'));
    });
    afterEach(() => fs.rmSync(markerDir, { recursive: true, force: true }));

    const markerLines = (file: string): Array<{ what: string; at: number }> =>
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const parts = line.split(' ');
          return { what: parts.slice(0, -1).join(' '), at: Number(parts[parts.length - 1]) };
        });

    /** A short ladder: the order of the signals is what these tests are about, not the agent's waits. */
    const QUICK_LADDER = { sigintGraceMs: 300, sigtermGraceMs: 200 };

    it('uses the agent\'s waits unless told otherwise: 7.5 s to SIGTERM, 2.5 s to the kill', () => {
      // The agent contract (ProcessInvoker _sigintTimeout, _sigtermTimeout).
      const contract = fs.readFileSync(path.join(repoRoot, '..', 'shared', 'reference', 'azure-pipelines-agent-contract.md'), 'utf8');
      assert.match(contract, /waits up to 7\.5 s \(`_sigintTimeout`\)/);
      assert.match(contract, /waits up to 2\.5 s \(`_sigtermTimeout`\)/);
      assert.deepEqual({ ...AGENT_CANCEL_LADDER }, { sigintGraceMs: 7500, sigtermGraceMs: 2500 });
    });

    it('sends SIGINT first; a task that handles it ends Canceled without escalation, even with the agent\'s long waits', async () => {
      const marker = path.join(markerDir, 'm.txt');
      const run = await probe({ inputs: { scenario: 'trapSigint', markerPath: marker }, cancel: { whenLine: (l) => l === 'ready' } });
      assert.equal(run.result, 'Canceled');
      assert.equal(run.canceled, true);
      assert.deepEqual(markerLines(marker).map((m) => m.what), ['SIGINT']);
      assert.equal(run.escalated, undefined, 'no SIGTERM was needed');
      assert.equal(run.signal, null, 'the task ended by itself');
      assert.ok(run.log.includes('##[error]The operation was canceled.'));
    });

    it('sends SIGTERM after the SIGINT wait when the task ignores SIGINT', async () => {
      const marker = path.join(markerDir, 'm.txt');
      const run = await probe({ inputs: { scenario: 'ignoreSigint', markerPath: marker }, cancel: { whenLine: (l) => l === 'ready' }, cancelLadder: QUICK_LADDER });
      assert.deepEqual(markerLines(marker).map((m) => m.what), ['SIGINT', 'SIGTERM']);
      assert.equal(run.result, 'Canceled');
      assert.equal(run.escalated, 'SIGTERM');
      assert.ok(run.log.includes('##[error]The operation was canceled.'));
    });

    it('kills the whole process tree after the SIGTERM wait when the task ignores SIGTERM too', async () => {
      const marker = path.join(markerDir, 'm.txt');
      const run = await probe({ inputs: { scenario: 'ignoreAll', markerPath: marker }, cancel: { whenLine: (l) => l === 'ready' }, cancelLadder: QUICK_LADDER });
      const lines = markerLines(marker);
      assert.deepEqual(lines.map((m) => m.what.split(' ')[0]), ['CHILD', 'SIGINT', 'SIGTERM']);
      assert.equal(run.signal, 'SIGKILL');
      assert.equal(run.result, 'Canceled');
      assert.equal(run.escalated, 'SIGKILL');
      const grandchild = Number(lines[0]!.what.split(' ')[1]);
      // SIGKILL of the group is asynchronous: wait for the kernel to reap the grandchild.
      for (let i = 0; i < 100 && isProcessRunning(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(isProcessRunning(grandchild), false, 'the task\'s own child process was killed too');
    });

    it('cancels after a delay', async () => {
      const run = await probe({ inputs: { scenario: 'hang' }, cancel: { afterMs: 300 } });
      assert.equal(run.result, 'Canceled');
      assert.equal(run.signal, 'SIGINT');
    });

    it('fails a step that runs past its timeout', async () => {
      const run = await probe({ inputs: { scenario: 'hang' }, timeoutMs: 300 });
      assert.equal(run.result, 'Failed');
      assert.equal(run.canceled, false);
      assert.ok(run.log.includes('##[error]The task has timed out.'));
    });
  });
});
