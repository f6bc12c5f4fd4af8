import * as assert from 'node:assert/strict';
import { checkGalleryRegion } from '../../shared/preflight/checks/galleryRegion';
import { configWith, galleryTarget, ids, LOCATION } from '../support/configFixtures';
import { fakeReader, lines, runCheck } from './preflightFixtures';

const GALLERY = ids.galleryDefinition.replace(/\/images\/[^/]+$/, '');

describe('preflight: the gallery region among the replication regions', () => {
  const galleryIn = (location: string) => fakeReader((w) => (w.galleryDefinitions.find((d) => d.id === ids.galleryDefinition)!.location = location));

  it('passes when the image version is replicated to the gallery region (names compared without spaces or case)', async () => {
    const config = configWith('shell', (c) => (c.distribute = [galleryTarget({ targetRegions: [{ name: 'North Europe' }, { name: LOCATION }] })]));
    assert.deepEqual(lines(await runCheck(checkGalleryRegion, config, galleryIn('northeurope'))), [
      `passed: The image version is replicated to the region of gallery ${GALLERY} (northeurope).`,
    ]);
  });

  it('fails naming the gallery region and the replication regions when it is missing', async () => {
    const config = configWith('shell', (c) => (c.distribute = [galleryTarget({ targetRegions: [{ name: LOCATION }, { name: 'eastus' }] })]));
    assert.deepEqual(lines(await runCheck(checkGalleryRegion, config, galleryIn('northeurope'))), [
      `failed [replicationRegions]: Gallery ${GALLERY} is in northeurope, but replicationRegions (${LOCATION}, eastus) does not include it; a gallery image version must be replicated to its gallery's region. Add northeurope to replicationRegions.`,
    ]);
  });

  it('says nothing without a gallery target or when the definition cannot be read', async () => {
    assert.deepEqual(await runCheck(checkGalleryRegion, configWith('shell', (c) => (c.distribute = [])), galleryIn('northeurope')), []);
    assert.deepEqual(await runCheck(checkGalleryRegion, configWith('shell', () => undefined), fakeReader((w) => (w.galleryDefinitions = []))), []);
  });
});
