/**
 * What Azure lists the same way in every subscription: common virtual machine
 * sizes (name, quota family, vCPUs, as the resource SKU list reports them) and
 * the built-in roles the task's scenarios need (ids and permissions as Azure
 * defines them, trimmed to what matters here).
 */
import type { RoleDefinitionSeed, VmSkuSeed } from './types';

export const VM_SKU_CATALOG: readonly VmSkuSeed[] = [
  { name: 'Standard_A1_v2', family: 'standardAv2Family', vCpus: 1 },
  { name: 'Standard_A2_v2', family: 'standardAv2Family', vCpus: 2 },
  { name: 'Standard_D1_v2', family: 'standardDv2Family', vCpus: 1 },
  { name: 'Standard_D2_v2', family: 'standardDv2Family', vCpus: 2 },
  { name: 'Standard_DS1_v2', family: 'standardDSv2Family', vCpus: 1 },
  { name: 'Standard_DS2_v2', family: 'standardDSv2Family', vCpus: 2 },
  { name: 'Standard_D2s_v3', family: 'standardDSv3Family', vCpus: 2 },
  { name: 'Standard_D4s_v3', family: 'standardDSv3Family', vCpus: 4 },
  { name: 'Standard_D2ds_v4', family: 'standardDDSv4Family', vCpus: 2 },
  { name: 'Standard_D4ds_v4', family: 'standardDDSv4Family', vCpus: 4 },
  { name: 'Standard_D2s_v5', family: 'standardDSv5Family', vCpus: 2 },
  { name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCpus: 4 },
  { name: 'Standard_D8s_v5', family: 'standardDSv5Family', vCpus: 8 },
  { name: 'Standard_D16s_v5', family: 'standardDSv5Family', vCpus: 16 },
  { name: 'Standard_B2s', family: 'standardBSFamily', vCpus: 2 },
  { name: 'Standard_F2s_v2', family: 'standardFSv2Family', vCpus: 2 },
];

/** Quota of every family and of the region when a test seeds none. */
export const DEFAULT_VCPU_LIMIT = 350;

export interface BuiltInRole extends RoleDefinitionSeed {
  permissions: Array<{ actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }>;
}

const blob = 'Microsoft.Storage/storageAccounts/blobServices/containers';

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  {
    name: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    roleName: 'Owner',
    permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
  },
  {
    name: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    roleName: 'Contributor',
    permissions: [
      {
        actions: ['*'],
        notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action', 'Microsoft.Compute/galleries/share/action'],
        dataActions: [],
        notDataActions: [],
      },
    ],
  },
  {
    name: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    roleName: 'Reader',
    permissions: [{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }],
  },
  {
    name: '4d97b98b-1d4f-4787-a291-c67834d212e7',
    roleName: 'Network Contributor',
    permissions: [{ actions: ['Microsoft.Authorization/*/read', 'Microsoft.Network/*', 'Microsoft.Resources/subscriptions/resourceGroups/read'], notActions: [], dataActions: [], notDataActions: [] }],
  },
  {
    name: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    roleName: 'Storage Blob Data Contributor',
    permissions: [
      {
        actions: [`${blob}/delete`, `${blob}/read`, `${blob}/write`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
        notActions: [],
        dataActions: [`${blob}/blobs/delete`, `${blob}/blobs/read`, `${blob}/blobs/write`, `${blob}/blobs/move/action`, `${blob}/blobs/add/action`],
        notDataActions: [],
      },
    ],
  },
  {
    name: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    roleName: 'Storage Blob Data Owner',
    permissions: [
      {
        actions: [`${blob}/*`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
        notActions: [],
        dataActions: [`${blob}/blobs/*`],
        notDataActions: [],
      },
    ],
  },
  {
    name: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
    roleName: 'Storage Blob Data Reader',
    permissions: [
      {
        actions: [`${blob}/read`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
        notActions: [],
        dataActions: [`${blob}/blobs/read`],
        notDataActions: [],
      },
    ],
  },
];

/** Roles a principal holds on its subscription when a test seeds none for it. */
export const DEFAULT_PRINCIPAL_ROLES = ['Contributor', 'Storage Blob Data Reader'] as const;
