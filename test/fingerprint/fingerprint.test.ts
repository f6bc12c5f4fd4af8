import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { contentDigest } from '../../shared/staging/contentDigest';
import { buildFingerprint, FINGERPRINT_TAG, fingerprintBody, withFingerprintTag } from '../../shared/template/fingerprint';
import { buildImageTemplate } from '../../shared/template';
import { ConsoleHost } from '../support/consoleHost';
import { performDryRun } from '../../shared/run/dryRun';
import { loc } from '../config/configFixtures';
import { artifactsFor, baseConfig, galleryTarget, galleryVersionSource, managedImageTarget, vhdTarget } from '../support/configFixtures';

function config(change: (c: ImageBuilderConfig) => void = () => undefined): ImageBuilderConfig {
  const c = baseConfig();
  c.artifacts = artifactsFor('shell');
  c.customize.inlineScript = ['echo hello'];
  change(c);
  return c;
}

const INPUTS = { artifactContentSha256: 'c'.repeat(64), platformVersion: '2024.01.15' };
const fp = (c: ImageBuilderConfig, inputs: Parameters<typeof buildFingerprint>[1] = INPUTS) => buildFingerprint(c, inputs);

describe('build fingerprint (pure)', () => {
  it('is a SHA-256 in hex and the same for the same inputs', () => {
    assert.match(fp(config()), /^[0-9a-f]{64}$/);
    assert.equal(fp(config()), fp(config()));
  });

  it('leaves out what changes per run without changing the image: template name and tags, run output names, image tags', () => {
    const base = fp(config());
    assert.equal(fp(config((c) => (c.target.templateName = 'ib-web-43-1-abcd'))), base);
    assert.equal(fp(config((c) => (c.templateTags = { build: '43' }))), base);
    assert.equal(fp(config((c) => (c.distribute = [galleryTarget({ runOutputName: 'other', artifactTags: { build: '43' } })]))), base);
  });

  it('changes with the pinned source version, a script line, the artifact content and a replication region', () => {
    const base = fp(config());
    assert.notEqual(fp(config(), { ...INPUTS, platformVersion: '2024.02.01' }), base);
    assert.notEqual(fp(config((c) => c.customize.inlineScript.push('echo again'))), base);
    assert.notEqual(fp(config(), { ...INPUTS, artifactContentSha256: 'd'.repeat(64) }), base);
    assert.notEqual(fp(config((c) => (c.distribute = [galleryTarget({ targetRegions: [{ name: 'westeurope' }, { name: 'eastus' }] })]))), base);
    assert.notEqual(fp(config((c) => (c.validate.inlineScript = ['test -f /etc/app']))), base);
    assert.notEqual(fp(config((c) => (c.buildVm.vmSize = 'Standard_D4s_v5'))), base);
  });

  it('hashes the source with latest pinned, whether or not the template pins it', () => {
    const pinned = fingerprintBody(config(), INPUTS);
    assert.equal(pinned.properties.source.type === 'PlatformImage' && pinned.properties.source.version, '2024.01.15');
    const unpinned = config((c) => {
      if (c.source.kind === 'platformImage') c.source.pinLatestVersion = false;
    });
    assert.equal(fp(unpinned), fp(config()));
  });

  it('pins a gallery source asked for as latest to the version id it resolved to', () => {
    const latest = `${galleryVersionSourceId()}/versions/latest`;
    const c = config((x) => (x.source = galleryVersionSource(latest)));
    const body = fingerprintBody(c, { artifactContentSha256: 'c'.repeat(64), galleryVersionId: `${galleryVersionSourceId()}/versions/1.0.4` });
    assert.deepEqual(body.properties.source, { type: 'SharedImageVersion', imageVersionId: `${galleryVersionSourceId()}/versions/1.0.4` });
    assert.notEqual(
      fp(c, { artifactContentSha256: 'c'.repeat(64), galleryVersionId: `${galleryVersionSourceId()}/versions/1.0.4` }),
      fp(c, { artifactContentSha256: 'c'.repeat(64), galleryVersionId: `${galleryVersionSourceId()}/versions/1.0.5` }),
    );
  });

  it('never carries the artifact URL or the template tags', () => {
    const body = fingerprintBody(config((c) => (c.templateTags = { build: '43' })), INPUTS);
    const json = JSON.stringify(body);
    assert.ok(!json.includes('blob.core.windows.net'), json);
    assert.equal(body.tags, undefined);
    assert.ok(json.includes('c'.repeat(64)), 'the artifact content digest is what the delivery step checks');
  });

  it('tags the gallery version and the managed image, not the VHD', () => {
    const c = config((x) => (x.distribute = [galleryTarget({ artifactTags: { team: 'web' } }), managedImageTarget(), vhdTarget()]));
    const body = withFingerprintTag(buildImageTemplate(c), 'f'.repeat(64));
    const [gallery, managed, vhd] = body.properties.distribute;
    assert.deepEqual(gallery?.artifactTags, { team: 'web', [FINGERPRINT_TAG]: 'f'.repeat(64) });
    assert.deepEqual(managed?.artifactTags, { [FINGERPRINT_TAG]: 'f'.repeat(64) });
    assert.equal(vhd?.artifactTags, undefined);
  });
});

