/**
 * Input errors that can be known on the agent are reported as input errors,
 * through the bundled task run like the agent runs it, before any request
 * reaches Azure Resource Manager or storage.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildInputs, errorsOf, observeRun, type ObservedRun } from './support';
import { startStage, type Stage } from '../e2e/stage';

describe('e2e preflight: input errors known on the agent stop the task before any request', function () {
  this.timeout(180_000);
  let stage: Stage;

  before(async () => {
    stage = await startStage();
  });
  after(async () => {
    await stage?.azure.stop();
  });

  /** Failed, with exactly the expected error naming the input, and not one request to ARM or storage. */
  function assertRefusedUpFront(observed: ObservedRun, input: string, message: string): void {
    const { run } = observed;
    if (run.result !== 'Failed') console.log(run.log.join('\n'));
    assert.equal(run.result, 'Failed');
    assert.ok(errorsOf(run).includes(message), `expected\n  ${message}\namong\n  ${errorsOf(run).join('\n  ')}`);
    assert.ok(message.startsWith(`Input '${input}'`));
    assert.ok(!run.log.some((l) => /Preflight checks:/.test(l)), 'no preflight ran');
    assert.deepEqual(observed.requests.map((r) => `${r.method} ${r.path}`), [], 'the ARM stand-in received no request');
    assert.deepEqual(observed.newContainers, [], 'nothing created in storage');
    assert.deepEqual(observed.newBlobs, [], 'nothing uploaded');
  }

  it('a packagePath that does not exist', async () => {
    const missing = path.join(path.dirname(stage.app), 'no-such-folder');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'in-missing', { packagePath: missing }));
    assertRefusedUpFront(
      observed,
      'packagePath',
      `Input 'packagePath': '${missing}' does not exist on the agent. Point it at the folder or file to upload, for example $(Build.ArtifactStagingDirectory)/app.`,
    );
  });

  it('an additional customizer of a type the API does not define', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'in-type', { additionalCustomizers: '[{"type":"Ansible","playbook":"site.yml"}]' }));
    assertRefusedUpFront(
      observed,
      'additionalCustomizers',
      "Input 'additionalCustomizers': element 1 has type 'Ansible', which the image template API (2025-10-01) does not define; expected one of Shell, PowerShell, File, WindowsRestart, WindowsUpdate.",
    );
  });

  it('a template name that is only dots', async () => {
    const observed = await observeRun(stage.azure, { ...buildInputs(stage, 'in-name'), templateName: '..' });
    assertRefusedUpFront(
      observed,
      'templateName',
      "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '..'.",
    );
  });

  it('contradicting options are a warning naming both inputs, and the run goes on', async () => {
    const observed = await observeRun(stage.azure, { ...buildInputs(stage, 'in-contra', { onCustomizerError: 'abort', cleanup: 'always' }), dryRun: 'true' });
    const { run } = observed;
    assert.equal(run.result, 'Succeeded', run.log.join('\n'));
    const warnings = run.issues.filter((i) => i.type === 'warning').map((i) => i.message);
    assert.ok(
      warnings.includes(
        "Input 'onCustomizerError' is abort, which keeps the build VM for debugging, but cleanup is always: deleting the image template when the task ends deletes that VM too. cleanup wins; set cleanup to onSuccess or never to keep the VM.",
      ),
      `warnings: ${JSON.stringify(warnings)}`,
    );
    assert.deepEqual(observed.requests.map((r) => `${r.method} ${r.path}`), [], 'a dry run sends no request');
  });
});
