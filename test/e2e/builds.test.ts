import * as assert from 'node:assert/strict';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { makeAppFolder, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { mapLimited } from '../support/limited';
import { startStage } from './stage';
import {
  artifactBlobsOf,
  assertCleanup,
  assertNoSecrets,
  assertResult,
  customizersOf,
  node20Path,
  recordSubmittedTemplates,
  uniqueTemplateName,
} from './checks';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;
const MiB = 1024 * 1024;

/**
 * Every source, every distributor alone and together, Linux and Windows, and
 * artifacts on both sides of the File customizer's 20 MB limit with SAS and
 * identity access. The builds are independent, so they run side by side
 * against one set of stand-ins; each test then judges its own run.
 */
describe('e2e builds: sources, distributors, Linux and Windows, artifacts', function () {
  this.timeout(240_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  const runs = new Map<string, { templateName: string; result: Run; submitted?: Record<string, unknown> }>();
  const managedTarget = (name: string) => `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/images/${name}`;

  before(async () => {
    let small: string;
    ({ azure, world, app: small } = await startStage());
    const large = makeAppFolder(21 * MiB);
    const linux = { resourceGroup: world.resourceGroup, location: world.location, managedIdentity: world.identityId, pollIntervalSeconds: '2' };
    const scenarios: Record<string, Record<string, string>> = {
      pinnedPlatform: {
        ...linux,
        baseImage: world.linuxPlatformImage,
        pinLatestVersion: 'true',
        packagePath: small,
        storageAccountName: world.storageAccountName,
        inlineScript: 'sh bin/install.sh',
        distributeType: 'managedImage',
        imageIdForDistribute: managedTarget('pinned-out'),
        cleanup: 'never',
      },
      managedImageSource: {
        ...linux,
        sourceType: 'managedImage',
        managedImageId: world.managedImageId,
        inlineScript: 'echo from a managed image',
        distributeType: 'sharedImageGallery',
        galleryImageId: world.linuxGalleryImageId,
        replicationRegions: 'westus\neastus',
      },
      galleryVersionSource: {
        ...linux,
        sourceType: 'galleryImageVersion',
        galleryImageVersionId: world.sourceGalleryVersionId,
        inlineScript: 'echo from a gallery version',
        distributeType: 'vhd',
      },
      allDistributors: {
        ...linux,
        baseImage: world.linuxPlatformImage,
        packagePath: small,
        storageAccountName: world.storageAccountName,
        artifactAccess: 'identity',
        inlineScript: 'sh bin/install.sh',
        distributeType: 'managedImage,sharedImageGallery,vhd',
        imageIdForDistribute: managedTarget('all-out'),
        galleryImageId: world.linuxGalleryImageId,
      },
      windows: {
        ...linux,
        baseImage: world.windowsPlatformImage,
        provisioner: 'powershell',
        packagePath: small,
        storageAccountName: world.storageAccountName,
        inlineScript: "Write-Host 'installing webapp'",
        runElevated: 'true',
        windowsRestart: 'true',
        windowsUpdateProvisioner: 'true',
        galleryImageId: world.windowsGalleryImageId,
      },
      largeSas: {
        ...linux,
        baseImage: world.linuxPlatformImage,
        packagePath: large,
        storageAccountName: world.storageAccountName,
        artifactAccess: 'sas',
        inlineScript: 'sh bin/install.sh',
        galleryImageId: world.linuxGalleryImageId,
      },
      largeIdentity: {
        ...linux,
        baseImage: world.linuxPlatformImage,
        packagePath: large,
        storageAccountName: world.storageAccountName,
        artifactAccess: 'identity',
        buildVmIdentities: world.identityId,
        inlineScript: 'sh bin/install.sh',
        galleryImageId: world.linuxGalleryImageId,
      },
    };
    const recorder = recordSubmittedTemplates(azure);
    try {
      await Promise.all(
        mapLimited(Object.entries(scenarios), async ([key, inputs]) => {
          const templateName = uniqueTemplateName(key.toLowerCase());
          const result = await runImageBuilderTask({ azure, nodePath: node20Path(), stepName: 'bake', inputs: { ...inputs, templateName }, timeoutMs: 200_000 });
          runs.set(key, { templateName, result, submitted: recorder.get(templateName) });
        }),
      );
    } finally {
      recorder.stop();
    }
  });
  after(async () => {
    await azure?.stop();
  });

  const run = (key: string) => {
    const r = runs.get(key);
    assert.ok(r, `scenario ${key} ran`);
    return r;
  };
  const downloadsOf = (templateName: string) => azure.arm.state().downloads.filter((d) => d.templateId.toLowerCase().endsWith(`/${templateName.toLowerCase()}`));

  it('platform image, latest pinned: the PUT names the newest seeded version, pirVersion is set; cleanup never keeps all', async () => {
    const { templateName, result, submitted } = run('pinnedPlatform');
    assertResult(result, 'Succeeded');
    const source = (submitted?.['properties'] as { source?: Record<string, unknown> } | undefined)?.source;
    assert.equal(source?.['type'], 'PlatformImage');
    assert.equal(source?.['version'], world.newestLinuxVersion, 'the PUT carried the pinned version, not latest');
    assert.equal(result.outputs['bake.pirVersion'], world.newestLinuxVersion);
    assert.ok(
      azure.arm.requests().some((r) => r.method === 'GET' && /\/vmimage\/offers\/ubuntu-24_04-lts\/skus\/server\/versions$/i.test(r.path)),
      'versions were listed',
    );
    assert.equal(result.outputs['bake.managedImageId']?.toLowerCase(), managedTarget('pinned-out').toLowerCase());
    assert.ok(azure.arm.state().managedImages.some((i) => String(i['id']).toLowerCase() === managedTarget('pinned-out').toLowerCase()), 'the managed image exists');
    await assertCleanup(azure, templateName, { template: 'kept', blob: 'kept' });
    assertNoSecrets(result, azure);
  });

  it('managed image source into the gallery: version exists, replicated to each target region', async () => {
    const { templateName, result, submitted } = run('managedImageSource');
    assertResult(result, 'Succeeded');
    const source = (submitted?.['properties'] as { source?: Record<string, unknown> } | undefined)?.source;
    assert.deepEqual(source, { type: 'ManagedImage', imageId: world.managedImageId });
    const versionId = result.outputs['bake.galleryImageVersionId'] ?? '';
    assert.match(versionId, new RegExp(`^${world.linuxGalleryImageId}/versions/${result.outputs['bake.galleryImageVersion']}$`, 'i'));
    const version = azure.arm.state().galleryImageVersions.find((v) => String(v['id']).toLowerCase() === versionId.toLowerCase());
    assert.ok(version, 'the gallery image version exists');
    const regions = JSON.stringify(version).toLowerCase();
    for (const region of ['westus', 'eastus']) assert.ok(regions.includes(`"${region}"`), `replicated to ${region}: ${regions}`);
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'none' });
    assertNoSecrets(result, azure);
  });

  it('gallery image version source to a VHD: vhdUri output, the VHD exists, the template is kept for it', async () => {
    const { templateName, result, submitted } = run('galleryVersionSource');
    assertResult(result, 'Succeeded');
    const source = (submitted?.['properties'] as { source?: Record<string, unknown> } | undefined)?.source;
    assert.equal(source?.['type'], 'SharedImageVersion');
    assert.equal(String(source?.['imageVersionId']).toLowerCase(), world.sourceGalleryVersionId.toLowerCase());
    const vhd = result.outputs['bake.vhdUri'] ?? '';
    assert.match(vhd, /^https:\/\/.+\.vhd$/);
    assert.ok(azure.arm.state().vhdBlobs.includes(vhd), `VHD ${vhd} exists`);
    // The default VHD location is the staging account, which goes with the template.
    await assertCleanup(azure, templateName, { template: 'kept', blob: 'none' });
    assertNoSecrets(result, azure);
  });

  it('all three distributors at once: every output set and every image exists', async () => {
    const { templateName, result } = run('allDistributors');
    assertResult(result, 'Succeeded');
    assert.equal(result.outputs['bake.managedImageId']?.toLowerCase(), managedTarget('all-out').toLowerCase());
    assert.ok(azure.arm.state().managedImages.some((i) => String(i['id']).toLowerCase() === managedTarget('all-out').toLowerCase()));
    const versionId = result.outputs['bake.galleryImageVersionId'] ?? '';
    assert.ok(azure.arm.state().galleryImageVersions.some((v) => String(v['id']).toLowerCase() === versionId.toLowerCase()), `version ${versionId} exists`);
    assert.ok(azure.arm.state().vhdBlobs.includes(result.outputs['bake.vhdUri'] ?? ''), 'VHD exists');
    // Small archive with identity access: the service fetched it with the template identity, no SAS.
    const downloads = downloadsOf(templateName);
    assert.equal(downloads.length, 1, JSON.stringify(downloads));
    assert.equal(downloads[0]!.auth, 'bearer');
    assert.equal(downloads[0]!.sha256, downloads[0]!.expectedSha256, 'checksum verified');
    await assertCleanup(azure, templateName, { template: 'kept', blob: 'gone' });
    assertNoSecrets(result, azure);
  });

  it('Windows: powershell elevated, restart and Windows Update; zip artifacts delivered and checked', async () => {
    const { templateName, result, submitted } = run('windows');
    assertResult(result, 'Succeeded');
    const customize = customizersOf(submitted);
    const types = customize.map((c) => c['type']);
    assert.ok(types.includes('WindowsRestart'), `WindowsRestart in ${types.join(',')}`);
    assert.ok(types.includes('WindowsUpdate'), `WindowsUpdate in ${types.join(',')}`);
    const inline = customize.find((c) => c['name'] === 'RunInlineScript');
    assert.equal(inline?.['type'], 'PowerShell');
    assert.equal(inline?.['runElevated'], true);
    const downloads = downloadsOf(templateName);
    assert.equal(downloads.length, 1);
    assert.match(downloads[0]!.url, /\.zip$/);
    assert.ok(downloads[0]!.entries?.some((e) => /index\.html$/.test(e)), `archive entries: ${downloads[0]!.entries}`);
    assert.equal(downloads[0]!.sha256, downloads[0]!.expectedSha256, 'checksum verified');
    assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', /app-windows\/versions\//);
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
    assertNoSecrets(result, azure);
  });

  for (const [key, auth] of [['largeSas', 'sas'], ['largeIdentity', 'bearer']] as const) {
    it(`artifact over 20 MB with ${auth === 'sas' ? 'a SAS' : 'the build VM identity'}: fetched by script, all bytes, checksum verified`, async () => {
      const { templateName, result, submitted } = run(key);
      assertResult(result, 'Succeeded');
      const download = customizersOf(submitted).find((c) => c['name'] === 'DownloadBuildArtifacts');
      if (auth === 'bearer') {
        // The script asks the VM's metadata service for a token of the build VM identity, then downloads with it.
        assert.ok((download?.['inline'] as string[]).some((l) => l.includes('169.254.169.254') && l.includes('msi_res_id=')), 'token from IMDS for the build VM identity');
      }
      assert.equal(download?.['type'], 'Shell', 'over 20 MB the VM fetches the archive itself');
      const downloads = downloadsOf(templateName);
      assert.equal(downloads.length, 1, JSON.stringify(downloads));
      const d = downloads[0]!;
      assert.equal(d.auth, auth);
      assert.equal(d.status, 200);
      assert.ok(d.bytes > 20 * MiB, `downloaded ${d.bytes} bytes`);
      assert.equal(d.sha256, d.expectedSha256, 'checksum verified');
      assert.ok(d.entries?.some((e) => /payload\.bin$/.test(e)));
      await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
      assertNoSecrets(result, azure);
    });
  }

  it('artifact under 20 MB with a SAS: File customizer, checksum verified by the service', async () => {
    const { templateName, result, submitted } = run('pinnedPlatform');
    const download = customizersOf(submitted).find((c) => c['name'] === 'DownloadBuildArtifacts');
    assert.equal(download?.['type'], 'File');
    const d = downloadsOf(templateName);
    assert.equal(d.length, 1);
    assert.equal(d[0]!.auth, 'sas');
    assert.equal(d[0]!.sha256, d[0]!.expectedSha256);
    const blobs = await artifactBlobsOf(azure, templateName);
    assert.equal(blobs.length, 1);
    assert.equal(blobs[0]!.size, d[0]!.bytes, 'the VM got the whole blob');
    assert.equal(result.result, 'Succeeded');
  });
});
