import * as assert from 'node:assert/strict';
import { checkGalleryCompatibility } from '../../shared/preflight/checks/galleryCompatibility';
import { securityTypesCompatible } from '../../shared/preflight/imageTraits';
import type { FakeWorld } from './fakeReader';
import { configWith, galleryTarget, ids, managedImageTarget, platformSource } from '../support/configFixtures';
import { fakeReader, lines, runCheck, SOURCE_GALLERY_DEFINITION, UBUNTU_NEWEST } from './preflightFixtures';

const DEF = ids.galleryDefinition;

/** Changes the platform version `latest` resolves to. */
function newestUbuntu(change: (image: FakeWorld['platformImages'][string][number]) => void) {
  return (w: FakeWorld) => {
    for (const versions of Object.values(w.platformImages)) for (const v of versions) if (v.version === UBUNTU_NEWEST) change(v);
  };
}

describe('preflight: gallery image definitions', () => {
  it('passes when the definition fits the source in OS, generation and security type', async () => {
    const results = await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), fakeReader());
    assert.deepEqual(lines(results), [`passed: Gallery image definition ${DEF} fits the source (Linux, V2, TrustedLaunch).`]);
  });

  it('checks nothing without a gallery target', async () => {
    const reader = fakeReader();
    const results = await runCheck(checkGalleryCompatibility, configWith('shell', (c) => (c.distribute = [managedImageTarget()])), reader);
    assert.deepEqual(results, []);
    assert.equal(reader.calls.length, 0);
  });

  it('fails when the definition does not exist', async () => {
    const results = await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), fakeReader((w) => (w.galleryDefinitions = [])));
    assert.deepEqual(lines(results), [`failed [galleryImageId]: Gallery image definition ${DEF} does not exist. Create it (\`az sig image-definition create\`, OS type Linux) or correct galleryImageId.`]);
  });

  it('fails when the definition is for another OS than the provisioner builds', async () => {
    const reader = fakeReader((w) => (w.galleryDefinitions[0] = { id: DEF, osType: 'Windows', hyperVGeneration: 'V2', securityType: 'TrustedLaunch' }));
    assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), reader)), [
      `failed [galleryImageId]: Gallery image definition ${DEF} is for Windows, but provisioner shell builds Linux images. Publish to a definition of that OS type.`,
    ]);
  });

  it('fails when the Hyper-V generations differ', async () => {
    const reader = fakeReader(newestUbuntu((v) => (v.hyperVGeneration = 'V1')));
    assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), reader)), [
      `failed [galleryImageId]: Gallery image definition ${DEF} is Hyper-V generation V2, but the source image is V1. An image keeps its generation: publish to a definition of the source generation, or choose a source of the definition generation.`,
    ]);
  });

  it('fails a TrustedLaunch definition for a Standard-only source', async () => {
    const reader = fakeReader(newestUbuntu((v) => (v.securityType = 'Standard')));
    assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), reader)), [
      `failed [galleryImageId]: Gallery image definition ${DEF} has security type TrustedLaunch, which a source of security type Standard cannot give. Publish to a definition whose security type the source supports, or choose a source that supports TrustedLaunch.`,
    ]);
  });

  describe('reads what an image or definition does not declare as Azure does', () => {
    const DEF_DEFAULTS = `passed: Gallery image definition ${DEF} fits the source`;
    const gallerySourceConfig = configWith('shell', (c) => (c.source = { kind: 'galleryImageVersion', imageVersionId: ids.sourceGalleryVersion }));
    const managedSourceConfig = configWith('shell', (c) => (c.source = { kind: 'managedImage', imageId: ids.sourceManagedImage }));
    const definition = (w: FakeWorld) => w.galleryDefinitions.find((d) => d.id === DEF)!;
    const sourceDefinition = (w: FakeWorld) => w.galleryDefinitions.find((d) => d.id === SOURCE_GALLERY_DEFINITION)!;

    it('a source without a SecurityType feature is Standard: a TrustedLaunch definition fails, naming both types', async () => {
      const reader = fakeReader(newestUbuntu((v) => delete v.securityType));
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), reader)), [
        `failed [galleryImageId]: Gallery image definition ${DEF} has security type TrustedLaunch, which a source of security type Standard cannot give. Publish to a definition whose security type the source supports, or choose a source that supports TrustedLaunch.`,
      ]);
      // A managed image has no features at all: Standard too.
      assert.match(lines(await runCheck(checkGalleryCompatibility, managedSourceConfig, fakeReader()))[0] ?? '', /^failed \[galleryImageId\]: .* has security type TrustedLaunch, which a source of security type Standard cannot give/);
    });

    it('a Standard source fits a TrustedLaunchSupported definition and one that declares nothing (Standard)', async () => {
      for (const securityType of ['TrustedLaunchSupported', undefined]) {
        const reader = fakeReader((w) => {
          newestUbuntu((v) => delete v.securityType)(w);
          if (securityType) definition(w).securityType = securityType;
          else delete definition(w).securityType;
        });
        assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), reader)), [
          `${DEF_DEFAULTS} (Linux, V2, ${securityType ?? 'Standard'}).`,
        ]);
      }
    });

    it('a definition without a SecurityType feature is Standard: a TrustedLaunch-only source fails', async () => {
      const reader = fakeReader((w) => delete definition(w).securityType);
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, gallerySourceConfig, reader)), [
        `failed [galleryImageId]: Gallery image definition ${DEF} has security type Standard, which a source of security type TrustedLaunch cannot give. Publish to a definition whose security type the source supports, or choose a source that supports Standard.`,
      ]);
    });

    it('an undeclared Hyper-V generation is V1, on either side', async () => {
      const undeclaredDefinition = fakeReader((w) => delete definition(w).hyperVGeneration);
      assert.match(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), undeclaredDefinition))[0] ?? '', /is Hyper-V generation V1, but the source image is V2\./);
      const undeclaredSource = fakeReader((w) => {
        delete w.managedImages[0]!.hyperVGeneration;
        definition(w).securityType = 'TrustedLaunchSupported';
      });
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, managedSourceConfig, undeclaredSource)), [
        `failed [galleryImageId]: Gallery image definition ${DEF} is Hyper-V generation V2, but the source image is V1. An image keeps its generation: publish to a definition of the source generation, or choose a source of the definition generation.`,
      ]);
      const bothUndeclared = fakeReader((w) => {
        delete w.managedImages[0]!.hyperVGeneration;
        delete definition(w).hyperVGeneration;
        delete definition(w).securityType;
      });
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, managedSourceConfig, bothUndeclared)), [`${DEF_DEFAULTS} (Linux, V1, Standard).`]);
    });

    it('an undeclared architecture is x64: an Arm64 definition fails an undeclared source, an Arm64 source fits it', async () => {
      const arm64Definition = fakeReader((w) => (definition(w).architecture = 'Arm64'));
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), arm64Definition)), [
        `failed [galleryImageId]: Gallery image definition ${DEF} is for architecture Arm64, but the source image is x64. Publish to a definition of the source architecture, or choose a source of the definition architecture.`,
      ]);
      const both = fakeReader((w) => {
        definition(w).architecture = 'Arm64';
        newestUbuntu((v) => (v.architecture = 'Arm64'))(w);
      });
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, configWith('shell', () => undefined), both)), [`${DEF_DEFAULTS} (Linux, V2, TrustedLaunch, Arm64).`]);
      const arm64Source = fakeReader((w) => (sourceDefinition(w).architecture = 'Arm64'));
      assert.match(lines(await runCheck(checkGalleryCompatibility, gallerySourceConfig, arm64Source))[0] ?? '', /is for architecture x64, but the source image is Arm64\./);
    });

    it('makes no claim when the source itself cannot be described (its gallery definition could not be read)', async () => {
      const reader = fakeReader((w) => (w.galleryDefinitions = w.galleryDefinitions.filter((d) => d.id !== SOURCE_GALLERY_DEFINITION)));
      assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, gallerySourceConfig, reader)), [`${DEF_DEFAULTS} (Linux, V2, TrustedLaunch).`]);
    });
  });

  it('fails an explicit version that already exists and passes a new one', async () => {
    const existing = configWith('shell', (c) => (c.distribute = [galleryTarget({ version: '1.0.0' })]));
    const reader = fakeReader((w) => w.galleryVersions.push({ id: `${DEF}/versions/1.0.0`, targetRegions: ['westeurope'] }));
    assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, existing, reader)), [
      `failed [galleryImageVersion]: Gallery image version 1.0.0 already exists in ${DEF}. Choose a new galleryImageVersion, or leave it empty so the service picks the next one.`,
    ]);
    const fresh = configWith('shell', (c) => (c.distribute = [galleryTarget({ version: '1.0.1' })]));
    assert.deepEqual(lines(await runCheck(checkGalleryCompatibility, fresh, reader)), [`passed: Gallery image definition ${DEF} fits the source (Linux, V2, TrustedLaunch); version 1.0.1 is new.`]);
  });

  it('compares with the exact platform version the input names, not the newest', async () => {
    const config = configWith('shell', (c) => (c.source = platformSource({ version: '24.04.99999999' })));
    const reader = fakeReader((w) => {
      for (const versions of Object.values(w.platformImages)) for (const v of versions) if (v.version === '24.04.99999999') v.hyperVGeneration = 'V1';
    });
    assert.match(lines(await runCheck(checkGalleryCompatibility, config, reader))[0] ?? '', /^failed \[galleryImageId\]: .* is Hyper-V generation V2, but the source image is V1\./);
  });
});

describe('security type compatibility', () => {
  const cases: Array<[string, string, boolean | undefined]> = [
    ['TrustedLaunchSupported', 'TrustedLaunch', true],
    ['TrustedLaunchSupported', 'Standard', true],
    ['TrustedLaunchSupported', 'ConfidentialVM', false],
    ['TrustedLaunchAndConfidentialVmSupported', 'ConfidentialVM', true],
    ['Standard', 'TrustedLaunch', false],
    ['TrustedLaunch', 'Standard', false],
    ['TrustedLaunch', 'TrustedLaunchSupported', true],
    ['ConfidentialVmSupported', 'ConfidentialVMSupported', true],
    ['standard', 'STANDARD', true],
    ['SomethingNew', 'TrustedLaunch', undefined],
  ];
  for (const [source, target, expected] of cases) {
    it(`${source} source -> ${target} definition: ${String(expected)}`, () => {
      assert.equal(securityTypesCompatible(source, target), expected);
    });
  }
});
