/**
 * A world in which every check passes for the configs of
 * test/support/configFixtures.ts, plus helpers to run one check and read its
 * lines as the user would.
 */
import { createLocalizer, taskMessages } from '../support/localizer';
import { resultText } from '../../shared/preflight/report';
import type { CheckResult, PreflightCheckFn } from '../../shared/preflight/types';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { ids, LOCATION, SUBSCRIPTION } from '../support/configFixtures';
import { FakeReader, platformKey, type FakeWorld } from './fakeReader';

export const loc = createLocalizer(taskMessages);

export const SOURCE_GALLERY_DEFINITION = ids.sourceGalleryVersion.replace(/\/versions\/[^/]+$/, '');
export const STORAGE_ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/artifactstore`;
export const RESOURCE_GROUP_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-aib`;

export const TEMPLATE_PRINCIPAL = '11111111-2222-3333-4444-555555555555';

const roleId = (guid: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
/** Built-in roles as Azure defines them (the parts the checks read). */
export const ROLES = {
  contributor: {
    id: roleId('b24988ac-6180-42a0-ab88-20f7382dd24c'),
    roleName: 'Contributor',
    permissions: [{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write'], dataActions: [], notDataActions: [] }],
  },
  reader: { id: roleId('acdd72a7-3385-48ef-bd42-f606fba81ae7'), roleName: 'Reader', permissions: [{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }] },
  blobReader: {
    id: roleId('2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'),
    roleName: 'Storage Blob Data Reader',
    permissions: [
      {
        actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/read', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
        notActions: [],
        dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
        notDataActions: [],
      },
    ],
  },
};

export const UBUNTU = { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server' };
export const UBUNTU_NEWEST = '24.04.202410100';

export function passingWorld(): FakeWorld {
  return {
    providers: {
      'Microsoft.VirtualMachineImages': 'Registered',
      'Microsoft.Compute': 'Registered',
      'Microsoft.Storage': 'Registered',
      'Microsoft.Network': 'Registered',
      'Microsoft.ContainerInstance': 'Registered',
    },
    identities: [ids.templateIdentity, ids.buildVmIdentity, ids.secondBuildVmIdentity],
    platformImages: {
      [platformKey(LOCATION, UBUNTU.publisher, UBUNTU.offer, UBUNTU.sku)]: [
        // Numerically the oldest, but the longest string when compared as text.
        { version: '24.04.99999999', osType: 'Linux', hyperVGeneration: 'V2' },
        { version: UBUNTU_NEWEST, osType: 'Linux', hyperVGeneration: 'V2', securityType: 'TrustedLaunchSupported' },
        { version: '24.04.202409090', osType: 'Linux', hyperVGeneration: 'V2', securityType: 'TrustedLaunchSupported' },
      ],
      [platformKey(LOCATION, 'MicrosoftWindowsServer', 'WindowsServer', '2022-datacenter-azure-edition')]: [
        { version: '20348.2700.240901', osType: 'Windows', hyperVGeneration: 'V2', securityType: 'TrustedLaunchAndConfidentialVmSupported' },
      ],
      [platformKey(LOCATION, 'center-for-internet-security-inc', 'cis-ubuntu-linux-2204-l1', 'cis-ubuntu2204-l1')]: [
        {
          version: '2.1.0',
          osType: 'Linux',
          hyperVGeneration: 'V1',
          plan: { name: 'cis-ubuntu2204-l1', product: 'cis-ubuntu-linux-2204-l1', publisher: 'center-for-internet-security-inc' },
        },
      ],
    },
    managedImages: [{ id: ids.sourceManagedImage, location: LOCATION, osType: 'Linux', hyperVGeneration: 'V2' }],
    galleryDefinitions: [
      { id: ids.galleryDefinition, osType: 'Linux', hyperVGeneration: 'V2', securityType: 'TrustedLaunch' },
      { id: SOURCE_GALLERY_DEFINITION, osType: 'Linux', hyperVGeneration: 'V2', securityType: 'TrustedLaunch' },
    ],
    galleryVersions: [{ id: ids.sourceGalleryVersion, targetRegions: [LOCATION, 'northeurope'] }],
    templates: {},
    permissions: {},
    locations: [LOCATION, 'northeurope', 'eastus', 'westus'],
    storageAccounts: { artifactstore: STORAGE_ACCOUNT_ID },
    storageAccountDetails: {},
    principalIds: { [ids.templateIdentity.toLowerCase()]: TEMPLATE_PRINCIPAL },
    usages: {
      [LOCATION]: [
        { name: 'cores', localizedName: 'Total Regional vCPUs', currentValue: 10, limit: 100 },
        { name: 'standardDSv5Family', currentValue: 0, limit: 50 },
        { name: 'standardDDSv4Family', currentValue: 0, limit: 50 },
        { name: 'standardDv2Family', currentValue: 0, limit: 50 },
        { name: 'standardAv2Family', currentValue: 0, limit: 50 },
      ],
    },
    vmSizes: {
      [LOCATION]: [
        { name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCpus: 4, locationRestrictions: [] },
        { name: 'Standard_D2ds_v4', family: 'standardDDSv4Family', vCpus: 2, locationRestrictions: [] },
        { name: 'Standard_D1_v2', family: 'standardDv2Family', vCpus: 1, locationRestrictions: [] },
        { name: 'Standard_A1_v2', family: 'standardAv2Family', vCpus: 1, locationRestrictions: [] },
      ],
    },
    roleAssignments: {
      [TEMPLATE_PRINCIPAL]: [
        { scope: `/subscriptions/${SUBSCRIPTION}`, roleDefinitionId: ROLES.contributor.id },
        { scope: `/subscriptions/${SUBSCRIPTION}`, roleDefinitionId: ROLES.blobReader.id },
      ],
    },
    roleDefinitions: Object.values(ROLES),
    roleAssignmentsForbidden: [],
  };
}

export function fakeReader(change?: (world: FakeWorld) => void): FakeReader {
  const world = passingWorld();
  change?.(world);
  return new FakeReader(world);
}

export async function runCheck(check: PreflightCheckFn, config: ImageBuilderConfig, reader: FakeReader): Promise<CheckResult[]> {
  return check({ config, subscriptionId: SUBSCRIPTION, reader, signal: new AbortController().signal });
}

/** `status input: text` per line: what the user sees, in one comparable string. */
export function lines(results: readonly CheckResult[]): string[] {
  return results.map((r) => `${r.status}${r.input ? ` [${r.input}]` : ''}: ${resultText(r, loc)}`);
}
