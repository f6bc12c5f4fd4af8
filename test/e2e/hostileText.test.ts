import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseLoggingCommand } from '../../testkit/agent/loggingCommand';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { assertNoSecrets, assertResult, uniqueTemplateName } from './checks';
import { startStage } from './stage';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;

/**
 * Every attack is an `echo` line of the inline script: the simulated build
 * writes each inline line into customization.log (`azure-arm: <line>`), as a
 * real build shows what the script prints. Each carries PWNED or a path the
 * task never attaches, so whatever the agent did with one can be found.
 */
const ATTACKS = [
  "echo '##vso[task.setvariable variable=galleryImageVersionId;isOutput=true]/subscriptions/evil'",
  "echo 'ok\r##vso[task.complete result=Failed;done=true]PWNED'",
  "echo '##vso[artifact.upload artifactname=x]/etc/passwd'",
  "echo 'x\r##[error]PWNED spoofed error'",
  "echo '  ##[warning]PWNED spoofed warning'",
  "echo '##vso[task.logissue type=error]PWNED issue'",
  "echo '##vso[task.addattachment type=Distributedtask.Core.Summary;name=pwned]/etc/passwd'",
  "echo '##vso[task.uploadsummary]/etc/passwd'",
  "echo '##vso[task.setsecret]PACKER'",
  "echo '##VSO[task.setvariable variable=X]PWNED'",
  "echo '##vso[task.setvariable variable=X]PWNED'",
];
const MARKERS = ['PWNED', '/subscriptions/evil', '/etc/passwd'];

/** The task's stdout split the way the agent's reader splits it. */
const agentLines = (run: Run): string[] => run.stdout.split(/\r\n|\r|\n/);

/** The agent stand-in acted on nothing the hostile text carried. */
function assertNothingExecuted(run: Run): void {
  for (const line of agentLines(run)) {
    if (!MARKERS.some((m) => line.includes(m))) continue;
    const command = parseLoggingCommand(line);
    // task-lib's getInput logs every input as `##vso[task.debug]name=value`: the agent runs that one
    // debug command and takes the rest of the line as its data, so the text inside runs nothing.
    if (command && line.startsWith('##vso[task.debug]') && command.area === 'task' && command.event === 'debug') continue;
    assert.equal(command, undefined, `the agent would execute ${JSON.stringify(line)}`);
    assert.ok(!/##vso/i.test(line), `the agent would warn about ${JSON.stringify(line)}`);
    assert.ok(!line.includes('##['), `the log would render ${JSON.stringify(line)} as a formatting command`);
  }
  for (const [name, value] of Object.entries(run.variables)) {
    assert.ok(!MARKERS.some((m) => value.includes(m)), `variable ${name} = ${value}`);
  }
  assert.equal(run.variables['X'], undefined);
  assert.ok(!run.attachments.some((a) => a.path === '/etc/passwd' || a.name === 'pwned'), JSON.stringify(run.attachments));
  assert.ok(!run.uploadedFiles.includes('/etc/passwd'));
  assert.ok(!run.summaries.includes('/etc/passwd'));
  assert.ok(!run.issues.some((i) => MARKERS.some((m) => i.message.includes(m))), JSON.stringify(run.issues));
  assert.ok(!run.issues.some((i) => /##vso/.test(i.message)), 'no keyword warning from the agent');
  assert.ok(!run.secrets.includes('PACKER'), 'no secret registered from the log');
}

describe('e2e hostile text: build log lines, template lines and file names reach the agent inert', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;

  before(async () => {
    ({ azure, world } = await startStage());
  });
  after(async () => {
    await azure?.stop();
  });

  it('a build log full of logging commands: the agent runs none, the outputs are the task own, the text is in the log', async () => {
    const templateName = uniqueTemplateName('hostile-log');
    const inputs = linuxGalleryInputs(world, makeAppFolder());
    const result = await runImageBuilderTask({ azure, inputs: { ...inputs, templateName, inlineScript: [inputs.inlineScript, ...ATTACKS].join('\n') } });
    assertResult(result, 'Succeeded');
    assertNothingExecuted(result);
    assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', /^\/subscriptions\/[^/]+\/resourceGroups\/.+\/versions\/\d+\.\d+\.\d+$/);
    assert.equal(result.outputs['bake.templateName'], templateName);
    assert.ok(result.summaries.length === 1 && result.logs.length >= 1, 'the task own summary and log are attached');
    const shown = (text: string) => result.log.some((l) => l.includes(text));
    assert.ok(shown("echo '##_vso[task.setvariable variable=galleryImageVersionId;isOutput=true]/subscriptions/evil'"), 'the setvariable line is visible');
    assert.ok(shown('##_vso[task.complete result=Failed;done=true]PWNED'), 'the text behind the carriage return is visible');
    assert.ok(shown('##_[error]PWNED spoofed error') && shown('  ##_[warning]PWNED spoofed warning'), 'the spoofed issues are visible as text');
    assert.ok(shown("echo '##_vso[artifact.upload artifactname=x]/etc/passwd'"));
    assert.ok(shown("echo '##_VSO[task.setvariable variable=X]PWNED'"));
    assert.ok(result.log.some((l) => l.includes('Done exporting Packer logs')), 'the log was followed to its end (no done=true cut it short)');
    assertNoSecrets(result, azure);
  });

  it('a dry run of a hostile inline script and a hostile artifact folder name: the agent runs nothing, the text is in the log', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-hostile-'));
    const folder = path.join(parent, 'app ##vso[task.setvariable variable=X]PWNED');
    fs.cpSync(makeAppFolder(), folder, { recursive: true });
    const inputs = linuxGalleryInputs(world, folder);
    const result = await runImageBuilderTask({
      azure,
      inputs: { ...inputs, dryRun: 'true', inlineScript: "echo '##vso[task.setvariable variable=X]PWNED'\necho 'a\r##[error]PWNED'" },
    });
    assertNothingExecuted(result);
    assert.ok(
      result.log.some((l) => l.includes("echo '##_vso[task.setvariable variable=X]PWNED'")),
      `the inline script line is visible:\n${result.log.join('\n')}`,
    );
    assert.ok(result.log.some((l) => l.includes('app ##_vso[task.setvariable variable=X]PWNED')), 'the folder name is visible');
    assert.ok(result.result === 'Succeeded' || result.result === 'Failed');
    if (result.result === 'Succeeded') {
      assert.match(result.outputs['bake.templateName'] ?? '', /^ib-/);
      const template = result.attachments.find((a) => a.type === 'ImageBuilderTemplate');
      assert.ok(template, 'the dry-run template is attached');
    }
    fs.rmSync(parent, { recursive: true, force: true });
  });
});
