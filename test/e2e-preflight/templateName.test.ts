import * as assert from 'node:assert/strict';
import { assertCleanup, waitForIdle } from '../e2e/checks';
import { TITLES, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, requireChecklist, templateWrites, warningsOf } from './support';
import { startStage, type Stage } from '../e2e/stage';

describe('e2e preflight: template name', function () {
  this.timeout(180_000);
  let stage: Stage;
  let templateId: (name: string) => string;

  /** A template of that name left by an earlier attempt, whose last run is in the given state. */
  const seedLeftover = (name: string, runState: 'Failed' | 'Running') => {
    const { world } = stage;
    stage.azure.arm.seed({
      imageTemplates: [
        {
          id: templateId(name),
          resource: {
            location: world.location,
            identity: { type: 'UserAssigned', userAssignedIdentities: { [world.identityId]: {} } },
            properties: {
              source: { type: 'ManagedImage', imageId: world.managedImageId },
              customize: [{ type: 'Shell', name: 'earlier', inline: ['true'] }],
              distribute: [{ type: 'SharedImage', runOutputName: 'earlier', galleryImageId: world.linuxGalleryImageId, targetRegions: [{ name: world.location }] }],
              provisioningState: 'Succeeded',
              lastRunStatus: { startTime: '2024-01-01T00:00:00Z', runState, message: runState === 'Failed' ? 'customizer failed' : '' },
            },
          },
        },
      ],
    });
  };

  before(async () => {
    stage = await startStage();
    templateId = (name) => `/subscriptions/${stage.world.subscriptionId}/resourceGroups/${stage.world.resourceGroup}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`;
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('no template of that name: passed', async () => {
    const inputs = buildInputs(stage, 'tn-free', { preflightOnly: 'true' });
    const observed = await observeRun(stage.azure, inputs);
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(
      linesOf(checklist, TITLES.templateName).map((l) => `${l.mark} ${l.text}`),
      [`✓ No image template named ${inputs['templateName']} exists in resource group ${stage.world.resourceGroup}.`],
    );
  });

  it('a leftover whose last run Failed: a warning with its run state, then the build replaces it and succeeds', async () => {
    const inputs = buildInputs(stage, 'tn-leftover');
    const name = inputs['templateName'] ?? '';
    seedLeftover(name, 'Failed');
    const observed = await observeRun(stage.azure, inputs);
    const { run } = observed;
    if (run.result !== 'Succeeded') console.log(run.log.join('\n'));
    assert.equal(run.result, 'Succeeded', `a warning never fails the task; issues: ${JSON.stringify(run.issues)}`);

    const checklist = requireChecklist(run);
    assert.equal(checklist.failed, 0);
    const expected = `An image template named ${name} is left in resource group ${stage.world.resourceGroup} (provisioning state Succeeded, last run Failed); the build deletes it and creates it again.`;
    assert.deepEqual(linesOf(checklist, TITLES.templateName).map((l) => `${l.mark} ${l.text}`), [`! ${expected}`]);
    assert.ok(warningsOf(run).includes(`Input 'templateName': ${expected}`), JSON.stringify(warningsOf(run)));

    // The run replaced it: DELETE of the leftover before the PUT of the new one, then a run.
    const writes = templateWrites(observed.requests).map((r) => `${r.method} ${r.path.replace(/^.*\/imageTemplates\//i, '')}`);
    const del = writes.indexOf(`DELETE ${name}`);
    const put = writes.indexOf(`PUT ${name}`);
    assert.ok(del >= 0 && put > del, `leftover deleted, then created again: ${JSON.stringify(writes)}`);
    assert.ok(writes.includes(`POST ${name}/run`), JSON.stringify(writes));
    assert.match(run.outputs['bake.galleryImageVersionId'] ?? '', /\/versions\/\d+\.\d+\.\d+$/);
    await assertCleanup(stage.azure, name, { template: 'gone', blob: 'gone' });
  });

  it('a leftover still Running: a warning naming its run state; the run does not touch that template', async () => {
    const inputs = buildInputs(stage, 'tn-running');
    const name = inputs['templateName'] ?? '';
    seedLeftover(name, 'Running');
    try {
      const observed = await observeRun(stage.azure, inputs);
      const { run } = observed;
      const checklist = requireChecklist(run);
      const [line] = linesOf(checklist, TITLES.templateName);
      assert.equal(line?.mark, '!');
      assert.match(line?.text ?? '', new RegExp(`image template named ${name} in resource group ${stage.world.resourceGroup} is still building \\(Running/Customizing\\)`));
      assert.equal(run.result, 'Failed', 'the build run refuses to replace a running template');
      const touched = templateWrites(observed.requests).filter((r) => r.path.toLowerCase().endsWith(`/imagetemplates/${name.toLowerCase()}`));
      assert.deepEqual(touched, [], 'the running template is neither deleted nor overwritten');
      assert.equal(stage.azure.arm.state().imageTemplates.find((t) => t.name === name)?.lastRunStatus?.['runState'], 'Running');
    } finally {
      // A seeded Running run stays Running until canceled; leave the stand-in idle.
      await fetchCancel(stage, templateId(name));
      await waitForIdle(stage.azure);
    }
  });
});

/** Cancels a template's run through the ARM stand-in's cancel action, with an ARM token of the scenario's tenant. */
async function fetchCancel(stage: Stage, id: string): Promise<void> {
  const token = await stage.azure.entra.issue({ tenantId: stage.azure.scenario.tenantId, audience: 'https://management.azure.com/' });
  const response = await fetch(`${stage.azure.arm.url}${id}/cancel?api-version=2025-10-01`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  assert.ok(response.status < 300, `cancel of the seeded running template answered ${response.status}`);
}
