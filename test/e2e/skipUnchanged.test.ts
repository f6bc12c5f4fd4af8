import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { node24Path } from '../../testkit/agent/nodeBinaries';
import type { AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { artifactBlobsOf, assertResult, node20Path, requestsForTemplate, templatesNamed, uniqueTemplateName, writes } from './checks';
import { startStage } from './stage';

const FINGERPRINT_TAG = 'imageBuilderFingerprint';

/**
 * skipUnchanged through the agent stand-in: a second run with the same inputs
 * builds nothing and publishes the first run's image; one changed artifact
 * byte, script line or a newer base image version each cause a build.
 */
describe('e2e skip unchanged builds', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;

  before(async () => {
    ({ azure, world } = await startStage());
  });
  after(async () => {
    await azure?.stop();
  });

  /** A gallery image definition of its own, so each scenario's "newest version" is its own. */
  function freshDefinition(name: string): string {
    const id = world.linuxGalleryImageId.replace(/\/images\/[^/]+$/, `/images/${name}`);
    azure.arm.seed({ galleryImages: [{ id, location: world.location, osType: 'Linux', hyperVGeneration: 'V2' }] });
    return id;
  }

  async function bake(definitionId: string, app: string, options: { nodePath?: string; inlineScript?: string; cleanup?: string } = {}) {
    const templateName = uniqueTemplateName('skip');
    const result = await runImageBuilderTask({
      azure,
      nodePath: options.nodePath ?? node20Path(),
      inputs: {
        ...linuxGalleryInputs(world, app),
        galleryImageId: definitionId,
        templateName,
        skipUnchanged: 'true',
        ...(options.inlineScript ? { inlineScript: options.inlineScript } : {}),
        ...(options.cleanup ? { cleanup: options.cleanup } : {}),
      },
    });
    return { result, templateName };
  }

  const out = (r: AgentRunResult, name: string) => r.outputs[`bake.${name}`];

  async function assertSkipped(second: { result: AgentRunResult; templateName: string }, first: AgentRunResult): Promise<void> {
    assertResult(second.result, 'Succeeded');
    assert.equal(out(second.result, 'buildSkipped'), 'true');
    assert.equal(out(second.result, 'buildFingerprint'), out(first, 'buildFingerprint'));
    for (const name of ['galleryImageVersionId', 'galleryImageVersion', 'imageUri', 'pirVersion']) {
      assert.equal(out(second.result, name), out(first, name), name);
    }
    assert.deepEqual(writes(requestsForTemplate(azure.arm.requests(), second.templateName)), [], 'no request wrote a template of the second run');
    assert.deepEqual(templatesNamed(azure, second.templateName), []);
    // The second run keeps whatever it uploads (cleanup never), so an upload would show.
    assert.deepEqual(await artifactBlobsOf(azure, second.templateName), []);
    assert.ok(second.result.log.some((l) => l.includes('No build needed') && l.includes(out(first, 'galleryImageVersionId')!)), second.result.log.join('\n'));
    assert.ok(second.result.summaries.some((f) => fs.readFileSync(f, 'utf8').includes('No build needed: the image is current')), 'summary says why');
  }

  function assertBuilt(run: { result: AgentRunResult }, previous: AgentRunResult, why: RegExp): void {
    assertResult(run.result, 'Succeeded');
    assert.equal(out(run.result, 'buildSkipped'), 'false');
    assert.notEqual(out(run.result, 'buildFingerprint'), out(previous, 'buildFingerprint'));
    assert.notEqual(out(run.result, 'galleryImageVersionId'), out(previous, 'galleryImageVersionId'));
    assert.ok(run.result.log.some((l) => why.test(l)), run.result.log.join('\n'));
  }

  function versionTags(versionId: string): Record<string, string> {
    const version = azure.arm.state().galleryImageVersions.find((v) => String(v['id']).toLowerCase() === versionId.toLowerCase());
    assert.ok(version, `${versionId} exists`);
    return (version['tags'] ?? {}) as Record<string, string>;
  }

  it('a second run with the same inputs creates no template, uploads nothing and publishes the first image; a changed byte builds', async () => {
    const definition = freshDefinition('skip-same');
    const app = makeAppFolder();
    const first = await bake(definition, app);
    assertResult(first.result, 'Succeeded');
    assert.equal(out(first.result, 'buildSkipped'), 'false');
    const fingerprint = out(first.result, 'buildFingerprint');
    assert.match(fingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.equal(versionTags(out(first.result, 'galleryImageVersionId')!)[FINGERPRINT_TAG], fingerprint, 'the version carries the fingerprint');

    await assertSkipped(await bake(definition, app, { cleanup: 'never' }), first.result);

    // Touching the files (new timestamps, same bytes) is no change.
    const now = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(app, 'index.html'), now, now);
    await assertSkipped(await bake(definition, app, { cleanup: 'never' }), first.result);

    fs.writeFileSync(path.join(app, 'index.html'), '<h1>hello from the image!</h1>\n');
    const changed = await bake(definition, app);
    assertBuilt(changed, first.result, /A build is needed: .* was built with fingerprint/);
    assert.equal(versionTags(out(changed.result, 'galleryImageVersionId')!)[FINGERPRINT_TAG], out(changed.result, 'buildFingerprint'));
  });

  it('one changed script line builds', async () => {
    const definition = freshDefinition('skip-script');
    const app = makeAppFolder();
    const first = await bake(definition, app, { inlineScript: 'sh bin/install.sh' });
    assertResult(first.result, 'Succeeded');
    const changed = await bake(definition, app, { inlineScript: 'sh bin/install.sh\necho patched' });
    assertBuilt(changed, first.result, /A build is needed/);
  });

  it('a newer base image version published in the stand-in builds, and pins it', async () => {
    const definition = freshDefinition('skip-base');
    const app = makeAppFolder();
    const first = await bake(definition, app);
    assertResult(first.result, 'Succeeded');
    assert.equal(out(first.result, 'pirVersion'), world.newestLinuxVersion);
    const newer = '24.04.202412120';
    azure.arm.seed({
      platformImages: [
        { location: world.location, publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: newer, osType: 'Linux', hyperVGeneration: 'V2' },
      ],
    });
    const rebuilt = await bake(definition, app);
    assertBuilt(rebuilt, first.result, /A build is needed/);
    assert.equal(out(rebuilt.result, 'pirVersion'), newer);
  });

  it('on Node 24 as well: the second run skips', async () => {
    const definition = freshDefinition('skip-node24');
    const app = makeAppFolder();
    const first = await bake(definition, app, { nodePath: node24Path });
    assertResult(first.result, 'Succeeded');
    await assertSkipped(await bake(definition, app, { nodePath: node24Path, cleanup: 'never' }), first.result);
  });
});