function galleryVersionSourceId(): string {
  return '/subscriptions/00000000-0000-0000-0000-00000000aaaa/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gallery1/images/base';
}

describe('artifact content digest', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'digest-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function tree(name: string): string {
    const dir = path.join(root, name);
    fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'scripts', 'install.sh'), '#!/bin/sh\necho install\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'app.conf'), 'port=80\n', { mode: 0o644 });
    fs.symlinkSync('app.conf', path.join(dir, 'current.conf'));
    return dir;
  }

  it('is the same for the same files made at another time, and counts files and bytes', async () => {
    const a = tree('a');
    const b = tree('b');
    fs.utimesSync(path.join(b, 'app.conf'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const da = await contentDigest(a);
    assert.deepEqual(await contentDigest(b), da);
    assert.equal(da.files, 2);
    assert.equal(da.bytes, 'port=80\n'.length + '#!/bin/sh\necho install\n'.length);
  });

  it('changes with one byte, a mode, a link target or a name', async () => {
    const base = (await contentDigest(tree('base'))).sha256;
    const byte = tree('byte');
    fs.writeFileSync(path.join(byte, 'app.conf'), 'port=81\n');
    const mode = tree('mode');
    fs.chmodSync(path.join(mode, 'app.conf'), 0o600);
    const link = tree('link');
    fs.unlinkSync(path.join(link, 'current.conf'));
    fs.symlinkSync('scripts/install.sh', path.join(link, 'current.conf'));
    const name = tree('name');
    fs.renameSync(path.join(name, 'app.conf'), path.join(name, 'app2.conf'));
    const digests = await Promise.all([byte, mode, link, name].map(async (d) => (await contentDigest(d)).sha256));
    for (const d of digests) assert.notEqual(d, base);
    assert.equal(new Set(digests).size, 4);
  });
});

describe('dry run and the fingerprint', () => {
  it('prints the fingerprint and what a real run would do, and sets both outputs, without Azure', async () => {
    const lines: string[] = [];
    const host = new ConsoleHost(loc, (l) => lines.push(l));
    const c = baseConfig();
    c.dryRun = true;
    await performDryRun(host, c);
    assert.match(host.outputs.buildFingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.equal(host.outputs.buildFingerprint, buildFingerprint(c, {}));
    assert.equal(host.outputs.buildSkipped, 'false');
    assert.ok(lines.some((l) => l.includes('would build unless the newest image carries this fingerprint')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('The source asks for latest')), 'the base image is latest here, so the dry run says its fingerprint differs');
  });
});
