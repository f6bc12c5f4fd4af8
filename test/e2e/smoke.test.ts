import * as assert from 'node:assert/strict';
import { startLocalAzure, type LocalAzure } from '../emulators/localAzure';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, seedImageWorld, type ImageWorld } from './harness';

describe('e2e smoke: a Linux gallery build through the agent stand-in', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;

  before(async () => {
    azure = await startLocalAzure({ buildTiming: { provisioningMs: 100, queuedMs: 200, buildingMs: 300, customizerMs: 600, distributingMs: 300, cancelMs: 200, deleteMs: 200 } });
    world = seedImageWorld(azure);
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
    assert.ok(result.log.some((l) => l.includes('PACKER OUT')), 'build log lines were streamed');
    assert.equal(azure.arm.state().imageTemplates.length, 0, 'template deleted');
  });
});
