/**
 * The ARM reader and the runner against the ARM emulator over HTTPS, through
 * the same client factory the task uses: one world in which every check
 * passes, one in which each fails, and proof from the emulator's request log
 * that preflight only ever reads.
 */
import * as assert from 'node:assert/strict';
import type { TokenCredential } from '@azure/core-auth';
import { ImageBuilderClient, type ImageTemplate } from '@azure/arm-imagebuilder';
import { createAzureClients } from '../../shared/azure/clients';
import type { ServiceConnection } from '../../shared/ports/serviceConnection';
import { ArmPreflightReader } from '../../shared/azure/armReader';
import { runPreflight } from '../../shared/preflight/runPreflight';
import type { CheckId, PreflightOutcome } from '../../shared/preflight/types';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { startArmEmulator, type ArmEmulator, type World } from '../../testkit/emulators/arm';
import { getTestTls } from '../../testkit/emulators/tls';
import { artifactsFor, configWith, fullBuildVm, galleryTarget, ids, LOCATION, SUBSCRIPTION } from '../support/configFixtures';
import { lines, RESOURCE_GROUP_SCOPE, STORAGE_ACCOUNT_ID } from './preflightFixtures';

const credential: TokenCredential = { getToken: async () => ({ token: 'preflight-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

const UBUNTU = { location: LOCATION, publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server' };
const LEFTOVER_SOURCE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-aib/providers/Microsoft.Compute/images/leftover-source`;

async function startEmulator(): Promise<ArmEmulator> {
  const tls = getTestTls();
  return startArmEmulator({
    tls: { cert: tls.cert, key: tls.key },
    // Preflight never touches blob data; the account listing only needs an endpoint to show.
    storage: { blobEndpoint: (name) => `https://127.0.0.1:1/${name}`, accountKey: () => 'unused', stagingAccountName: 'staging' },
    buildTiming: { provisioningMs: 10, deleteMs: 10 },
  });
}

function readerFor(arm: ArmEmulator): ArmPreflightReader {
  const connection: ServiceConnection = {
    id: 'preflight-connection',
    subscriptionId: SUBSCRIPTION,
    resourceManagerUrl: `${arm.url}/`,
    authorityHost: 'https://login.microsoftonline.com/',
    environment: 'AzureCloud',
    auth: { scheme: 'ServicePrincipalSecret', tenantId: 't', clientId: 'c', clientSecret: 's' },
  };
  return new ArmPreflightReader(createAzureClients(connection, credential, { retry: { maxRetries: 1, retryDelayInMs: 10 } }), connection);
}

/** Everything the config below uses, in order. */
function passingWorld(): Partial<World> {
  return {
    resourceGroups: [{ subscriptionId: SUBSCRIPTION, name: 'rg-aib', location: LOCATION }],
    identities: [ids.templateIdentity, ids.buildVmIdentity, ids.secondBuildVmIdentity].map((id) => ({ id, location: LOCATION })),
    storageAccounts: [{ id: STORAGE_ACCOUNT_ID, location: LOCATION }],
    platformImages: [
      { ...UBUNTU, version: '24.04.202409090', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }] },
      { ...UBUNTU, version: '24.04.202410100', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }] },
    ],
    galleryImages: [{ id: ids.galleryDefinition, location: LOCATION, osType: 'Linux', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'TrustedLaunch' }] }],
  };
}

const config: ImageBuilderConfig = configWith('shell', (c) => {
  fullBuildVm(c);
  c.artifacts = artifactsFor('shell', 'sas');
  c.distribute = [galleryTarget({ version: '1.0.0' })];
});

function byCheck(outcome: PreflightOutcome, id: CheckId): string[] {
  return lines(outcome.results.filter((r) => r.id === id));
}

function assertOnlyReads(arm: ArmEmulator): void {
  const requests = arm.requests();
  assert.ok(requests.length > 10, `only ${requests.length} requests`);
  assert.deepEqual(
    requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    [],
  );
}

