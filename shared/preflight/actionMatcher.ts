/**
 * Azure RBAC's rules for deciding whether the permissions at a scope allow an
 * operation, as Microsoft.Authorization/permissions reports them.
 *
 * - An action pattern may hold `*` anywhere; it stands for any run of
 *   characters, slashes included (`Microsoft.Compute/*` covers
 *   `Microsoft.Compute/images/write`, `*\/read` covers every read).
 * - Operation names compare without case.
 * - Each entry of the answer is one role's grant: its notActions remove from
 *   that role's actions only, never from another role's. So an operation is
 *   allowed when at least one entry allows it and does not exclude it.
 * - Control-plane actions and data actions are separate lists: `*` in actions
 *   never grants a data action.
 *
 * Deny assignments are not in that answer; a "yes" here is therefore "no role
 * is missing", which is all the checks claim.
 */
import type { PermissionSet } from './types';

const patternCache = new Map<string, RegExp>();

function patternRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

/** True when the operation name matches the RBAC action pattern. */
export function matchesActionPattern(pattern: string, operation: string): boolean {
  return patternRegExp(pattern.trim()).test(operation.trim());
}

function grants(included: readonly string[], excluded: readonly string[], operation: string): boolean {
  return included.some((p) => matchesActionPattern(p, operation)) && !excluded.some((p) => matchesActionPattern(p, operation));
}

/** A control-plane action (e.g. `Microsoft.VirtualMachineImages/imageTemplates/write`). */
export function isActionAllowed(permissions: readonly PermissionSet[], action: string): boolean {
  return permissions.some((p) => grants(p.actions, p.notActions, action));
}

/** A data action (e.g. `Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read`). */
export function isDataActionAllowed(permissions: readonly PermissionSet[], dataAction: string): boolean {
  return permissions.some((p) => grants(p.dataActions, p.notDataActions, dataAction));
}
