import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { recordedProvisioningFailure } from '../../testkit/emulators/arm';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { startStage } from './stage';
import {
  FAST_BUILD,
  assertCleanup,
  assertNoSecrets,
  assertResult,
  node20Path,
  requestsForTemplate,
  statusReadOfRun,
  templatesNamed,
  uniqueTemplateName,
} from './checks';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;

const errorsOf = (result: Run) => result.issues.filter((i) => i.type === 'error').map((i) => i.message);
const warningsOf = (result: Run) => result.issues.filter((i) => i.type === 'warning').map((i) => i.message);

/** The `##[group]Last N lines of customization.log` block the task prints on failure, with its lines. */
function failureLogTail(result: Run): string[] {
  const start = result.log.findIndex((l) => /^##\[group\]Last \d+ lines of customization\.log/.test(l));
  if (start < 0) return [];
  const end = result.log.indexOf('##[endgroup]', start);
  return result.log.slice(start + 1, end < 0 ? undefined : end);
}

/**
 * Failed builds, partial success, cancel and the cleanup policy after each.
 * One after another: the build scenario of the ARM stand-in is global, and
 * each run's log tail must be its own.
 */
describe('e2e failure, partial success, cancel and cleanup policy', function () {
  this.timeout(120_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;

  before(async () => {
    ({ azure, world, app } = await startStage());
  });
  afterEach(() => {
    azure.arm.setScenario({ failCustomizerName: undefined, failDistributorKinds: undefined, provisioningFailure: undefined, timing: FAST_BUILD });
  });
  after(async () => {
    await azure?.stop();
  });

  for (const cleanup of ['always', 'onSuccess', 'never'] as const) {
    it(`a failing customizer (cleanup ${cleanup}): Failed, run message, log tail, hint, runState output; ${cleanup === 'always' ? 'nothing left' : 'template and blob kept'}`, async () => {
      const templateName = uniqueTemplateName(`fail-${cleanup}`);
      azure.arm.setScenario({ failCustomizerName: 'RunInlineScript' });
      const result = await runImageBuilderTask({
        azure,
        nodePath: node20Path(),
        inputs: { ...linuxGalleryInputs(world, app), templateName, cleanup },
      });
      assertResult(result, 'Failed');
      const errors = errorsOf(result).join('\n');
      assert.match(errors, /^The image build failed(?: while \w+)?: .*(fail|error)/im, 'lastRunStatus.message printed as an error, naming the step');
      assert.equal(errorsOf(result).filter((e) => e.startsWith('The image build failed')).length, 1, 'one error for the failed run');
      assert.doesNotMatch(errors, /Unexpected error/);
      const tail = failureLogTail(result);
      assert.ok(tail.length > 0 && tail.length <= 100, `log tail printed (${tail.length} lines)`);
      assert.ok(tail.some((l) => /RunInlineScript|sh bin\/install\.sh|exit status|non-zero/i.test(l)), `the tail shows the failing step:\n${tail.join('\n')}`);
      assert.ok(result.log.some((l) => /The customizer step \S+ failed with exit status/.test(l)), 'the script-failure hint is printed');
      assert.equal(result.outputs['bake.runState'], 'Failed');
      assert.equal(result.outputs['bake.templateName'], templateName);
      assert.equal(result.outputs['bake.galleryImageVersionId'], undefined, 'no image output after a failure');
      assert.ok(result.logs.length >= 1, 'the customization.log is attached');
      await assertCleanup(azure, templateName, cleanup === 'always' ? { template: 'gone', blob: 'gone' } : { template: 'kept', blob: 'kept' });
      if (cleanup !== 'always') assert.ok(result.log.some((l) => l.includes(templateName) && /kept|keep/i.test(l)), 'says what is kept');
      assertNoSecrets(result, azure);
    });
  }

  it('a create that Azure fails (the recorded Unauthorized on a VNet): the service words, the VNet and its role, the request id; in log and summary', async () => {
    const templateName = uniqueTemplateName('create-unauthorized');
    const vnet = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet_000002`;
    const recorded = recordedProvisioningFailure(vnet);
    const message = recorded.message;
    azure.arm.setScenario({ provisioningFailure: recorded });
    const inputs = linuxGalleryInputs(world, app);
    const result = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...inputs, templateName } });
    assertResult(result, 'Failed');
    const errors = errorsOf(result);
    const serviceErrors = errors.filter((e) => e.startsWith('Azure could not create the image template'));
    assert.equal(serviceErrors.length, 1, `one error for the failed create:\n${errors.join('\n')}`);
    const line = serviceErrors[0]!;
    assert.ok(line.includes(message), `the service's words are quoted:\n${line}`);
    assert.ok(line.startsWith('Azure could not create the image template (Unauthorized): '), `the operation's code, not the template's "Other":\n${line}`);
    assert.match(line, /Request id for a support case: [0-9a-f-]{36}$/, 'the request id is printed');
    assert.ok(!result.log.some((l) => /Unexpected error|long-running operation/i.test(l)), 'no SDK text, no "Unexpected error"');
    const hint = result.log.find((l) => l.includes('the Network Contributor role'));
    assert.ok(hint, `the VNet hint is printed:\n${result.log.join('\n')}`);
    assert.ok(hint.includes(inputs['managedIdentity']!) && hint.includes(`on the virtual network ${vnet}`), hint);
    assert.equal(result.summaries.length, 1, 'a summary tab');
    const summary = fs.readFileSync(result.summaries[0]!, 'utf8');
    assert.ok(summary.includes('Not authorized to access the resource'), 'the summary quotes the service');
    assert.ok(summary.includes('vnet\\_000002') || summary.includes('vnet_000002'), 'the summary names the VNet');
    assert.ok(summary.includes('Network Contributor'), 'the summary gives the VNet hint');
    assert.match(summary, /Request id for a support case: [0-9a-f-]{36}/);
    assert.doesNotMatch(summary, /Unexpected error/);
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
    assertNoSecrets(result, azure);
  });

  it('a missing source fails as the service does: its message, the log tail, the identity hint; nothing left', async () => {
    const templateName = uniqueTemplateName('missing-source');
    const missing = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/images/no-such-image`;
    const { baseImage: _unused, ...inputs } = linuxGalleryInputs(world, app);
    const result = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs: { ...inputs, sourceType: 'managedImage', managedImageId: missing, templateName, preflight: 'false' },
    });
    assertResult(result, 'Failed');
    assert.match(errorsOf(result).join('\n'), /no-such-image/, 'the service message names the source');
    assert.ok(failureLogTail(result).length > 0, 'log tail printed');
    assert.ok(result.log.some((l) => l.includes(`read and write images on ${missing} (`)), 'the identity hint names the source image');
    assert.equal(result.outputs['bake.runState'], 'Failed');
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
    assertNoSecrets(result, azure);
  });

  it('partial success (managed image distribution fails): SucceededWithIssues, a warning naming it, the gallery output set', async () => {
    const templateName = uniqueTemplateName('partial');
    azure.arm.setScenario({ failDistributorKinds: ['ManagedImage'] });
    const imageId = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/images/partial-out`;
    const result = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName, distributeType: 'sharedImageGallery,managedImage', imageIdForDistribute: imageId },
    });
    assertResult(result, 'SucceededWithIssues');
    const warnings = warningsOf(result).join('\n');
    assert.ok(warnings.includes(imageId) || warnings.includes(`${templateName}-mi`) || /managed image/i.test(warnings), `a warning names the failed distribution:\n${warnings}`);
    assert.equal(result.outputs['bake.managedImageId'], undefined);
    assert.ok(!azure.arm.state().managedImages.some((i) => String(i['id']).toLowerCase() === imageId.toLowerCase()), 'no managed image');
    const versionId = result.outputs['bake.galleryImageVersionId'] ?? '';
    assert.ok(azure.arm.state().galleryImageVersions.some((v) => String(v['id']).toLowerCase() === versionId.toLowerCase()), 'the gallery version exists');
    assert.equal(result.outputs['bake.runState'], 'PartiallySucceeded');
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
    assertNoSecrets(result, azure);
  });

  // Two moments of a cancel, both on events: right after a status line (the task then waits for its next
  // read), and while a status read of the running build is on its way to ARM.
  for (const how of ['whenLine', 'statusRead'] as const) {
    it(`cancel mid-build (${how}): cancel sent, cleanup done, Canceled before the agent escalates`, async () => {
      const templateName = uniqueTemplateName(`cancel-${how.toLowerCase()}`);
      // Long enough customizing that the cancel lands while the build runs.
      azure.arm.setScenario({ timing: { ...FAST_BUILD, customizerMs: 30_000 } });
      const cancel = how === 'whenLine' ? { whenLine: (l: string) => /Customizing|Provisioning with shell/.test(l) } : { on: statusReadOfRun(azure, templateName) };
      const result = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...linuxGalleryInputs(world, app), templateName }, cancel });
      assertResult(result, 'Canceled');
      assert.ok(result.canceled);
      assert.match(result.stdout, /##vso\[task\.complete result=Canceled;?\]/, 'the task itself reports Canceled (the agent spelling)');
      assert.equal(result.signal, null, 'the task ended on its own, not killed');
      assert.equal(result.escalated, undefined, 'the agent did not have to escalate to SIGTERM');
      const calls = requestsForTemplate(azure.arm.requests(), templateName);
      const cancelCall = calls.find((r) => r.method === 'POST' && /\/cancel$/i.test(r.path));
      assert.ok(cancelCall && cancelCall.status < 300, 'POST .../cancel accepted');
      const run = calls.find((r) => r.method === 'POST' && /\/run$/i.test(r.path));
      assert.ok(run && calls.indexOf(cancelCall) > calls.indexOf(run), 'cancel came after the run started');
      assert.ok(calls.some((r) => r.method === 'DELETE'), 'template deleted');
      await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
      assertNoSecrets(result, azure);
    });
  }

  it('cancel with cleanup onSuccess keeps the template and blob for inspection', async () => {
    const templateName = uniqueTemplateName('cancel-keep');
    azure.arm.setScenario({ timing: { ...FAST_BUILD, customizerMs: 30_000 } });
    const result = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName, cleanup: 'onSuccess' },
      cancel: { whenLine: (l) => /Customizing|Provisioning with shell/.test(l) },
    });
    assertResult(result, 'Canceled');
    assert.ok(requestsForTemplate(azure.arm.requests(), templateName).some((r) => r.method === 'POST' && /\/cancel$/i.test(r.path)));
    await assertCleanup(azure, templateName, { template: 'kept', blob: 'kept' });
    const kept = templatesNamed(azure, templateName)[0]!;
    assert.equal(kept.lastRunStatus?.['runState'], 'Canceled', 'the kept template is not left building');
  });
});
