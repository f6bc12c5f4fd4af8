import * as assert from 'node:assert/strict';
import { checkPermissions } from '../../shared/preflight/checks/permissions';
import { checkStorageAccess } from '../../shared/preflight/checks/storageAccess';
import type { PermissionSet, StorageAccountInfo } from '../../shared/preflight/types';
import { artifactsFor, configWith, ids } from '../support/configFixtures';
import { fakeReader, lines, runCheck, STORAGE_ACCOUNT_ID } from './preflightFixtures';

const grant = (actions: string[], extra: Partial<PermissionSet> = {}): PermissionSet => ({ actions, notActions: [], dataActions: [], notDataActions: [], ...extra });
const LIST_KEYS_ONLY = [grant(['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/listKeys/action'])];
const BLOB_DATA_CONTRIBUTOR = [
  grant(['Microsoft.Storage/storageAccounts/blobServices/containers/*', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'], {
    dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
  }),
];

function readerWith(account: Omit<StorageAccountInfo, 'id'>, permissions?: PermissionSet[]) {
  return fakeReader((w) => {
    w.storageAccountDetails['artifactstore'] = account;
    if (permissions) w.permissions[STORAGE_ACCOUNT_ID.toLowerCase()] = permissions;
  });
}

const withArtifacts = (access: 'sas' | 'identity', subnet?: string) =>
  configWith('shell', (c) => {
    c.artifacts = artifactsFor('shell', access);
    if (subnet) c.buildVm.vnet = { subnetId: subnet };
  });

describe('preflight: artifact storage that refuses shared keys', () => {
  it('fails when the connection could only upload by account key, naming the role and the scope', async () => {
    const reader = readerWith({ allowSharedKeyAccess: false }, LIST_KEYS_ONLY);
    assert.deepEqual(lines(await runCheck(checkPermissions, withArtifacts('sas'), reader)).slice(2), [
      'failed [storageAccountName]: Storage account artifactstore does not allow shared key access, so the service connection must upload (and sign the artifact link with a user delegation key) with its own token, ' +
        'but it lacks Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read, Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action. ' +
        `Give its service principal Storage Blob Data Contributor (or Storage Blob Data Owner) at ${STORAGE_ACCOUNT_ID} or above and run again.`,
    ]);
  });

  it('with identity access names only blob write as missing', async () => {
    const reader = readerWith({ allowSharedKeyAccess: false }, LIST_KEYS_ONLY);
    const [line] = lines(await runCheck(checkPermissions, withArtifacts('identity'), reader)).slice(2);
    assert.match(line ?? '', /but it lacks Microsoft\.Storage\/storageAccounts\/blobServices\/containers\/blobs\/write\. Give/);
  });

  it('passes with Storage Blob Data Contributor: a user delegation key signs the link', async () => {
    const reader = readerWith({ allowSharedKeyAccess: false }, BLOB_DATA_CONTRIBUTOR);
    assert.deepEqual(lines(await runCheck(checkPermissions, withArtifacts('sas'), reader)).slice(2), [
      'passed: The service connection may upload to storage account artifactstore and sign the artifact link with a user delegation key.',
    ]);
    assert.deepEqual(lines(await runCheck(checkStorageAccess, withArtifacts('sas'), reader)), [
      'passed: Storage account artifactstore does not allow shared key access: the task uploads with the service connection\'s token and signs the artifact link with a user delegation key, never with an account key.',
      'passed: Storage account artifactstore accepts connections from public networks.',
    ]);
  });

  it('an account that allows shared keys still falls back to listKeys', async () => {
    const reader = readerWith({ allowSharedKeyAccess: true }, LIST_KEYS_ONLY);
    assert.deepEqual(lines(await runCheck(checkPermissions, withArtifacts('sas'), reader)).slice(2), [
      'passed: The service connection may read the keys of storage account artifactstore to upload and sign the artifacts.',
    ]);
  });
});

describe('preflight: network rules of the artifact storage account', () => {
  const deny = (virtualNetworkRules: string[] = [], ipRules: string[] = []) => ({ networkRules: { defaultAction: 'Deny', ipRules, virtualNetworkRules, bypass: 'AzureServices' } });

  it('says nothing about storage without artifacts', async () => {
    const reader = readerWith(deny());
    assert.deepEqual(await runCheck(checkStorageAccess, configWith('shell', () => undefined), reader), []);
    assert.equal(reader.count('findStorageAccount'), 0);
  });

  it('deny by default, the build subnet listed: warns for the agent, passes the build VM', async () => {
    const reader = readerWith(deny([ids.subnet.toUpperCase()]));
    assert.deepEqual(lines(await runCheck(checkStorageAccess, withArtifacts('sas', ids.subnet), reader)), [
      "warning [storageAccountName]: Storage account artifactstore denies network access by default and allows no IP address, so the upload from this agent fails unless the agent runs inside a virtual network the account allows. Use a self-hosted agent in such a network, or allow the agent's public IP address in the account's firewall.",
      `passed: Storage account artifactstore allows the build subnet ${ids.subnet}.`,
    ]);
  });

  it('deny by default, the build subnet not listed: warns naming the subnet and what to add', async () => {
    const reader = readerWith(deny([`${ids.subnet}-other`], ['203.0.113.0/24']));
    assert.deepEqual(lines(await runCheck(checkStorageAccess, withArtifacts('sas', ids.subnet), reader)), [
      "warning [storageAccountName]: Storage account artifactstore denies network access by default and allows only the IP addresses 203.0.113.0/24. The task cannot see this agent's public address: it must be among them, or the agent must run inside a virtual network the account allows (a self-hosted agent).",
      `warning [vnetSubnetId]: Storage account artifactstore denies network access by default, and the build subnet ${ids.subnet} is not among its virtual network rules, so the build VM cannot download the artifacts. Add the subnet to the account's networking rules (with the Microsoft.Storage service endpoint on the subnet) and run again.`,
    ]);
  });

  it('deny by default, no subnet: the build VM is outside any allowed network', async () => {
    const reader = readerWith(deny([ids.subnet]));
    const found = lines(await runCheck(checkStorageAccess, withArtifacts('identity'), reader));
    assert.equal(found.length, 2);
    assert.equal(
      found[1],
      "warning [vnetSubnetId]: Storage account artifactstore denies network access by default, and the build VM runs outside any network the account allows (vnetSubnetId is empty), so it cannot download the artifacts. Set vnetSubnetId to a subnet listed in the account's virtual network rules, or allow public access on the account.",
    );
  });

  it('public network access disabled: warns that only private endpoints reach it, for the agent and the build VM', async () => {
    const reader = readerWith({ publicNetworkAccess: 'Disabled', ...deny([ids.subnet]) });
    assert.deepEqual(
      lines(await runCheck(checkStorageAccess, withArtifacts('sas'), reader)).map((l) => l.replace(/:.*/, '')),
      ['warning [storageAccountName]', 'warning [vnetSubnetId]'],
    );
    const withSubnet = lines(await runCheck(checkStorageAccess, withArtifacts('sas', ids.subnet), reader));
    assert.match(withSubnet[1] ?? '', new RegExp(`the build subnet ${ids.subnet.replace(/[/.]/g, '\\$&')} must reach a private endpoint of the account`));
  });

  it('an account that allows every network passes', async () => {
    const reader = readerWith({ networkRules: { defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] } });
    assert.deepEqual(lines(await runCheck(checkStorageAccess, withArtifacts('sas'), reader)), ['passed: Storage account artifactstore accepts connections from public networks.']);
  });
});
