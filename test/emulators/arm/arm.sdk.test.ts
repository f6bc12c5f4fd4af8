/**
 * The Azure SDKs the task uses work unmodified against the ARM emulator: only
 * the `endpoint` option and a stub credential differ from production.
 */
import * as assert from 'node:assert/strict';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ImageBuilderClient, type ImageTemplate } from '@azure/arm-imagebuilder';
import { StorageManagementClient } from '@azure/arm-storage';
import { GALLERY_IMAGE_ID, IDENTITY_ID, LOCATION, RG, SOURCE_IMAGE_ID, startHarness, stubCredential, SUB, type Harness } from '../../../testkit/emulators/arm/harness';
import { makeTarGz, readStagingBlob, uploadArtifact } from '../../../testkit/emulators/arm/fixtures';

const POLL = { updateIntervalInMs: 20 };

describe('ARM emulator with the Azure SDKs', function () {
  this.timeout(60_000);
  let h: Harness;
  let ib: ImageBuilderClient;
  let compute: ComputeManagementClient;
  let storage: StorageManagementClient;

  before(async () => {
    h = await startHarness();
    const opts = { endpoint: h.arm.url, retryOptions: { maxRetries: 0 } };
    ib = new ImageBuilderClient(stubCredential, SUB, opts);
    compute = new ComputeManagementClient(stubCredential, SUB, opts);
    storage = new StorageManagementClient(stubCredential, SUB, opts);
  });
  after(async () => {
    await h?.stop();
  });

  it('builds a template end to end with @azure/arm-imagebuilder and exposes the artifacts through @azure/arm-compute', async () => {
    const archive = await makeTarGz({ 'app/run.sh': 'echo hi\n', 'app/readme.txt': 'hello' });
    const artifact = await uploadArtifact(h.azurite, 'sdk/app.tar.gz', archive);
    const template: ImageTemplate = {
      location: LOCATION,
      identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
      source: { type: 'ManagedImage', imageId: SOURCE_IMAGE_ID },
      customize: [
        { type: 'File', name: 'app', sourceUri: artifact.sasUrl, destination: '/tmp/app.tar.gz', sha256Checksum: artifact.sha256 },
        { type: 'Shell', name: 'install', inline: ['set -e', 'tar -xzf /tmp/app.tar.gz -C /opt'] },
      ],
      distribute: [
        { type: 'ManagedImage', runOutputName: 'managed', imageId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/images/out-image`, location: LOCATION },
        { type: 'SharedImage', runOutputName: 'gallery', galleryImageId: GALLERY_IMAGE_ID, targetRegions: [{ name: LOCATION }, { name: 'eastus', replicaCount: 2 }] },
        { type: 'VHD', runOutputName: 'vhd' },
      ],
    } as ImageTemplate;

    const created = await ib.virtualMachineImageTemplates.createOrUpdate(RG, 'sdk-template', template, POLL);
    assert.equal(created.provisioningState, 'Succeeded');
    assert.equal(created.identity.userAssignedIdentities?.[IDENTITY_ID]?.principalId !== undefined, true);

    await ib.virtualMachineImageTemplates.run(RG, 'sdk-template', POLL);
    const got = await ib.virtualMachineImageTemplates.get(RG, 'sdk-template');
    assert.equal(got.lastRunStatus?.runState, 'Succeeded', got.lastRunStatus?.message);
    assert.ok(got.lastRunStatus?.endTime instanceof Date);
    assert.match(got.exactStagingResourceGroup ?? '', new RegExp(`/resourceGroups/IT_${RG}_sdk-template_[0-9a-f-]{36}$`));

    const outputs = [];
    for await (const o of ib.virtualMachineImageTemplates.listRunOutputs(RG, 'sdk-template')) outputs.push(o);
    assert.deepEqual(outputs.map((o) => o.name).sort(), ['gallery', 'managed', 'vhd']);
    const gallery = await ib.virtualMachineImageTemplates.getRunOutput(RG, 'sdk-template', 'gallery');
    const versionId = gallery.artifactId ?? '';
    assert.match(versionId, /\/galleries\/gallery1\/images\/app-linux\/versions\/0\.\d{5}\.\d+$/);
    const vhd = await ib.virtualMachineImageTemplates.getRunOutput(RG, 'sdk-template', 'vhd');
    assert.match(vhd.artifactUri ?? '', new RegExp(`/${h.azurite.stagingAccount.name}/vhds/`));

    const version = await compute.galleryImageVersions.get(RG, 'gallery1', 'app-linux', versionId.split('/').pop() as string, { expand: 'ReplicationStatus' });
    assert.deepEqual(version.replicationStatus?.summary?.map((s) => [s.region, s.state, s.progress]), [[LOCATION, 'Completed', 100], ['eastus', 'Completed', 100]]);
    assert.equal(version.replicationStatus?.aggregatedState, 'Completed');
    assert.equal(version.provisioningState, 'Succeeded');
    assert.deepEqual(version.publishingProfile?.targetRegions?.map((r) => [r.name, r.regionalReplicaCount]), [[LOCATION, 1], ['eastus', 2]]);
    const plain = await compute.galleryImageVersions.get(RG, 'gallery1', 'app-linux', versionId.split('/').pop() as string);
    assert.equal(plain.replicationStatus, undefined, 'replication status only with $expand');

    const image = await compute.images.get(RG, 'out-image');
    assert.equal(image.storageProfile?.osDisk?.osType, 'Linux');
    assert.equal(image.hyperVGeneration, 'V2');

    // The log is in the staging account, named by the run, ending as the service ends it.
    const state = h.arm.state().imageTemplates.find((t) => t.name === 'sdk-template');
    const runId = state?.runIds[0] as string;
    const log = await readStagingBlob(h.azurite, 'packerlogs', `${runId}/customization.log`);
    assert.match(log, /\(telemetry\) Starting provisioner file/);
    assert.match(log, /\(telemetry\) Starting provisioner shell/);
    assert.match(log, /PACKER OUT {5}azure-arm: tar -xzf \/tmp\/app\.tar\.gz -C \/opt/);
    assert.equal(log.trimEnd().split('\n').pop(), 'Done exporting Packer logs to Azure Storage.');
    assert.doesNotMatch(log, /sig=/, 'the File customizer URL is logged without its SAS');

    // The VM really fetched and checked the archive.
    const download = h.arm.state().downloads.find((d) => d.customizerName === 'app');
    assert.deepEqual(
      { auth: download?.auth, sha256: download?.sha256, entries: download?.entries },
      { auth: 'sas', sha256: artifact.sha256, entries: ['app/run.sh', 'app/readme.txt'] },
    );

    await ib.virtualMachineImageTemplates.delete(RG, 'sdk-template', POLL);
    await assert.rejects(ib.virtualMachineImageTemplates.get(RG, 'sdk-template'), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === 'ResourceNotFound');
    const after = h.arm.state();
    assert.equal(after.resourceGroups.some((g) => g.name.startsWith(`IT_${RG}_sdk-template_`)), false, 'staging group removed');
    assert.deepEqual(after.vhdBlobs, [], 'default VHD removed');
    await assert.rejects(readStagingBlob(h.azurite, 'packerlogs', `${runId}/customization.log`), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('lists platform image versions newest first with $top, and returns one version with its generation, features and plan', async () => {
    h.arm.seed({
      platformImages: [
        { location: LOCATION, publisher: 'contoso', offer: 'app', sku: 'plan-sku', version: '1.0.0', plan: { name: 'p', product: 'app', publisher: 'contoso' } },
      ],
    });
    const list = await compute.virtualMachineImages.list(LOCATION, 'Canonical', 'ubuntu-24_04-lts', 'server', { orderby: 'name desc', top: 1 });
    assert.deepEqual(list.map((v) => v.name), ['24.04.202409090']);
    const all = await compute.virtualMachineImages.list(LOCATION, 'Canonical', 'ubuntu-24_04-lts', 'server');
    assert.deepEqual(all.map((v) => v.name), ['24.04.202401010', '24.04.202405050', '24.04.202409090']);
    const one = await compute.virtualMachineImages.get(LOCATION, 'Canonical', 'ubuntu-24_04-lts', 'server', '24.04.202409090');
    assert.equal(one.hyperVGeneration, 'V2');
    assert.deepEqual(one.features, [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }]);
    const planned = await compute.virtualMachineImages.get(LOCATION, 'contoso', 'app', 'plan-sku', '1.0.0');
    assert.deepEqual(planned.plan, { name: 'p', product: 'app', publisher: 'contoso' });
    await assert.rejects(compute.virtualMachineImages.get(LOCATION, 'Canonical', 'ubuntu-24_04-lts', 'server', '1.2.3'), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('lists storage accounts with their Azurite blob endpoint and hands out the Azurite key', async () => {
    const accounts = [];
    for await (const a of storage.storageAccounts.list()) accounts.push(a);
    const user = accounts.find((a) => a.name === h.azurite.userAccount.name);
    assert.equal(user?.primaryEndpoints?.blob, `${h.azurite.url(h.azurite.userAccount.name)}/`);
    const keys = await storage.storageAccounts.listKeys(RG, h.azurite.userAccount.name);
    assert.equal(keys.keys?.[0]?.value, h.azurite.userAccount.key);
  });
});
