import * as assert from 'node:assert/strict';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { deletionOf } from './checks';
import { startStage } from './stage';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';

describe('e2e smoke: a Linux gallery build through the agent stand-in', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;

  before(async () => {
    ({ azure, world } = await startStage({ buildTiming: { provisioningMs: 100, queuedMs: 200, buildingMs: 300, customizerMs: 600, distributingMs: 300, cancelMs: 200, deleteMs: 200 } }));
  });
  after(async () => {
    await azure?.stop();
  });

  it('succeeds, streams the log, publishes outputs and cleans up', async () => {
    const lines: string[] = [];
    const result = await runImageBuilderTask({
      azure,
      inputs: linuxGalleryInputs(world, makeAppFolder()),
      onLine: (l) => lines.push(l),
    });
    if (result.result !== 'Succeeded') console.log(result.log.join('\n'));
    assert.equal(result.result, 'Succeeded');
    assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', /\/versions\/\d+\.\d+\.\d+$/);
    assert.ok(result.log.some((l) => l.startsWith('==> azure-arm: ')), 'build log lines were streamed, without the Packer prefix');
    // The deletion is requested, not waited for: the template is gone or still being deleted.
    for (const t of azure.arm.state().imageTemplates) assert.notEqual(deletionOf(azure, t.name), 'present', `template ${t.name} deleted or being deleted`);
    assert.ok(result.log.some((l) => /Deletion of image template .* requested: Azure finishes it in the background/.test(l)), 'the log says the deletion is under way');
  });
});
