/**
 * What the service connection itself may do, where Azure can tell without
 * guessing: Microsoft.Authorization/permissions at the scope lists what the
 * caller's role assignments allow there. What the template's identity may do
 * cannot be asked for another principal without directory rights, so no claim
 * is made about it; the build run's failure hints cover those cases.
 */
import { isActionAllowed, isDataActionAllowed } from '../actionMatcher';
import type { CheckResult, PermissionSet, PreflightContext } from '../types';
import { checkLines } from './result';

const TEMPLATE_ACTIONS = [
  'Microsoft.VirtualMachineImages/imageTemplates/read',
  'Microsoft.VirtualMachineImages/imageTemplates/write',
  'Microsoft.VirtualMachineImages/imageTemplates/run/action',
  'Microsoft.VirtualMachineImages/imageTemplates/delete',
] as const;
/** ARM's linked access check: whoever puts an identity on a resource must be allowed to assign it. */
const IDENTITY_ASSIGN_ACTION = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';
const LIST_KEYS_ACTION = 'Microsoft.Storage/storageAccounts/listKeys/action';
const USER_DELEGATION_KEY_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action';
export const BLOB_READ_DATA_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
const BLOB_WRITE_DATA_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';

const line = checkLines('permissions');

export async function checkPermissions(ctx: PreflightContext): Promise<CheckResult[]> {
  const checks = [checkTemplateRights(ctx), checkIdentityAssignment(ctx)];
  if (ctx.config.artifacts) checks.push(checkArtifactRights(ctx));
  return (await Promise.all(checks)).flat();
}

async function checkTemplateRights(ctx: PreflightContext): Promise<CheckResult[]> {
  const scope = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.config.target.resourceGroup}`;
  const permissions = await ctx.reader.getPermissions(scope, ctx.signal);
  const missing = TEMPLATE_ACTIONS.filter((action) => !isActionAllowed(permissions, action));
  return missing.length === 0
    ? [line.passed('PreflightPermissionTemplatesGranted', ctx.config.target.resourceGroup)]
    : [line.failed('azureSubscription', 'PreflightPermissionTemplatesMissing', ctx.config.target.resourceGroup, missing.join(', '))];
}

async function checkIdentityAssignment(ctx: PreflightContext): Promise<CheckResult[]> {
  const identity = ctx.config.target.managedIdentity;
  const permissions = await ctx.reader.getPermissions(identity, ctx.signal);
  return isActionAllowed(permissions, IDENTITY_ASSIGN_ACTION)
    ? [line.passed('PreflightPermissionIdentityGranted', identity)]
    : [line.failed('managedIdentity', 'PreflightPermissionIdentityMissing', identity, IDENTITY_ASSIGN_ACTION)];
}

async function checkArtifactRights(ctx: PreflightContext): Promise<CheckResult[]> {
  const artifacts = ctx.config.artifacts;
  if (!artifacts) return [];
  const name = artifacts.storageAccountName;
  const account = await ctx.reader.findStorageAccount(name, ctx.signal);
  if (!account) return [line.failed('storageAccountName', 'PreflightStorageAccountNotFound', name, ctx.subscriptionId)];
  const permissions = await ctx.reader.getPermissions(account.id, ctx.signal);
  // An account that refuses shared keys leaves the connection's own token as the only way in.
  const keyAllowed = account.allowSharedKeyAccess !== false;
  const way = artifactWay(permissions, artifacts.access, keyAllowed);
  if (way === undefined && !keyAllowed) {
    const needed = artifacts.access === 'sas' ? [BLOB_WRITE_DATA_ACTION, BLOB_READ_DATA_ACTION, USER_DELEGATION_KEY_ACTION] : [BLOB_WRITE_DATA_ACTION];
    const missing = needed.filter((a) => (a === USER_DELEGATION_KEY_ACTION ? !isActionAllowed(permissions, a) : !isDataActionAllowed(permissions, a)));
    return [line.failed('storageAccountName', 'PreflightPermissionArtifactsSharedKeyOff', name, missing.join(', '), account.id)];
  }
  switch (way) {
    case 'accountKey':
      return [line.passed('PreflightPermissionArtifactsByKey', name)];
    case 'token':
      return [line.passed(artifacts.access === 'sas' ? 'PreflightPermissionArtifactsByDelegation' : 'PreflightPermissionArtifactsByToken', name)];
    case undefined:
      return artifacts.access === 'sas'
        ? [line.failed('storageAccountName', 'PreflightPermissionArtifactsSasMissing', name, [LIST_KEYS_ACTION, USER_DELEGATION_KEY_ACTION, BLOB_WRITE_DATA_ACTION, BLOB_READ_DATA_ACTION].join(', '))]
        : [line.failed('storageAccountName', 'PreflightPermissionArtifactsUploadMissing', name, [LIST_KEYS_ACTION, BLOB_WRITE_DATA_ACTION].join(', '))];
  }
}

/**
 * How staging can upload and (for `sas`) sign, mirroring shared/staging:
 * with the connection's token (data-plane rights; for a user delegation SAS
 * also the delegation key and blob read, since such a SAS grants no more than
 * its signer holds), else with the account key from listKeys.
 */
function artifactWay(permissions: PermissionSet[], access: 'sas' | 'identity', keyAllowed: boolean): 'token' | 'accountKey' | undefined {
  const canWrite = isDataActionAllowed(permissions, BLOB_WRITE_DATA_ACTION);
  const tokenWorks =
    access === 'sas'
      ? canWrite && isDataActionAllowed(permissions, BLOB_READ_DATA_ACTION) && isActionAllowed(permissions, USER_DELEGATION_KEY_ACTION)
      : canWrite;
  if (tokenWorks) return 'token';
  if (keyAllowed && isActionAllowed(permissions, LIST_KEYS_ACTION)) return 'accountKey';
  return undefined;
}
