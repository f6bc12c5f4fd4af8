import * as assert from 'node:assert/strict';
import { checkPermissions } from '../../shared/preflight/checks/permissions';
import { artifactsFor, configWith, ids, SUBSCRIPTION } from '../support/configFixtures';
import type { PermissionSet } from '../../shared/preflight/types';
import { fakeReader, lines, RESOURCE_GROUP_SCOPE, runCheck, STORAGE_ACCOUNT_ID } from './preflightFixtures';

const grant = (actions: string[], extra: Partial<PermissionSet> = {}): PermissionSet => ({ actions, notActions: [], dataActions: [], notDataActions: [], ...extra });

/** Storage Blob Data Contributor, as Azure defines it (abridged). */
const BLOB_DATA_CONTRIBUTOR = grant(
  ['Microsoft.Storage/storageAccounts/blobServices/containers/*', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
  { dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'] },
);
/** Storage Blob Data Reader. */
const BLOB_DATA_READER = grant(
  ['Microsoft.Storage/storageAccounts/blobServices/containers/read', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
  { dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'] },
);

describe('preflight: permissions of the service connection', () => {
  const withArtifacts = (access: 'sas' | 'identity') => configWith('shell', (c) => (c.artifacts = artifactsFor('shell', access)));

  it('passes with Contributor-like rights: templates, identity assignment, artifacts by account key', async () => {
    const reader = fakeReader((w) => (w.permissions[`/subscriptions/${SUBSCRIPTION}`.toLowerCase()] = [grant(['*'], { notActions: ['Microsoft.Authorization/*/Write'] })]));
    assert.deepEqual(lines(await runCheck(checkPermissions, withArtifacts('sas'), reader)), [
      'passed: The service connection may create, run and delete image templates in resource group rg-aib.',
      `passed: The service connection may assign identity ${ids.templateIdentity} to the template.`,
      'passed: The service connection may read the keys of storage account artifactstore to upload and sign the artifacts.',
    ]);
    assert.deepEqual(
      reader.calls.filter((c) => c.method === 'getPermissions').map((c) => c.args[0]),
      [RESOURCE_GROUP_SCOPE, ids.templateIdentity, STORAGE_ACCOUNT_ID],
    );
  });

  it('fails listing the template actions a notAction takes away', async () => {
    const reader = fakeReader((w) => (w.permissions[RESOURCE_GROUP_SCOPE.toLowerCase()] = [grant(['*'], { notActions: ['Microsoft.VirtualMachineImages/*/delete', '*/run/action'] })]));
    assert.deepEqual(lines(await runCheck(checkPermissions, configWith('shell', () => undefined), reader))[0], 
      'failed [azureSubscription]: The service connection may not manage image templates in resource group rg-aib: it lacks Microsoft.VirtualMachineImages/imageTemplates/run/action, Microsoft.VirtualMachineImages/imageTemplates/delete. Give its service principal a role that allows these on the resource group (for example Contributor) and run again.',
    );
  });

  it('fails when the connection may not assign the template identity', async () => {
    const reader = fakeReader((w) => (w.permissions[ids.templateIdentity.toLowerCase()] = [grant(['*/read'])]));
    assert.deepEqual(lines(await runCheck(checkPermissions, configWith('shell', () => undefined), reader))[1], 
      `failed [managedIdentity]: The service connection may not assign the identity ${ids.templateIdentity} to the template (it lacks Microsoft.ManagedIdentity/userAssignedIdentities/assign/action). Give its service principal the Managed Identity Operator role on the identity and run again.`,
    );
  });

  it('passes a SAS signed with a user delegation key when the connection has Storage Blob Data Contributor', async () => {
    const reader = fakeReader((w) => (w.permissions[STORAGE_ACCOUNT_ID.toLowerCase()] = [grant(['*/read']), BLOB_DATA_CONTRIBUTOR]));
    assert.equal(
      lines(await runCheck(checkPermissions, withArtifacts('sas'), reader))[2],
      'passed: The service connection may upload to storage account artifactstore and sign the artifact link with a user delegation key.',
    );
  });

  it('fails a SAS when the connection can only read blobs and not list keys', async () => {
    const reader = fakeReader((w) => (w.permissions[STORAGE_ACCOUNT_ID.toLowerCase()] = [grant(['*/read']), BLOB_DATA_READER]));
    assert.equal(
      lines(await runCheck(checkPermissions, withArtifacts('sas'), reader))[2],
      'failed [storageAccountName]: The service connection can neither read the keys of storage account artifactstore nor upload and sign with its own token (it needs one of: Microsoft.Storage/storageAccounts/listKeys/action, Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read). Give its service principal Storage Blob Data Contributor on the account (or a role that allows listKeys), or set artifactAccess to identity.',
    );
  });

  it('with identity access needs only upload rights, and fails without them', async () => {
    const writer = fakeReader((w) => (w.permissions[STORAGE_ACCOUNT_ID.toLowerCase()] = [grant([], { dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'] })]));
    assert.equal(lines(await runCheck(checkPermissions, withArtifacts('identity'), writer))[2], 'passed: The service connection may upload to storage account artifactstore with its own token.');
    const reader = fakeReader((w) => (w.permissions[STORAGE_ACCOUNT_ID.toLowerCase()] = [BLOB_DATA_READER]));
    assert.equal(
      lines(await runCheck(checkPermissions, withArtifacts('identity'), reader))[2],
      'failed [storageAccountName]: The service connection can neither read the keys of storage account artifactstore nor write its blobs (it needs one of: Microsoft.Storage/storageAccounts/listKeys/action, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write). Give its service principal Storage Blob Data Contributor on the account and run again.',
    );
  });

  it('fails when the storage account is not in the subscription', async () => {
    const reader = fakeReader((w) => (w.storageAccounts = {}));
    assert.equal(
      lines(await runCheck(checkPermissions, withArtifacts('sas'), reader))[2],
      `failed [storageAccountName]: Storage account artifactstore is not in subscription ${SUBSCRIPTION}, or the service connection may not list it. Correct storageAccountName.`,
    );
  });
});
