import * as assert from 'node:assert/strict';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, requireChecklist } from './support';
import { startStage, type Stage } from '../e2e/stage';

/**
 * The gallery image definitions the build publishes to against the source
 * (OS type, Hyper-V generation, security type), an explicit version that
 * exists already, and the regions the image is replicated to.
 */
describe('e2e preflight: gallery compatibility and regions', function () {
  this.timeout(120_000);
  let stage: Stage;
  let definition: (name: string) => string;
  /** A platform image that declares it runs as a Trusted Launch VM. */
  const trustedLaunchImage = 'Canonical:ubuntu-24_04-lts:server-tl';

  before(async () => {
    stage = await startStage();
    const { location } = stage.world;
    const gallery = stage.world.linuxGalleryImageId.replace(/\/images\/[^/]+$/, '');
    definition = (name) => `${gallery}/images/${name}`;
    stage.azure.arm.seed({
      platformImages: [
        {
          location,
          publisher: 'Canonical',
          offer: 'ubuntu-24_04-lts',
          sku: 'server-tl',
          version: '24.04.202410100',
          osType: 'Linux',
          hyperVGeneration: 'V2',
          features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
        },
      ],
      galleryImages: [
        { id: definition('linux-gen1'), location, osType: 'Linux', hyperVGeneration: 'V1' },
        { id: definition('linux-tl'), location, osType: 'Linux', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'TrustedLaunch' }] },
        { id: definition('linux-cvm'), location, osType: 'Linux', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'ConfidentialVM' }] },
      ],
    });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('a Linux V2 definition for a Linux V2 source and provisioner shell: passed', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-ok', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(
      linesOf(checklist, TITLES.gallery).map((l) => `${l.mark} ${l.text}`),
      [`✓ Gallery image definition ${stage.world.linuxGalleryImageId} fits the source (Linux, V2, Standard).`],
    );
  });

  it('a definition that does not exist: Failed naming galleryImageId, with the command that creates it', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-missing', { galleryImageId: definition('no-such-definition') }));
    const error = assertFailedInPreflight(observed, 'galleryImageId', `Gallery image definition ${definition('no-such-definition')} does not exist.`);
    assert.ok(error.includes('az sig image-definition create'), error);
  });

  it('a Windows definition with provisioner shell: Failed in seconds naming galleryImageId, nothing created', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-os', { galleryImageId: stage.world.windowsGalleryImageId }));
    assertFailedInPreflight(
      observed,
      'galleryImageId',
      `Gallery image definition ${stage.world.windowsGalleryImageId} is for Windows, but provisioner shell builds Linux images. Publish to a definition of that OS type.`,
    );
  });

  it('a Hyper-V generation V1 definition for a V2 source: Failed naming galleryImageId', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-gen', { galleryImageId: definition('linux-gen1') }));
    assertFailedInPreflight(observed, 'galleryImageId', `Gallery image definition ${definition('linux-gen1')} is Hyper-V generation V1, but the source image is V2.`);
  });

  it('a ConfidentialVM definition for a TrustedLaunch source: Failed naming galleryImageId', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-sec', { baseImage: trustedLaunchImage, galleryImageId: definition('linux-cvm') }));
    assertFailedInPreflight(observed, 'galleryImageId', `Gallery image definition ${definition('linux-cvm')} has security type ConfidentialVM, which a source of security type TrustedLaunch cannot give.`);
  });

  it('a TrustedLaunch definition for a TrustedLaunch source: passed, the security type is named', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-sec-ok', { baseImage: trustedLaunchImage, galleryImageId: definition('linux-tl'), preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(linesOf(checklist, TITLES.gallery).map((l) => l.text), [`Gallery image definition ${definition('linux-tl')} fits the source (Linux, V2, TrustedLaunch).`]);
  });

  it('a TrustedLaunch definition for a source that declares no security type (Standard, as Azure reads it): Failed before anything is uploaded, naming the definition and both types', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-sec-undeclared', { galleryImageId: definition('linux-tl') }));
    assertFailedInPreflight(
      observed,
      'galleryImageId',
      `Gallery image definition ${definition('linux-tl')} has security type TrustedLaunch, which a source of security type Standard cannot give.`,
    );
  });

  it('a ConfidentialVM definition for a source that declares no security type: Failed naming galleryImageId', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-cvm-undeclared', { galleryImageId: definition('linux-cvm') }));
    assertFailedInPreflight(observed, 'galleryImageId', `Gallery image definition ${definition('linux-cvm')} has security type ConfidentialVM, which a source of security type Standard cannot give.`);
  });

  it('an explicit galleryImageVersion that exists already: Failed naming galleryImageVersion', async () => {
    const baseLinux = stage.world.sourceGalleryVersionId.replace(/\/versions\/[^/]+$/, '');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-ver-exists', { galleryImageId: baseLinux, galleryImageVersion: '1.0.0' }));
    assertFailedInPreflight(observed, 'galleryImageVersion', `Gallery image version 1.0.0 already exists in ${baseLinux}. Choose a new galleryImageVersion`);
  });

  it('an explicit galleryImageVersion that is new: passed, the version is named', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-ver-new', { galleryImageVersion: '9.9.9', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(linesOf(checklist, TITLES.gallery).map((l) => l.text), [`Gallery image definition ${stage.world.linuxGalleryImageId} fits the source (Linux, V2, Standard); version 9.9.9 is new.`]);
  });

  it('a replication region that is no region of the subscription: Failed naming replicationRegions', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'reg-bad', { replicationRegions: 'westus, westeurop' }));
    const error = assertFailedInPreflight(observed, 'replicationRegions', `'westeurop' (replicationRegions) is not a region of subscription ${stage.world.subscriptionId}.`);
    assert.ok(error.includes('az account list-locations'), error);
    const checklist = requireChecklist(observed.run);
    assert.deepEqual(linesOf(checklist, TITLES.regions).map((l) => l.mark), ['✗'], 'westus passes silently, only westeurop is reported');
  });

  it('replication regions of the subscription: passed, every region named', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'reg-ok', { replicationRegions: 'westus, westeurope', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(linesOf(checklist, TITLES.regions).map((l) => `${l.mark} ${l.text}`), ['✓ Regions westus, westeurope exist in the subscription.']);
  });
});
