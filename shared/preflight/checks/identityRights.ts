/**
 * What the template's identity may do. Image Builder acts as that identity:
 * it reads the source, writes the image version or managed image, reads the
 * artifacts (with artifactAccess identity) and joins the build subnet. The
 * most common failure of a first build is an identity without one of these
 * rights, reported only when the build reaches that step.
 *
 * Microsoft.Authorization/permissions answers only for the caller, so the
 * identity's rights are summed up from its role assignments (including
 * those through groups) that cover each scope and the permissions of their
 * role definitions. Deny assignments and conditions are not evaluated: a
 * missing action here is missing, a granted one is "no role is missing".
 */
import type { InputName } from '../../config/inputNames';
import { isActionAllowed, isDataActionAllowed } from '../actionMatcher';
import type { CheckResult, PermissionSet, PreflightContext } from '../types';
import { BLOB_READ_DATA_ACTION } from './permissions';
import { checkLines } from './result';

const line = checkLines('identityRights');

export const SOURCE_IMAGE_ACTIONS = ['Microsoft.Compute/images/read'] as const;
export const SOURCE_GALLERY_ACTIONS = [
  'Microsoft.Compute/galleries/read',
  'Microsoft.Compute/galleries/images/read',
  'Microsoft.Compute/galleries/images/versions/read',
] as const;
export const GALLERY_WRITE_ACTIONS = [...SOURCE_GALLERY_ACTIONS, 'Microsoft.Compute/galleries/images/versions/write'] as const;
export const MANAGED_IMAGE_WRITE_ACTIONS = ['Microsoft.Compute/images/read', 'Microsoft.Compute/images/write', 'Microsoft.Compute/images/delete'] as const;
export const SUBNET_ACTIONS = ['Microsoft.Network/virtualNetworks/read', 'Microsoft.Network/virtualNetworks/subnets/join/action'] as const;

/** One thing the identity must be allowed to do, where, and how the finding says it. */
interface Need {
  scope: string;
  input: InputName;
  actions: readonly string[];
  dataActions: readonly string[];
  /** Message key of the failure; its arguments are (identity, scope, missing). */
  key: string;
}

export async function checkIdentityRights(ctx: PreflightContext): Promise<CheckResult[]> {
  const identityId = ctx.config.target.managedIdentity;
  const identity = await ctx.reader.getIdentity(identityId, ctx.signal);
  // A missing identity is the identities check's finding.
  const principalId = identity?.principalId;
  if (!principalId) return [];
  const needs = await needsOf(ctx);
  if (needs.length === 0) return [];

  const findings = await Promise.all(
    needs.map(async (need): Promise<CheckResult | 'unreadable' | undefined> => {
      let permissions: PermissionSet[];
      try {
        permissions = await permissionsAt(ctx, need.scope, principalId);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== 403 && status !== 401) throw error;
        return 'unreadable';
      }
      const missing = [
        ...need.actions.filter((a) => !isActionAllowed(permissions, a)),
        ...need.dataActions.filter((a) => !isDataActionAllowed(permissions, a)),
      ];
      return missing.length > 0 ? line.failed(need.input, need.key, identityId, need.scope, missing.join(', ')) : undefined;
    }),
  );
  const results = findings.filter((f): f is CheckResult => f !== undefined && f !== 'unreadable');
  // Where the connection may not look, nothing is claimed: one warning names the first such scope.
  const unreadable = findings.findIndex((f) => f === 'unreadable');
  if (unreadable >= 0) results.push(line.warning('managedIdentity', 'PreflightIdentityRightsUnreadable', identityId, needs[unreadable]?.scope ?? ''));
  else if (results.length === 0) results.push(line.passed('PreflightIdentityRightsGranted', identityId, needs.map((n) => n.scope).join(', ')));
  return results;
}

async function needsOf(ctx: PreflightContext): Promise<Need[]> {
  const { config } = ctx;
  const needs: Need[] = [];
  if (config.source.kind === 'managedImage') {
    needs.push({ scope: config.source.imageId, input: 'managedImageId', actions: SOURCE_IMAGE_ACTIONS, dataActions: [], key: 'PreflightIdentityCannotReadSource' });
  } else if (config.source.kind === 'galleryImageVersion') {
    needs.push({ scope: config.source.imageVersionId, input: 'galleryImageVersionId', actions: SOURCE_GALLERY_ACTIONS, dataActions: [], key: 'PreflightIdentityCannotReadSource' });
  }
  for (const target of config.distribute) {
    if (target.kind === 'sharedImageGallery') {
      needs.push({ scope: target.galleryImageDefinitionId, input: 'galleryImageId', actions: GALLERY_WRITE_ACTIONS, dataActions: [], key: 'PreflightIdentityCannotWriteGallery' });
    } else if (target.kind === 'managedImage') {
      const group = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)/i.exec(target.imageId)?.[1];
      if (group) needs.push({ scope: group, input: 'imageIdForDistribute', actions: MANAGED_IMAGE_WRITE_ACTIONS, dataActions: [], key: 'PreflightIdentityCannotWriteImage' });
    }
  }
  if (config.artifacts?.access === 'identity') {
    const account = await ctx.reader.findStorageAccount(config.artifacts.storageAccountName, ctx.signal);
    if (account) needs.push({ scope: account.id, input: 'storageAccountName', actions: [], dataActions: [BLOB_READ_DATA_ACTION], key: 'PreflightIdentityCannotReadArtifacts' });
  }
  const subnet = config.buildVm.vnet?.subnetId;
  if (subnet) needs.push({ scope: subnet, input: 'vnetSubnetId', actions: SUBNET_ACTIONS, dataActions: [], key: 'PreflightIdentityCannotJoinSubnet' });
  return needs;
}

/** What the principal's role assignments covering the scope allow there. */
async function permissionsAt(ctx: PreflightContext, scope: string, principalId: string): Promise<PermissionSet[]> {
  const assignments = await ctx.reader.listRoleAssignments(scope, principalId, ctx.signal);
  const covering = assignments.filter((a) => covers(a.scope, scope));
  const definitions = await Promise.all([...new Set(covering.map((a) => a.roleDefinitionId))].map((id) => ctx.reader.getRoleDefinition(id, ctx.signal)));
  return definitions.flatMap((d) => d?.permissions ?? []);
}

/**
 * True when an assignment at `assignmentScope` applies at `scope`: the same
 * scope or one above it. A management group (or the root) is listed only
 * when it is above the subscription, so it always applies.
 */
export function covers(assignmentScope: string, scope: string): boolean {
  const above = assignmentScope.replace(/\/+$/, '').toLowerCase();
  const below = scope.replace(/\/+$/, '').toLowerCase();
  if (above === '' || above.startsWith('/providers/microsoft.management/managementgroups/')) return true;
  return below === above || below.startsWith(`${above}/`);
}
