/**
 * The stand-in's PATCH of a gallery image version: it takes a body that
 * changes publishingProfile.excludeFromLatest and nothing else, so a test of
 * promote and demote proves exactly that.
 */
import * as assert from 'node:assert/strict';
import { armCall } from '../../../testkit/emulators/arm/armClient';
import { GALLERY_IMAGE_ID, LOCATION, startHarness, type Harness } from '../../../testkit/emulators/arm/harness';

const VERSION_ID = `${GALLERY_IMAGE_ID}/versions/1.0.0`;
type Json = Record<string, unknown>;

describe('ARM stand-in: PATCH of a gallery image version', function () {
  this.timeout(30_000);
  let h: Harness;
  const call = (method: string, body?: unknown) => armCall(h.arm.url, method, VERSION_ID, { apiVersion: '2024-03-03', ...(body ? { body } : {}) });
  const profile = async () => ((await call('GET')).body as { properties: { publishingProfile: Json } }).properties.publishingProfile;

  before(async () => {
    h = await startHarness();
    h.arm.seed({ galleryImageVersions: [{ id: VERSION_ID, location: LOCATION, excludeFromLatest: true, targetRegions: [{ name: LOCATION, regionalReplicaCount: 2 }] }] });
  });
  after(async () => {
    await h?.stop();
  });

  it('refuses a body that changes anything besides excludeFromLatest, and changes nothing then', async () => {
    const current = await profile();
    const changedRegions = await call('PATCH', { properties: { publishingProfile: { ...current, excludeFromLatest: false, targetRegions: [{ name: 'eastus' }] } } });
    assert.equal(changedRegions.status, 400);
    assert.match(JSON.stringify(changedRegions.body), /publishingProfile\.targetRegions/);
    const withTags = await call('PATCH', { tags: { a: 'b' }, properties: { publishingProfile: { excludeFromLatest: false } } });
    assert.equal(withTags.status, 400);
    assert.match(JSON.stringify(withTags.body), /tags/);
    assert.deepEqual(await profile(), current);
  });

  it('applies excludeFromLatest alone, or with the other fields repeated as they are (in any key order)', async () => {
    const alone = await call('PATCH', { properties: { publishingProfile: { excludeFromLatest: false } } });
    assert.equal(alone.status, 200);
    assert.equal((await profile())['excludeFromLatest'], false);
    const current = await profile();
    const reordered = Object.fromEntries(Object.entries({ ...current, excludeFromLatest: true }).reverse());
    const repeated = await call('PATCH', { properties: { publishingProfile: reordered } });
    assert.equal(repeated.status, 200);
    assert.equal((await profile())['excludeFromLatest'], true);
  });
});
