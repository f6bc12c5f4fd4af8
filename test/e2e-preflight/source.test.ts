import * as assert from 'node:assert/strict';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, warningsOf } from './support';
import { startStage, type Stage } from '../e2e/stage';

describe('e2e preflight: source image', function () {
  this.timeout(120_000);
  let stage: Stage;
  const plan = { name: 'hardened-24', product: 'hardened-ubuntu', publisher: 'contoso' };
  const planImage = 'contoso:hardened-ubuntu:hardened-24';

  before(async () => {
    stage = await startStage();
    const { location } = stage.world;
    stage.azure.arm.seed({
      platformImages: [
        // Images elsewhere only: the build location has none of this sku.
        { location: 'eastus', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'minimal', version: '24.04.202410100', osType: 'Linux', hyperVGeneration: 'V2' },
        { location, publisher: plan.publisher, offer: plan.product, sku: plan.name, version: '1.0.0', osType: 'Linux', hyperVGeneration: 'V2', plan },
      ],
    });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  describe('platform image', () => {
    it('exists with pinLatestVersion (the default): passed, and the checklist reports the version it pins', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-pin', { preflightOnly: 'true' }));
      const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
      assert.deepEqual(
        linesOf(checklist, TITLES.source).map((l) => `${l.mark} ${l.text}`),
        [`✓ Platform image ${stage.world.linuxPlatformImage} exists in ${stage.world.location}; latest is ${stage.world.newestLinuxVersion}, which this run pins.`],
      );
    });

    it('without pinLatestVersion: passed, the latest version is reported as of now', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-nopin', { pinLatestVersion: 'false', preflightOnly: 'true' }));
      const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
      const [line] = linesOf(checklist, TITLES.source);
      assert.equal(line?.text, `Platform image ${stage.world.linuxPlatformImage} exists in ${stage.world.location}; latest is ${stage.world.newestLinuxVersion} at present.`);
    });

    it('not offered in the build location: Failed naming baseImage, with the command that lists what there is', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-elsewhere', { baseImage: 'Canonical:ubuntu-24_04-lts:minimal' }));
      const error = assertFailedInPreflight(observed, 'baseImage', `Platform image Canonical:ubuntu-24_04-lts:minimal is not offered in ${stage.world.location}`);
      assert.match(error, /az vm image list --location westus --publisher Canonical --offer ubuntu-24_04-lts --sku minimal --all/);
    });

    it('an explicit version the location does not have: Failed naming baseImage, with the version and the list command', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-version', { baseImageVersion: '24.04.202001010' }));
      const error = assertFailedInPreflight(observed, 'baseImage', `Platform image ${stage.world.linuxPlatformImage} has no version 24.04.202001010 in ${stage.world.location}.`);
      assert.ok(error.includes('az vm image list'), error);
    });

    it('a Windows platform image with provisioner shell: Failed naming provisioner', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-os', { baseImage: stage.world.windowsPlatformImage, galleryImageId: stage.world.windowsGalleryImageId }));
      assertFailedInPreflight(observed, 'provisioner', `The source image ${stage.world.windowsPlatformImage} is Windows, but provisioner shell builds Linux images.`);
    });

    it('sold with a plan and no planInfo: Failed naming planInfo, with the plan and the terms command', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-plan-missing', { baseImage: planImage }));
      const error = assertFailedInPreflight(observed, 'planInfo', 'sold with a purchase plan, but planInfo is empty');
      assert.ok(error.includes('Set planInfo to hardened-24:hardened-ubuntu:contoso'), error);
      assert.ok(error.includes('az vm image terms accept --publisher contoso --offer hardened-ubuntu --plan hardened-24'), error);
    });

    it('sold with a plan and planInfo naming it: passed', async () => {
      const observed = await observeRun(
        stage.azure,
        buildInputs(stage, 'src-plan-ok', { baseImage: planImage, planInfo: 'hardened-24:hardened-ubuntu:contoso', preflightOnly: 'true' }),
      );
      const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
      const texts = linesOf(checklist, TITLES.source, '✓').map((l) => l.text);
      assert.ok(texts.includes(`Platform image ${planImage} has the purchase plan planInfo names (hardened-24:hardened-ubuntu:contoso).`), JSON.stringify(texts));
    });
  });

  describe('managed image', () => {
    it('exists: passed', async () => {
      const observed = await observeRun(
        stage.azure,
        buildInputs(stage, 'src-mi-ok', { sourceType: 'managedImage', managedImageId: stage.world.managedImageId, preflightOnly: 'true' }),
      );
      const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
      assert.deepEqual(linesOf(checklist, TITLES.source).map((l) => `${l.mark} ${l.text}`), [`✓ Managed image ${stage.world.managedImageId} exists.`]);
    });

    it('missing: Failed naming managedImageId', async () => {
      const missing = stage.world.managedImageId.replace(/golden-linux$/, 'no-such-image');
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-mi-missing', { sourceType: 'managedImage', managedImageId: missing }));
      assertFailedInPreflight(observed, 'managedImageId', `The source managed image ${missing} does not exist`);
    });
  });

  describe('gallery image version', () => {
    it('exists: passed', async () => {
      const observed = await observeRun(
        stage.azure,
        buildInputs(stage, 'src-giv-ok', { sourceType: 'galleryImageVersion', galleryImageVersionId: stage.world.sourceGalleryVersionId, preflightOnly: 'true' }),
      );
      const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
      assert.deepEqual(linesOf(checklist, TITLES.source).map((l) => `${l.mark} ${l.text}`), [`✓ Gallery image version ${stage.world.sourceGalleryVersionId} exists.`]);
    });

    it('not replicated to the build location: a warning naming galleryImageVersionId, preflight still passes', async () => {
      const versionId = stage.world.sourceGalleryVersionId.replace(/1\.0\.0$/, '1.1.0');
      stage.azure.arm.seed({ galleryImageVersions: [{ id: versionId, location: 'eastus', targetRegions: [{ name: 'eastus' }] }] });
      const observed = await observeRun(
        stage.azure,
        buildInputs(stage, 'src-giv-elsewhere', { sourceType: 'galleryImageVersion', galleryImageVersionId: versionId, preflightOnly: 'true' }),
      );
      const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
      const warned = linesOf(checklist, TITLES.source, '!');
      assert.equal(warned.length, 1);
      assert.equal(warned[0]?.text, `Gallery image version ${versionId} is not replicated to ${stage.world.location}, where the build runs (it is in: eastus). Replicate it there, or build in one of those regions.`);
      assert.ok(warningsOf(observed.run).some((w) => w.startsWith("Input 'galleryImageVersionId': ")), JSON.stringify(warningsOf(observed.run)));
    });

    it('missing: Failed naming galleryImageVersionId', async () => {
      const missing = stage.world.sourceGalleryVersionId.replace(/1\.0\.0$/, '7.7.7');
      const observed = await observeRun(stage.azure, buildInputs(stage, 'src-giv-missing', { sourceType: 'galleryImageVersion', galleryImageVersionId: missing }));
      assertFailedInPreflight(observed, 'galleryImageVersionId', `The source gallery image version ${missing} does not exist`);
    });
  });
});