describe('preflight against the ARM emulator', function () {
  this.timeout(60_000);

  describe('a world in which everything is in order', () => {
    let arm: ArmEmulator;
    let outcome: PreflightOutcome;
    before(async () => {
      arm = await startEmulator();
      arm.seed(passingWorld());
      arm.clearRequests();
      outcome = await runPreflight({ config, subscriptionId: SUBSCRIPTION, reader: readerFor(arm) });
    });
    after(async () => arm?.stop());

    it('passes every check that the emulator can answer', () => {
      const notPassed = outcome.results.filter((r) => r.status !== 'passed');
      assert.deepEqual(lines(notPassed), []);
      assert.deepEqual(byCheck(outcome, 'source'), ['passed: Platform image Canonical:ubuntu-24_04-lts:server exists in westeurope; latest is 24.04.202410100, which this run pins.']);
      assert.deepEqual(byCheck(outcome, 'galleryCompatibility'), [`passed: Gallery image definition ${ids.galleryDefinition} fits the source (Linux, V2, TrustedLaunch); version 1.0.0 is new.`]);
      assert.equal(byCheck(outcome, 'resourceProviders').length, 5);
      assert.equal(byCheck(outcome, 'identities').length, 3);
      assert.deepEqual(byCheck(outcome, 'permissions'), [
        'passed: The service connection may create, run and delete image templates in resource group rg-aib.',
        `passed: The service connection may assign identity ${ids.templateIdentity} to the template.`,
        'passed: The service connection may upload to storage account artifactstore and sign the artifact link with a user delegation key.',
      ]);
    });

    it('checks the regions against the subscription\'s locations', () => {
      // A reader error here would be a warning ("Not checked"); the unit tests of runPreflight cover that path.
      const regions = byCheck(outcome, 'regions');
      assert.equal(regions.length, 1);
      assert.match(regions[0] ?? '', /^passed: /);
      // The gallery's own region among the replication targets.
      assert.deepEqual(byCheck(outcome, 'galleryRegion').map((l) => l.replace(/:.*/, '')), ['passed']);
    });

    it('reads quota, VM sizes, the identity\'s role assignments and the storage account through the stand-in', () => {
      assert.deepEqual(
        [...byCheck(outcome, 'quota'), ...byCheck(outcome, 'identityRights'), ...byCheck(outcome, 'storageAccess')].map((l) => l.replace(/:.*/, '')),
        ['passed', 'passed', 'passed'],
        JSON.stringify(outcome.results),
      );
      assert.match(byCheck(outcome, 'quota')[0] ?? '', /Standard_D4s_v5 \(4 vCPUs\)/);
    });

    it('only reads', () => assertOnlyReads(arm));
  });

  describe('a world in which each check fails', () => {
    let arm: ArmEmulator;
    let outcome: PreflightOutcome;
    let templatesBefore: number;
    before(async () => {
      arm = await startEmulator();
      const world = passingWorld();
      arm.seed({
        ...world,
        identities: [{ id: ids.templateIdentity, location: LOCATION }],
        // Sold with a plan that the config does not name; generation 1 while the definition is generation 2.
        platformImages: [{ ...UBUNTU, version: '24.04.202410100', hyperVGeneration: 'V1', plan: { name: 'pro', product: 'ubuntu-pro', publisher: 'canonical' } }],
        galleryImageVersions: [{ id: `${ids.galleryDefinition}/versions/1.0.0`, location: LOCATION }],
        managedImages: [{ id: LEFTOVER_SOURCE, location: LOCATION, osType: 'Linux', hyperVGeneration: 'V2' }],
        providers: [
          { namespace: 'Microsoft.VirtualMachineImages', registrationState: 'NotRegistered' },
          { namespace: 'Microsoft.Network', registrationState: 'NotRegistered' },
        ],
        permissions: [
          { scope: RESOURCE_GROUP_SCOPE, actions: ['*'], notActions: ['Microsoft.VirtualMachineImages/imageTemplates/delete'] },
          { scope: ids.templateIdentity, actions: ['*/read'] },
          { scope: STORAGE_ACCOUNT_ID, actions: ['*/read'], dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'] },
        ],
      });
      // A template left by an earlier attempt (made before the request log is cleared).
      const ib = new ImageBuilderClient(credential, SUBSCRIPTION, { endpoint: arm.url, retryOptions: { maxRetries: 0 } });
      const leftover = {
        location: LOCATION,
        identity: { type: 'UserAssigned', userAssignedIdentities: { [ids.templateIdentity]: {} } },
        source: { type: 'ManagedImage', imageId: LEFTOVER_SOURCE },
        distribute: [{ type: 'ManagedImage', runOutputName: 'm', imageId: ids.targetManagedImage, location: LOCATION }],
      } as unknown as ImageTemplate;
      await ib.virtualMachineImageTemplates.createOrUpdate('rg-aib', config.target.templateName, leftover, { updateIntervalInMs: 10 });
      templatesBefore = arm.state().imageTemplates.length;
      arm.clearRequests();
      outcome = await runPreflight({ config, subscriptionId: SUBSCRIPTION, reader: readerFor(arm) });
    });
    after(async () => arm?.stop());

    it('fails the verdict', () => {
      assert.equal(outcome.verdict, 'failed');
    });

    it('reports the unregistered providers with the command that registers them', () => {
      const failed = byCheck(outcome, 'resourceProviders').filter((l) => l.startsWith('failed'));
      assert.deepEqual(failed, [
        `failed [azureSubscription]: Resource provider Microsoft.VirtualMachineImages is not registered in subscription ${SUBSCRIPTION} (state: NotRegistered). Register it once with \`az provider register --namespace Microsoft.VirtualMachineImages --subscription ${SUBSCRIPTION}\` and run again when it reports Registered.`,
        `failed [vnetSubnetId]: Resource provider Microsoft.Network is not registered in subscription ${SUBSCRIPTION} (state: NotRegistered). Register it once with \`az provider register --namespace Microsoft.Network --subscription ${SUBSCRIPTION}\` and run again when it reports Registered.`,
      ]);
    });

    it('reports the build VM identities that do not exist', () => {
      const missing = (id: string) =>
        `failed [buildVmIdentities]: The user-assigned identity ${id} does not exist, or the service connection may not read it. Create it or correct buildVmIdentities.`;
      assert.deepEqual(byCheck(outcome, 'identities'), [`passed: Identity ${ids.templateIdentity} exists.`, missing(ids.buildVmIdentity), missing(ids.secondBuildVmIdentity)]);
    });

    it('reports the purchase plan the source needs', () => {
      assert.deepEqual(byCheck(outcome, 'source'), [
        'passed: Platform image Canonical:ubuntu-24_04-lts:server exists in westeurope; latest is 24.04.202410100, which this run pins.',
        'failed [planInfo]: Platform image Canonical:ubuntu-24_04-lts:server is sold with a purchase plan, but planInfo is empty. Set planInfo to pro:ubuntu-pro:canonical and accept the terms once with `az vm image terms accept --publisher canonical --offer ubuntu-pro --plan pro`.',
      ]);
    });

    it('reports the generation and security type mismatches and the existing gallery version', () => {
      assert.deepEqual(byCheck(outcome, 'galleryCompatibility'), [
        `failed [galleryImageId]: Gallery image definition ${ids.galleryDefinition} is Hyper-V generation V2, but the source image is V1. An image keeps its generation: publish to a definition of the source generation, or choose a source of the definition generation.`,
        // The source declares no SecurityType: Azure reads it as Standard, which a TrustedLaunch definition does not take.
        `failed [galleryImageId]: Gallery image definition ${ids.galleryDefinition} has security type TrustedLaunch, which a source of security type Standard cannot give. Publish to a definition whose security type the source supports, or choose a source that supports TrustedLaunch.`,
        `failed [galleryImageVersion]: Gallery image version 1.0.0 already exists in ${ids.galleryDefinition}. Choose a new galleryImageVersion, or leave it empty so the service picks the next one.`,
      ]);
    });

    it('reports the leftover template with its state', () => {
      assert.deepEqual(byCheck(outcome, 'templateName'), [
        'warning [templateName]: An image template named proj-42-1 is left in resource group rg-aib (provisioning state Succeeded, last run none); the build deletes it and creates it again.',
      ]);
    });

    it('reports each missing permission of the service connection', () => {
      assert.deepEqual(
        byCheck(outcome, 'permissions').map((l) => l.slice(0, l.indexOf(':'))),
        ['failed [azureSubscription]', 'failed [managedIdentity]', 'failed [storageAccountName]'],
      );
      assert.match(byCheck(outcome, 'permissions')[0] ?? '', /it lacks Microsoft\.VirtualMachineImages\/imageTemplates\/delete\./);
    });

    it('only reads, and leaves the world as it was', () => {
      assertOnlyReads(arm);
      assert.equal(arm.state().imageTemplates.length, templatesBefore);
    });
  });
});
