import * as assert from 'node:assert/strict';
import { checkSource } from '../../shared/preflight/checks/source';
import { configWith, galleryVersionSource, ids, LOCATION, managedImageSource, plannedPlatformSource, platformSource } from '../support/configFixtures';
import { fakeReader, lines, runCheck, UBUNTU_NEWEST } from './preflightFixtures';

const LIST = (sku: string, offer = 'ubuntu-24_04-lts', publisher = 'Canonical') =>
  `az vm image list --location ${LOCATION} --publisher ${publisher} --offer ${offer} --sku ${sku} --all`;

describe('preflight: source image', () => {
  it('resolves latest to the numerically newest version and reports that the run pins it', async () => {
    const results = await runCheck(checkSource, configWith('shell', () => undefined), fakeReader());
    assert.deepEqual(lines(results), [`passed: Platform image Canonical:ubuntu-24_04-lts:server exists in ${LOCATION}; latest is ${UBUNTU_NEWEST}, which this run pins.`]);
  });

  it('reports latest without pinning when pinLatestVersion is off, and an exact version as found', async () => {
    const unpinned = await runCheck(checkSource, configWith('shell', (c) => (c.source = platformSource({ pinLatestVersion: false }))), fakeReader());
    assert.deepEqual(lines(unpinned), [`passed: Platform image Canonical:ubuntu-24_04-lts:server exists in ${LOCATION}; latest is ${UBUNTU_NEWEST} at present.`]);
    const exact = await runCheck(checkSource, configWith('shell', (c) => (c.source = platformSource({ version: '24.04.202409090' }))), fakeReader());
    assert.deepEqual(lines(exact), [`passed: Platform image Canonical:ubuntu-24_04-lts:server version 24.04.202409090 exists in ${LOCATION}.`]);
  });

  it('fails when the platform image is not offered in the build location', async () => {
    const config = configWith('shell', (c) => (c.source = platformSource({ sku: 'server-arm64' })));
    assert.deepEqual(lines(await runCheck(checkSource, config, fakeReader())), [
      `failed [baseImage]: Platform image Canonical:ubuntu-24_04-lts:server-arm64 is not offered in ${LOCATION}. Check publisher, offer and sku; \`${LIST('server-arm64')}\` lists what there is.`,
    ]);
  });

  it('fails when the exact platform version does not exist', async () => {
    const config = configWith('shell', (c) => (c.source = platformSource({ version: '24.04.1' })));
    assert.deepEqual(lines(await runCheck(checkSource, config, fakeReader())), [
      `failed [baseImage]: Platform image Canonical:ubuntu-24_04-lts:server has no version 24.04.1 in ${LOCATION}. \`${LIST('server')}\` lists the versions.`,
    ]);
  });

  it('passes a planned image whose plan planInfo names, and fails one without planInfo', async () => {
    const withPlan = await runCheck(checkSource, configWith('shell', (c) => (c.source = plannedPlatformSource())), fakeReader());
    assert.equal(lines(withPlan)[1], 'passed: Platform image center-for-internet-security-inc:cis-ubuntu-linux-2204-l1:cis-ubuntu2204-l1 has the purchase plan planInfo names (cis-ubuntu2204-l1:cis-ubuntu-linux-2204-l1:center-for-internet-security-inc).');

    const config = configWith('shell', (c) => {
      const source = plannedPlatformSource();
      if (source.kind === 'platformImage') delete source.plan;
      c.source = source;
    });
    assert.deepEqual(lines(await runCheck(checkSource, config, fakeReader())).slice(1), [
      'failed [planInfo]: Platform image center-for-internet-security-inc:cis-ubuntu-linux-2204-l1:cis-ubuntu2204-l1 is sold with a purchase plan, but planInfo is empty. Set planInfo to cis-ubuntu2204-l1:cis-ubuntu-linux-2204-l1:center-for-internet-security-inc and accept the terms once with `az vm image terms accept --publisher center-for-internet-security-inc --offer cis-ubuntu-linux-2204-l1 --plan cis-ubuntu2204-l1`.',
    ]);
  });

  it('fails a planInfo that differs from the image plan and warns about one the image does not need', async () => {
    const wrong = configWith('shell', (c) => {
      const source = plannedPlatformSource();
      if (source.kind === 'platformImage') source.plan = { planName: 'other', planProduct: 'cis-ubuntu-linux-2204-l1', planPublisher: 'center-for-internet-security-inc' };
      c.source = source;
    });
    assert.equal(
      lines(await runCheck(checkSource, wrong, fakeReader()))[1],
      'failed [planInfo]: planInfo other:cis-ubuntu-linux-2204-l1:center-for-internet-security-inc does not match the purchase plan of platform image center-for-internet-security-inc:cis-ubuntu-linux-2204-l1:cis-ubuntu2204-l1 (cis-ubuntu2204-l1:cis-ubuntu-linux-2204-l1:center-for-internet-security-inc). Set planInfo to that plan.',
    );
    const needless = configWith('shell', (c) => (c.source = platformSource({ plan: { planName: 'a', planProduct: 'b', planPublisher: 'c' } })));
    assert.equal(lines(await runCheck(checkSource, needless, fakeReader()))[1], 'warning [planInfo]: planInfo a:b:c is set, but platform image Canonical:ubuntu-24_04-lts:server has no purchase plan. Remove planInfo.');
  });

  it('passes an existing managed image and fails a missing one', async () => {
    const config = configWith('shell', (c) => (c.source = managedImageSource()));
    assert.deepEqual(lines(await runCheck(checkSource, config, fakeReader())), [`passed: Managed image ${ids.sourceManagedImage} exists.`]);
    const missing = fakeReader((w) => (w.managedImages = []));
    assert.deepEqual(lines(await runCheck(checkSource, config, missing)), [
      `failed [managedImageId]: The source managed image ${ids.sourceManagedImage} does not exist, or the service connection may not read it. Correct managedImageId.`,
    ]);
  });

  it('passes an existing gallery version replicated to the build region and fails a missing one', async () => {
    const config = configWith('shell', (c) => (c.source = galleryVersionSource()));
    assert.deepEqual(lines(await runCheck(checkSource, config, fakeReader())), [`passed: Gallery image version ${ids.sourceGalleryVersion} exists.`]);
    const missing = fakeReader((w) => (w.galleryVersions = []));
    assert.deepEqual(lines(await runCheck(checkSource, config, missing)), [
      `failed [galleryImageVersionId]: The source gallery image version ${ids.sourceGalleryVersion} does not exist, or the service connection may not read it. Correct galleryImageVersionId.`,
    ]);
  });

  it('warns when the gallery version is not replicated to the build region', async () => {
    const config = configWith('shell', (c) => (c.source = galleryVersionSource()));
    const elsewhere = fakeReader((w) => (w.galleryVersions = [{ id: ids.sourceGalleryVersion, targetRegions: ['eastus', 'westus'] }]));
    assert.deepEqual(lines(await runCheck(checkSource, config, elsewhere)).slice(1), [
      `warning [galleryImageVersionId]: Gallery image version ${ids.sourceGalleryVersion} is not replicated to ${LOCATION}, where the build runs (it is in: eastus, westus). Replicate it there, or build in one of those regions.`,
    ]);
  });

  it('fails when the source OS is not the one the provisioner builds', async () => {
    const config = configWith('powershell', (c) => (c.source = managedImageSource()));
    assert.deepEqual(lines(await runCheck(checkSource, config, fakeReader())).slice(1), [
      `failed [provisioner]: The source image ${ids.sourceManagedImage} is Linux, but provisioner powershell builds Windows images. Choose a source of that OS, or the provisioner that matches the source.`,
    ]);
  });
});
