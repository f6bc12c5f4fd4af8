/**
 * What pickers and preflight read from the emulated subscription: locations,
 * galleries, image definitions and versions (with seeded provisioning and
 * replication states), the generic resource list with its $filter, and image
 * templates seeded as leftovers of an earlier run.
 */
import * as assert from 'node:assert/strict';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { ResourceManagementClient } from '@azure/arm-resources';
import { armCall, waitForOperation } from '../../../testkit/emulators/arm/armClient';
import { GALLERY_IMAGE_ID, IDENTITY_ID, LOCATION, RG, SOURCE_IMAGE_ID, removeAllTemplates, startHarness, stubCredential, SUB, waitFor, type Harness } from '../../../testkit/emulators/arm/harness';

type Json = Record<string, unknown>;

const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;
const GALLERY2 = `${RG_ID}/providers/Microsoft.Compute/galleries/gallery2`;
const T = (name: string) => `${RG_ID}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`;
const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;
const valueOf = (body: unknown) => (body as { value: Json[] }).value;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('ARM emulator catalog: locations, gallery lists, resource list and seeded templates', function () {
  this.timeout(60_000);
  let h: Harness;
  let compute: ComputeManagementClient;
  const call = (method: string, p: string, opts: Parameters<typeof armCall>[3] = {}) => armCall(h.arm.url, method, p, opts);

  before(async () => {
    h = await startHarness();
    compute = new ComputeManagementClient(stubCredential, SUB, { endpoint: h.arm.url, retryOptions: { maxRetries: 0 } });
    h.arm.seed({
      galleries: [{ id: GALLERY2, location: LOCATION }],
      galleryImages: [
        { id: `${GALLERY2}/images/img-a`, location: LOCATION, osType: 'Linux' },
        { id: `${GALLERY2}/images/img-b`, location: LOCATION, osType: 'Windows' },
      ],
      galleryImageVersions: [
        {
          id: `${GALLERY2}/images/img-a/versions/1.0.0`,
          location: LOCATION,
          provisioningState: 'Updating',
          targetRegions: [
            { name: LOCATION, replicationState: 'Completed' },
            { name: 'eastus', replicationState: 'InProgress' },
            { name: 'westeurope', replicationState: 'Unknown' },
          ],
        },
        {
          id: `${GALLERY2}/images/img-a/versions/1.0.1`,
          location: LOCATION,
          provisioningState: 'Failed',
          targetRegions: [
            { name: LOCATION, replicationState: 'InProgress' },
            { name: 'eastus', replicationState: 'Failed' },
          ],
        },
        { id: `${GALLERY2}/images/img-b/versions/2.0.0`, location: LOCATION },
      ],
    });
  });
  after(async () => {
    await h?.stop();
  });

  describe('gallery image version states', () => {
    const version = (image: string, v: string, expand: boolean) =>
      call('GET', `${GALLERY2}/images/${image}/versions/${v}${expand ? '?$expand=ReplicationStatus' : ''}`, { apiVersion: '2024-03-03' });

    it('reports the seeded provisioning state and per-region replication, InProgress while any region copies', async () => {
      const r = await version('img-a', '1.0.0', true);
      assert.equal(r.status, 200);
      const props = (r.body as { properties: Json }).properties;
      assert.equal(props.provisioningState, 'Updating');
      assert.deepEqual(props.replicationStatus, {
        aggregatedState: 'InProgress',
        summary: [
          { region: LOCATION, state: 'Completed', details: '', progress: 100 },
          { region: 'eastus', state: 'InProgress', details: '', progress: 50 },
          { region: 'westeurope', state: 'Unknown', details: '', progress: 0 },
        ],
      });
      // The per-region state is status, not part of the publishing profile a client sends.
      const regions = (props.publishingProfile as { targetRegions: Json[] }).targetRegions;
      assert.deepEqual(regions.map((x) => Object.keys(x).sort()), [0, 1, 2].map(() => ['name', 'regionalReplicaCount', 'storageAccountType']));
    });

    it('aggregates to Failed when any region failed, naming the region in its details', async () => {
      const props = ((await version('img-a', '1.0.1', true)).body as { properties: Json }).properties;
      assert.equal(props.provisioningState, 'Failed');
      const status = props.replicationStatus as { aggregatedState: string; summary: Json[] };
      assert.equal(status.aggregatedState, 'Failed');
      assert.deepEqual(status.summary.map((s) => [s.region, s.state]), [[LOCATION, 'InProgress'], ['eastus', 'Failed']]);
      assert.match(String(status.summary[1]?.details), /eastus/);
    });

    it('defaults to Succeeded and Completed, and omits replication status without $expand', async () => {
      const props = ((await version('img-b', '2.0.0', true)).body as { properties: Json }).properties;
      assert.equal(props.provisioningState, 'Succeeded');
      assert.deepEqual(props.replicationStatus, { aggregatedState: 'Completed', summary: [{ region: LOCATION, state: 'Completed', details: '', progress: 100 }] });
      const plain = ((await version('img-a', '1.0.0', false)).body as { properties: Json }).properties;
      assert.equal(plain.replicationStatus, undefined);
      assert.equal(plain.provisioningState, 'Updating');
    });

    it('is read the same way by @azure/arm-compute', async () => {
      const v = await compute.galleryImageVersions.get(RG, 'gallery2', 'img-a', '1.0.1', { expand: 'ReplicationStatus' });
      assert.equal(v.provisioningState, 'Failed');
      assert.equal(v.replicationStatus?.aggregatedState, 'Failed');
      assert.deepEqual(v.replicationStatus?.summary?.map((s) => [s.region, s.state, s.progress]), [[LOCATION, 'InProgress', 50], ['eastus', 'Failed', 0]]);
    });
  });

  describe('locations', () => {
    it('lists real Azure regions by default, with display names and a Physical region type', async () => {
      const r = await call('GET', `/subscriptions/${SUB}/locations`, { apiVersion: '2022-12-01' });
      assert.equal(r.status, 200);
      const value = valueOf(r.body);
      assert.ok(value.length >= 20, `${value.length} regions`);
      const names = value.map((l) => l.name);
      for (const n of ['westus', 'westus2', 'westus3', 'eastus', 'eastus2', 'centralus', 'northeurope', 'westeurope', 'uksouth', 'swedencentral', 'southeastasia', 'australiaeast', 'japaneast']) {
        assert.ok(names.includes(n), `default list holds ${n}`);
      }
      assert.equal(new Set(names).size, names.length, 'no region twice');
      const westus = value.find((l) => l.name === 'westus') as Json;
      assert.equal(westus.id, `/subscriptions/${SUB}/locations/westus`);
      assert.equal(westus.displayName, 'West US');
      assert.equal(westus.regionalDisplayName, '(US) West US');
      assert.equal((westus.metadata as Json).regionType, 'Physical');
      assert.equal(((value.find((l) => l.name === 'northeurope') as Json).displayName), 'North Europe');
      for (const l of value) assert.equal((l.metadata as Json).regionType, 'Physical', String(l.name));
    });

    it('lists exactly the seeded regions when the world names them', async () => {
      const before = valueOf((await call('GET', `/subscriptions/${SUB}/locations`)).body).map((l) => String(l.name));
      try {
        h.arm.seed({ locations: ['westus', 'contosocentral'] });
        const value = valueOf((await call('GET', `/subscriptions/${SUB}/locations`, { apiVersion: '2016-06-01' })).body);
        assert.deepEqual(value.map((l) => l.name), ['westus', 'contosocentral']);
        const custom = value[1] as Json;
        assert.equal(custom.displayName, 'contosocentral');
        assert.equal((custom.metadata as Json).regionType, 'Physical');
      } finally {
        h.arm.seed({ locations: before });
      }
      assert.equal(valueOf((await call('GET', `/subscriptions/${SUB}/locations`)).body).length, before.length);
    });
  });

  describe('gallery lists', () => {
    it('lists the galleries of a resource group and of the subscription', async () => {
      const r = await call('GET', `${RG_ID}/providers/Microsoft.Compute/galleries`, { apiVersion: '2024-03-03' });
      assert.equal(r.status, 200);
      assert.deepEqual(valueOf(r.body).map((g) => g.name).sort(), ['gallery1', 'gallery2']);
      assert.deepEqual(valueOf(r.body).map((g) => g.type), ['Microsoft.Compute/galleries', 'Microsoft.Compute/galleries']);
      const sub = await call('GET', `/subscriptions/${SUB}/providers/Microsoft.Compute/galleries`);
      assert.deepEqual(valueOf(sub.body).map((g) => g.name).sort(), ['gallery1', 'gallery2']);
      const sdk = await collect(compute.galleries.listByResourceGroup(RG));
      assert.deepEqual(sdk.map((g) => g.name).sort(), ['gallery1', 'gallery2']);
      assert.equal((await call('GET', `/subscriptions/${SUB}/resourceGroups/nope/providers/Microsoft.Compute/galleries`)).status, 404);
    });

    it('lists the image definitions of one gallery only, 404 for an unknown gallery', async () => {
      const r = await call('GET', `${GALLERY2}/images`);
      assert.deepEqual(valueOf(r.body).map((i) => [i.name, (i.properties as Json).osType]), [['img-a', 'Linux'], ['img-b', 'Windows']]);
      const one = await collect(compute.galleryImages.listByGallery(RG, 'gallery1'));
      assert.deepEqual(one.map((i) => i.name), ['app-linux']);
      const missing = await call('GET', `${RG_ID}/providers/Microsoft.Compute/galleries/nope/images`);
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing.body).code, 'ResourceNotFound');
    });

    it('lists the versions of one definition, with replication status only on $expand', async () => {
      const r = await call('GET', `${GALLERY2}/images/img-a/versions?$expand=ReplicationStatus`);
      const value = valueOf(r.body);
      assert.deepEqual(value.map((v) => v.name), ['1.0.0', '1.0.1']);
      assert.deepEqual(value.map((v) => ((v.properties as Json).replicationStatus as Json).aggregatedState), ['InProgress', 'Failed']);
      const sdk = await collect(compute.galleryImageVersions.listByGalleryImage(RG, 'gallery2', 'img-a'));
      assert.deepEqual(sdk.map((v) => [v.name, v.provisioningState, v.replicationStatus]), [['1.0.0', 'Updating', undefined], ['1.0.1', 'Failed', undefined]]);
    });
  });

  describe('generic resource list', () => {
    const list = (filter: string | undefined, scope = `/subscriptions/${SUB}`) =>
      call('GET', `${scope}/resources${filter === undefined ? '' : `?$filter=${encodeURIComponent(filter)}`}`, { apiVersion: '2021-04-01' });

    it('filters by resourceType, naming child resources by their joined names', async () => {
      const images = valueOf((await list("resourceType eq 'Microsoft.Compute/galleries/images'")).body);
      assert.deepEqual(images.map((r) => r.name).sort(), ['gallery1/app-linux', 'gallery2/img-a', 'gallery2/img-b']);
      assert.ok(images.every((r) => r.type === 'Microsoft.Compute/galleries/images' && r.location === LOCATION));
      assert.ok(images.some((r) => r.id === GALLERY_IMAGE_ID));
      const identities = valueOf((await list("resourcetype EQ 'microsoft.managedidentity/userassignedidentities'")).body);
      assert.deepEqual(identities.map((r) => [r.id, r.name]), [[IDENTITY_ID, 'ib-identity']]);
    });

    it('combines terms with and / or, scopes to a resource group, and includes image templates', async () => {
      h.arm.seed({ identities: [{ id: `/subscriptions/${SUB}/resourceGroups/other/providers/Microsoft.ManagedIdentity/userAssignedIdentities/elsewhere`, location: 'eastus' }] });
      h.arm.seed({ imageTemplates: [{ id: T('listed'), resource: { location: LOCATION, properties: { source: { type: 'ManagedImage', imageId: SOURCE_IMAGE_ID }, distribute: [] } } }] });
      try {
        const either = valueOf((await list("resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities' or resourceType eq 'Microsoft.VirtualMachineImages/imageTemplates'")).body);
        assert.deepEqual(either.map((r) => r.name).sort(), ['elsewhere', 'ib-identity', 'listed']);
        const narrowed = valueOf((await list("resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities' and location eq 'eastus'")).body);
        assert.deepEqual(narrowed.map((r) => r.name), ['elsewhere']);
        const inGroup = valueOf((await list("resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities'", RG_ID)).body);
        assert.deepEqual(inGroup.map((r) => r.name), ['ib-identity']);
        const byName = valueOf((await list("name eq 'gallery2/img-a'")).body);
        assert.deepEqual(byName.map((r) => r.id), [`${GALLERY2}/images/img-a`]);
        const all = valueOf((await list(undefined)).body);
        assert.ok(all.some((r) => r.type === 'Microsoft.Storage/storageAccounts'));
        assert.ok(!all.some((r) => r.type === 'Microsoft.Resources/resourceGroups'), 'resource groups are not resources');
      } finally {
        await call('DELETE', T('listed'));
        await h.arm.waitForState((s) => !s.imageTemplates.some((t) => t.name === 'listed'));
      }
    });

    it('refuses a filter it cannot apply instead of ignoring it', async () => {
      const r = await list("substringof('img', name)");
      assert.equal(r.status, 400);
      assert.equal(errorOf(r.body).code, 'InvalidFilterInQueryString');
    });

    it('is read by @azure/arm-resources', async () => {
      const resources = new ResourceManagementClient(stubCredential, SUB, { endpoint: h.arm.url, retryOptions: { maxRetries: 0 } });
      const got = await collect(resources.resources.list({ filter: "resourceType eq 'Microsoft.Compute/galleries/images'" }));
      assert.deepEqual(got.map((r) => r.name).sort(), ['gallery1/app-linux', 'gallery2/img-a', 'gallery2/img-b']);
      const inGroup = await collect(resources.resources.listByResourceGroup(RG, { filter: "resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities'" }));
      assert.deepEqual(inGroup.map((r) => r.id), [IDENTITY_ID]);
    });
  });

  describe('seeded image templates', () => {
    const STAGING = `/subscriptions/${SUB}/resourceGroups/IT_${RG}_leftover_0b5c6f0e-1111-4222-8333-444455556666`;
    const leftover = (runState: string, extra: Json = {}): Json => ({
      location: LOCATION,
      tags: { owner: 'pipeline' },
      identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
      properties: {
        source: { type: 'ManagedImage', imageId: SOURCE_IMAGE_ID },
        customize: [{ type: 'Shell', name: 's', inline: ['true'] }],
        distribute: [{ type: 'ManagedImage', runOutputName: 'out', imageId: `${RG_ID}/providers/Microsoft.Compute/images/from-leftover`, location: LOCATION }],
        provisioningState: 'Succeeded',
        lastRunStatus: { startTime: '2024-01-01T00:00:00Z', runState, message: '', ...extra },
        exactStagingResourceGroup: STAGING,
      },
    });

    afterEach(async () => {
      await removeAllTemplates(h.arm);
    });

    it('serves a seeded Running leftover as the service would: GET shows it, PUT conflicts, delete waits for cancel', async () => {
      h.arm.seed({ imageTemplates: [{ id: T('leftover'), resource: leftover('Running', { runSubState: 'Customizing' }) }] });
      const ib = new ImageBuilderClient(stubCredential, SUB, { endpoint: h.arm.url, retryOptions: { maxRetries: 0 } });
      const got = await ib.virtualMachineImageTemplates.get(RG, 'leftover');
      assert.equal(got.provisioningState, 'Succeeded');
      assert.equal(got.lastRunStatus?.runState, 'Running');
      assert.equal(got.lastRunStatus?.runSubState, 'Customizing');
      assert.equal(got.exactStagingResourceGroup, STAGING);
      assert.deepEqual(got.tags, { owner: 'pipeline' });
      assert.match(got.identity.userAssignedIdentities?.[IDENTITY_ID]?.principalId ?? '', /^[0-9a-f-]{36}$/);
      const listed = await collect(ib.virtualMachineImageTemplates.listByResourceGroup(RG));
      assert.deepEqual(listed.map((t) => t.name), ['leftover']);
      const staging = h.arm.state().resourceGroups.find((g) => g.id === STAGING);
      assert.equal(staging?.tags.createdBy, 'AzureVMImageBuilder', 'the leftover staging group exists, tagged by the service');

      const put = await call('PUT', T('leftover'), { body: leftover('Running') });
      assert.equal(put.status, 409);
      assert.equal(errorOf(put.body).code, 'Conflict');
      const del = await call('DELETE', T('leftover'));
      assert.equal(del.status, 409);
      assert.match(errorOf(del.body).message, /run state: Running/);

      // Recorded: cancel answers 204 with nothing to poll; the run reads Canceling until it ends.
      const cancel = await call('POST', `${T('leftover')}/cancel`);
      assert.equal(cancel.status, 204);
      assert.equal(cancel.headers.get('azure-asyncoperation'), null);
      assert.equal((await ib.virtualMachineImageTemplates.get(RG, 'leftover')).lastRunStatus?.runState, 'Canceling');
      await waitFor('Canceled', async () => (await ib.virtualMachineImageTemplates.get(RG, 'leftover')).lastRunStatus?.runState === 'Canceled');
      const after = await ib.virtualMachineImageTemplates.get(RG, 'leftover');
      assert.equal(after.lastRunStatus?.runState, 'Canceled');
      assert.equal(after.lastRunStatus?.runSubState, undefined);
      await ib.virtualMachineImageTemplates.delete(RG, 'leftover', { updateIntervalInMs: 20 });
      assert.equal(h.arm.state().resourceGroups.some((g) => g.id === STAGING), false, 'deleting the leftover removes its staging group');
    });

    it('serves a seeded Failed leftover and runs it again on request', async () => {
      const message = 'Failed while waiting for packerizer: exit status 1';
      h.arm.seed({
        imageTemplates: [{ id: T('failed'), resource: leftover('Failed', { endTime: '2024-01-01T01:00:00Z', message }), runOutputs: [] }],
      });
      const before = (await call('GET', T('failed'))).body as { properties: Json };
      assert.deepEqual(before.properties.lastRunStatus, { startTime: '2024-01-01T00:00:00Z', endTime: '2024-01-01T01:00:00Z', runState: 'Failed', message });
      const state = h.arm.state().imageTemplates.find((t) => t.name === 'failed');
      assert.equal(state?.provisioningState, 'Succeeded');
      assert.equal((state?.submitted.properties as Json).lastRunStatus, undefined, 'state is not part of what was submitted');

      const run = await call('POST', `${T('failed')}/run`);
      assert.equal(run.status, 202);
      assert.equal((await waitForOperation(h.arm.url, run.headers.get('azure-asyncoperation') as string)).status, 'Succeeded');
      const after = (await call('GET', T('failed'))).body as { properties: Json };
      assert.equal((after.properties.lastRunStatus as Json).runState, 'Succeeded');
      assert.equal((after.properties as Json).exactStagingResourceGroup, STAGING, 'the run reuses the staging group');
    });

    it('seeds a template that failed to provision, with its error', async () => {
      const resource = leftover('Failed');
      const props = resource.properties as Json;
      delete props.lastRunStatus;
      props.provisioningState = 'Failed';
      props.provisioningError = { provisioningErrorCode: 'BadSourceType', message: 'The source is not supported.' };
      h.arm.seed({ imageTemplates: [{ id: T('badprov'), resource }] });
      const got = (await call('GET', T('badprov'))).body as { properties: Json };
      assert.equal(got.properties.provisioningState, 'Failed');
      assert.deepEqual(got.properties.provisioningError, { provisioningErrorCode: 'BadSourceType', message: 'The source is not supported.' });
      assert.equal((await call('POST', `${T('badprov')}/run`)).status, 409, 'a template that failed to provision cannot run');
    });

    it('refuses a seed that is not an image template or has an impossible state', async () => {
      assert.throws(() => h.arm.seed({ imageTemplates: [{ id: `${RG_ID}/providers/Microsoft.Compute/images/x`, resource: {} }] }), /not a Microsoft\.VirtualMachineImages\/imageTemplates resource id/);
      assert.throws(() => h.arm.seed({ imageTemplates: [{ id: T('odd'), resource: leftover('Exploded') }] }), /runState must be one of/);
      const admin = await fetch(`${h.arm.url}/_emulator/seed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ imageTemplates: [{ id: T('odd'), resource: leftover('Exploded') }] }),
      });
      assert.equal(admin.status, 400);
      assert.equal(((await admin.json()) as { error: Json }).error.code, 'InvalidSeed');
      assert.equal(h.arm.state().imageTemplates.length, 0);
    });
  });
});
