import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { ConsoleHost } from '../support/consoleHost';
import { runBuild } from '../../shared/run/runBuild';
import { decideSkip } from '../../shared/run/skipDecision';
import type { PublishedGalleryVersion, PublishedImages } from '../../shared/ports/publishedImages';
import { FINGERPRINT_TAG } from '../../shared/template/fingerprint';
import { loc } from '../config/configFixtures';
import { artifactsFor, baseConfig, galleryTarget, ids, managedImageTarget, vhdTarget } from '../support/configFixtures';
import { FakeClock } from '../support/fakeClock';
import { connection, fakeServices, type FakeScript } from '../run/fakes';

const FP = 'f'.repeat(64);
const version = (name: string, tag: string | undefined, state = 'Succeeded'): PublishedGalleryVersion => ({
  id: `${ids.galleryDefinition}/versions/${name}`,
  name,
  provisioningState: state,
  excludeFromLatest: false,
  tags: tagsOf(tag),
});
const tagsOf = (tag: string | undefined): Record<string, string> => (tag ? { [FINGERPRINT_TAG]: tag } : {});
const images = (versions: PublishedGalleryVersion[], managed?: { tag?: string; state?: string }): PublishedImages => ({
  galleryVersions: async () => versions,
  managedImage: async (id) =>
    managed ? { id, provisioningState: managed.state ?? 'Succeeded', tags: tagsOf(managed.tag) } : undefined,
});

describe('skip decision', () => {
  it('skips when the newest version (by version order, not text) carries the fingerprint and succeeded', async () => {
    const decision = await decideSkip([galleryTarget()], FP, images([version('1.0.9', 'old'), version('1.0.10', FP)]));
    assert.deepEqual(decision, { kind: 'skip', images: [{ kind: 'galleryImageVersion', runOutputName: 'app-gallery', id: `${ids.galleryDefinition}/versions/1.0.10` }] });
  });

  it('builds when the newest version has another fingerprint, none, or did not succeed, and says which', async () => {
    const other = await decideSkip([galleryTarget()], FP, images([version('1.0.1', FP), version('1.0.2', 'e'.repeat(64))]));
    assert.equal(other.kind === 'build' && other.key, 'SkipUnchangedDifferent');
    const none = await decideSkip([galleryTarget()], FP, images([version('1.0.2', undefined)]));
    assert.equal(none.kind === 'build' && none.key, 'SkipUnchangedNoFingerprint');
    const failed = await decideSkip([galleryTarget()], FP, images([version('1.0.2', FP, 'Failed')]));
    assert.deepEqual(failed, { kind: 'build', key: 'SkipUnchangedNotSucceeded', args: [`${ids.galleryDefinition}/versions/1.0.2`, 'Failed'] });
    const empty = await decideSkip([galleryTarget()], FP, images([]));
    assert.equal(empty.kind === 'build' && empty.key, 'SkipUnchangedNoVersion');
  });

  it('needs the managed image to carry the fingerprint too', async () => {
    const both = [galleryTarget(), managedImageTarget()];
    assert.equal((await decideSkip(both, FP, images([version('1.0.0', FP)], { tag: FP }))).kind, 'skip');
    const stale = await decideSkip(both, FP, images([version('1.0.0', FP)], { tag: 'old' }));
    assert.equal(stale.kind === 'build' && stale.key, 'SkipUnchangedDifferent');
    const missing = await decideSkip(both, FP, images([version('1.0.0', FP)]));
    assert.equal(missing.kind === 'build' && missing.key, 'SkipUnchangedNoManagedImage');
  });

  it('always builds with a VHD distribution, without asking Azure', async () => {
    let asked = false;
    const spy: PublishedImages = { galleryVersions: async () => ((asked = true), []), managedImage: async () => ((asked = true), undefined) };
    const decision = await decideSkip([galleryTarget(), vhdTarget()], FP, spy);
    assert.deepEqual(decision, { kind: 'build', key: 'SkipUnchangedVhd', args: ['app-vhd'] });
    assert.equal(asked, false);
  });
});

describe('build run with skipUnchanged (fake Azure)', () => {
  function config(change: (c: ImageBuilderConfig) => void = () => undefined): ImageBuilderConfig {
    const c = baseConfig();
    c.preflight = false;
    c.sweepLeftovers = false;
    c.skipUnchanged = true;
    c.artifacts = artifactsFor('shell');
    change(c);
    return c;
  }

  async function run(c: ImageBuilderConfig, script: FakeScript) {
    const { services, calls } = fakeServices(script);
    const lines: string[] = [];
    const host = new ConsoleHost(loc, (l) => lines.push(l));
    const outcome = await runBuild({ host, config: c, connection, cancellation: new AbortController().signal, services, clock: new FakeClock() });
    return { outcome, calls, lines, host };
  }

  /** The fingerprint a first run computed, read from its output. */
  async function firstFingerprint(c: ImageBuilderConfig): Promise<string> {
    const { host } = await run({ ...c, skipUnchanged: false }, { createFails: new Error('stop after the fingerprint') });
    const value = host.outputs.buildFingerprint;
    assert.match(value ?? '', /^[0-9a-f]{64}$/);
    return value!;
  }

  it('an unchanged run uploads nothing, creates nothing and names the existing image in its outputs and summary', async () => {
    const c = config();
    const fp = await firstFingerprint(c);
    const { outcome, calls, host, lines } = await run(c, { galleryVersions: [version('1.0.0', 'old'), version('1.0.1', fp)] });
    assert.equal(outcome.result, 'Succeeded');
    assert.ok(!calls.includes('stage') && !calls.includes('create') && !calls.includes('startRun'), calls.join(','));
    const id = `${ids.galleryDefinition}/versions/1.0.1`;
    assert.equal(host.outputs.buildSkipped, 'true');
    assert.equal(host.outputs.buildFingerprint, fp);
    assert.equal(host.outputs.galleryImageVersionId, id);
    assert.equal(host.outputs.galleryImageVersion, '1.0.1');
    assert.equal(host.outputs.imageUri, id);
    assert.equal(host.outputs.pirVersion, '1.2.3');
    assert.ok(lines.some((l) => l.includes('No build needed') && l.includes(id)), lines.join('\n'));
    const summary = host.summaries.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.match(summary, /No build needed: the image is current/);
    assert.ok(summary.includes(fp), summary);
  });

  it('a changed artifact builds with a new fingerprint and says why', async () => {
    const c = config();
    const fp = await firstFingerprint(c);
    const { calls, host, lines } = await run(c, { galleryVersions: [version('1.0.1', fp)], artifactsDigest: 'd'.repeat(64), createFails: new Error('stop') });
    assert.ok(calls.includes('stage') && calls.includes('create'), calls.join(','));
    assert.equal(host.outputs.buildSkipped, 'false');
    assert.notEqual(host.outputs.buildFingerprint, fp);
    assert.ok(lines.some((l) => l.includes('A build is needed') && l.includes(fp)), lines.join('\n'));
  });

  it('without skipUnchanged the images are never looked at, and the outputs still say what happened', async () => {
    const { calls, host } = await run(config((c) => (c.skipUnchanged = false)), { createFails: new Error('stop') });
    assert.ok(!calls.includes('galleryVersions') && !calls.includes('managedImage'), calls.join(','));
    assert.equal(host.outputs.buildSkipped, 'false');
  });
});
