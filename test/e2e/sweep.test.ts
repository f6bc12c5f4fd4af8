import * as assert from 'node:assert/strict';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { FAST_BUILD, assertCleanup, assertNoSecrets, assertResult, deletionOf, node20Path, requestsForTemplate, templatesNamed, uniqueTemplateName } from './checks';
import { startStage } from './stage';

/**
 * Leftovers of earlier runs: a cancelled run leaves its template still
 * Canceling (Azure refuses the delete then); a later run in the same resource
 * group requests its deletion and says so, and leaves alone another job's live
 * build and templates the task did not make.
 */
describe('e2e sweep of earlier leftovers', function () {
  this.timeout(120_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;

  before(async () => {
    ({ azure, world, app } = await startStage());
  });
  after(async () => {
    await azure?.stop();
  });

  const templateId = (name: string) =>
    `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`;
  const seedTemplate = (name: string, tags: Record<string, string>, runState: 'Running' | 'Canceled') =>
    azure.arm.seed({
      imageTemplates: [
        {
          id: templateId(name),
          resource: {
            location: world.location,
            tags,
            identity: { type: 'UserAssigned', userAssignedIdentities: { [world.identityId]: {} } },
            properties: {
              source: { type: 'ManagedImage', imageId: world.managedImageId },
              customize: [{ type: 'Shell', name: 'other', inline: ['true'] }],
              distribute: [{ type: 'SharedImage', runOutputName: 'other', galleryImageId: world.linuxGalleryImageId, targetRegions: [{ name: world.location }] }],
              provisioningState: 'Succeeded',
              lastRunStatus:
                runState === 'Running'
                  ? { startTime: new Date(Date.now() - 5 * 60 * 60_000).toISOString(), runState, runSubState: 'Customizing', message: '' }
                  : { startTime: '2024-01-01T00:00:00Z', endTime: '2024-01-01T01:00:00Z', runState, message: '' },
            },
          },
        },
      ],
    });

  it('a run after a canceled run removes its leftover and says so; another job\'s live build and a foreign template are left alone', async () => {
    // Run 1, cancelled while customizing. The stand-in holds Canceling until run 1 has ended,
    // past the cleanup's short retry, and refuses DELETE while Canceling, so the template is left behind.
    azure.arm.setScenario({ deleteWhileCanceling: 'conflict', timing: { ...FAST_BUILD, customizerMs: 60_000 } });
    const hold = azure.arm.holdCanceling();
    const leftover = uniqueTemplateName('sweep-leftover');
    const first = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName: leftover },
      cancel: { whenLine: (l) => /Customizing/.test(l) && !l.startsWith('##[') },
    }).finally(hold.release);
    assertResult(first, 'Canceled');
    assert.equal(first.escalated, undefined);
    assert.equal(deletionOf(azure, leftover), 'present', 'the first run left its template');
    assert.ok(first.log.some((l) => l.includes(`next run of this task requests the deletion of ${leftover}`)), first.log.join('\n'));

    // Another job's build, live (tagged as the task's, Running for hours), and a template of some other tool.
    const live = uniqueTemplateName('sweep-live');
    const foreign = uniqueTemplateName('sweep-foreign');
    seedTemplate(live, { createdBy: 'AzureImageBuilder@1', imageBuilderCleanup: 'always' }, 'Running');
    seedTemplate(foreign, { createdBy: 'packer' }, 'Canceled');

    // Run 2 starts once Azure has finished canceling run 1's build.
    await azure.arm.waitForState((s) => s.imageTemplates.find((t) => t.name === leftover)?.lastRunStatus?.['runState'] === 'Canceled');
    azure.arm.setScenario({ timing: FAST_BUILD });
    const requestsBefore = azure.arm.requests().length;
    const second = uniqueTemplateName('sweep-second');
    const result = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...linuxGalleryInputs(world, app), templateName: second } });
    assertResult(result, 'Succeeded');

    const requests = azure.arm.requests().slice(requestsBefore);
    const swept = requestsForTemplate(requests, leftover).filter((r) => r.method === 'DELETE');
    assert.equal(swept.length, 1, 'the second run sent one DELETE for the leftover');
    assert.equal(swept[0]!.status, 202);
    assert.notEqual(deletionOf(azure, leftover), 'present');
    const log = result.log.join('\n');
    assert.ok(log.includes(`Earlier leftover image template ${leftover} in resource group ${world.resourceGroup} (Canceled): deletion requested, Azure finishes it in the background.`), log);

    for (const name of [live, foreign]) {
      assert.deepEqual(requestsForTemplate(requests, name).filter((r) => r.method !== 'GET'), [], `${name} untouched`);
      assert.equal(templatesNamed(azure, name).length, 1, `${name} still there`);
      assert.ok(!log.includes(name), `${name} not mentioned`);
    }
    assert.equal(templatesNamed(azure, live)[0]?.lastRunStatus?.['runState'], 'Running');
    await assertCleanup(azure, second, { template: 'gone', blob: 'gone' });
    assertNoSecrets(result, azure);
  });

  it('sweepLeftovers false: the resource group is not listed and nothing of others is touched', async () => {
    const stale = uniqueTemplateName('sweep-off');
    seedTemplate(stale, { createdBy: 'AzureImageBuilder@1', imageBuilderCleanup: 'always' }, 'Canceled');
    const requestsBefore = azure.arm.requests().length;
    const name = uniqueTemplateName('sweep-off-run');
    const result = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...linuxGalleryInputs(world, app), templateName: name, sweepLeftovers: 'false' } });
    assertResult(result, 'Succeeded');
    const requests = azure.arm.requests().slice(requestsBefore);
    assert.deepEqual(requestsForTemplate(requests, stale), []);
    assert.ok(!requests.some((r) => r.method === 'GET' && /\/imagetemplates$/i.test(r.path)), 'no list of the resource group');
    assert.equal(templatesNamed(azure, stale).length, 1);
    assert.ok(!result.log.some((l) => l.includes(stale)));
  });

  it('a run that meets its own name still canceling waits for the cancel to end, then replaces the template', async () => {
    azure.arm.setScenario({ deleteWhileCanceling: 'conflict', timing: { ...FAST_BUILD, customizerMs: 60_000 } });
    // Azure's cancel ends only once the second run says it waits for it: a cancel that ends
    // on a timer would race the second run's start-up on a busy machine.
    const hold = azure.arm.holdCanceling();
    const name = uniqueTemplateName('sweep-own');
    const inputs = { ...linuxGalleryInputs(world, app), templateName: name };
    const waiting = `Image template ${name} in resource group ${world.resourceGroup} is left from an earlier run and still canceling; waiting up to 2 minutes`;
    try {
      const first = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs, cancel: { whenLine: (l) => /Customizing/.test(l) && !l.startsWith('##[') } });
      assertResult(first, 'Canceled');
      assert.equal(templatesNamed(azure, name)[0]?.lastRunStatus?.['runState'], 'Canceling', 'left canceling');
    } catch (err) {
      hold.release();
      throw err;
    }

    // The same step again (an explicit templateName is the same every run).
    azure.arm.setScenario({ timing: FAST_BUILD });
    const requestsBefore = azure.arm.requests().length;
    const second = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs,
      onLine: (l) => {
        if (l.includes(waiting)) hold.release();
      },
    }).finally(hold.release);
    assertResult(second, 'Succeeded');
    const log = second.log.join('\n');
    assert.ok(log.includes(waiting), log);
    const writes = requestsForTemplate(azure.arm.requests().slice(requestsBefore), name)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.status}`);
    assert.deepEqual(writes.slice(0, 2), ['DELETE 202', 'PUT 201'], 'deleted once the cancel ended, created again once it was gone');
    await assertCleanup(azure, name, { template: 'gone', blob: 'gone' });
  });
});
