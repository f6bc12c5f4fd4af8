/**
 * Can the agent and the build VM reach the artifact storage account at all?
 * A locked-down account (network rules that deny by default, or no public
 * network access) lets the upload fail on the agent, or the build VM's
 * download fail an hour into the build. The agent's public address is unknown
 * to the task, so for the agent the check says what must hold; for the build
 * VM it can tell, from the subnet the build uses.
 *
 * Whether the connection may upload with the account's keys or must use its
 * own token (shared key access disabled) is decided in the permissions check.
 */
import type { CheckResult, PreflightContext, StorageAccountInfo } from '../types';
import { checkLines } from './result';

const line = checkLines('storageAccess');

export async function checkStorageAccess(ctx: PreflightContext): Promise<CheckResult[]> {
  const artifacts = ctx.config.artifacts;
  if (!artifacts) return [];
  const name = artifacts.storageAccountName;
  // A missing account is the permissions check's finding; saying it twice helps nobody.
  const account = await ctx.reader.findStorageAccount(name, ctx.signal);
  if (!account) return [];
  const results: CheckResult[] = [];
  if (account.allowSharedKeyAccess === false) {
    results.push(line.passed(artifacts.access === 'sas' ? 'PreflightStorageSharedKeyOffSas' : 'PreflightStorageSharedKeyOffIdentity', name));
  }
  const subnet = ctx.config.buildVm.vnet?.subnetId;
  if ((account.publicNetworkAccess ?? '').toLowerCase() === 'disabled') {
    results.push(line.warning('storageAccountName', 'PreflightStoragePrivateOnlyAgent', name));
    results.push(
      subnet
        ? line.warning('vnetSubnetId', 'PreflightStoragePrivateOnlyBuildSubnet', name, subnet)
        : line.warning('vnetSubnetId', 'PreflightStoragePrivateOnlyBuildVm', name),
    );
    return results;
  }
  const rules = account.networkRules;
  if (!rules || rules.defaultAction.toLowerCase() !== 'deny') {
    results.push(line.passed('PreflightStorageNetworkOpen', name));
    return results;
  }
  results.push(
    rules.ipRules.length > 0
      ? line.warning('storageAccountName', 'PreflightStorageDeniesAgentExceptIps', name, rules.ipRules.join(', '))
      : line.warning('storageAccountName', 'PreflightStorageDeniesAgent', name),
  );
  results.push(buildVmReach(account, rules.virtualNetworkRules, subnet));
  return results;
}

function buildVmReach(account: StorageAccountInfo, allowedSubnets: readonly string[], subnet: string | undefined): CheckResult {
  const name = account.id.split('/').pop() ?? account.id;
  if (!subnet) return line.warning('vnetSubnetId', 'PreflightStorageDeniesBuildVm', name);
  const key = normalizeId(subnet);
  return allowedSubnets.some((s) => normalizeId(s) === key)
    ? line.passed('PreflightStorageAllowsBuildSubnet', name, subnet)
    : line.warning('vnetSubnetId', 'PreflightStorageDeniesBuildSubnet', name, subnet);
}

function normalizeId(id: string): string {
  return id.trim().replace(/\/+$/, '').toLowerCase();
}
