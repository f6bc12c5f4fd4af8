/**
 * Enough vCPU quota for the build, and a build VM size the region offers.
 * A build that runs out of quota or asks for a size the subscription may not
 * use fails only when the service creates the VM, minutes into the run.
 *
 * Image Builder creates the build VM and, when the build uses a subnet
 * without a container instance, a proxy VM; both count against the region's
 * total vCPUs (`cores`) and their family's quota.
 */
import type { InputName } from '../../config/inputNames';
import { effectiveTraits } from '../imageTraits';
import { readSourceImage } from '../sourceImage';
import type { CheckResult, ComputeUsage, PreflightContext, VmSizeInfo } from '../types';
import { checkLines } from './result';

/**
 * The service's build VM size when vmSize is empty, by the source's Hyper-V
 * generation (aib-rest-api.md, vmProfile.vmSize: `""` gives Standard_D1_v2 for
 * Gen1 and Standard_D2ds_v4 for Gen2).
 */
export const DEFAULT_BUILD_VM_SIZE = { V1: 'Standard_D1_v2', V2: 'Standard_D2ds_v4' } as const;
/** The service's proxy VM size when proxyVmSize is empty (aib-rest-api.md, vnetConfig.proxyVmSize). */
export const DEFAULT_PROXY_VM_SIZE = 'Standard_A1_v2';
/** The usage that counts every vCPU of the region. */
export const REGIONAL_VCPUS = 'cores';

const line = checkLines('quota');

interface WantedVm {
  size: string;
  input: InputName;
}

export async function checkQuota(ctx: PreflightContext): Promise<CheckResult[]> {
  const location = ctx.config.target.location;
  const wanted = await wantedVms(ctx);
  const [sizes, usages] = await Promise.all([ctx.reader.listVmSizes(location, ctx.signal), ctx.reader.listComputeUsages(location, ctx.signal)]);

  const results: CheckResult[] = [];
  const found: Array<WantedVm & { info: VmSizeInfo }> = [];
  for (const vm of wanted) {
    const info = sizes.find((s) => s.name.toLowerCase() === vm.size.toLowerCase());
    if (!info) results.push(line.failed(vm.input, 'PreflightVmSizeNotOffered', vm.size, location, vm.input));
    else if (info.locationRestrictions.length > 0) results.push(line.failed(vm.input, 'PreflightVmSizeRestricted', vm.size, location, info.locationRestrictions.join(', '), vm.input));
    else found.push({ ...vm, info });
  }
  if (results.length > 0) return results;

  const totalNeeded = sum(found.map((vm) => vm.info.vCpus ?? 0));
  const regional = usageNamed(usages, REGIONAL_VCPUS);
  if (regional && totalNeeded > free(regional)) {
    results.push(line.failed(found[0]?.input ?? 'vmSize', 'PreflightQuotaRegionalShort', location, totalNeeded, free(regional), regional.limit, describe(found)));
  }
  const families = new Map<string, Array<WantedVm & { info: VmSizeInfo }>>();
  for (const vm of found) {
    if (!vm.info.family) continue;
    const key = vm.info.family.toLowerCase();
    families.set(key, [...(families.get(key) ?? []), vm]);
  }
  for (const members of families.values()) {
    const family = members[0]?.info.family ?? '';
    const usage = usageNamed(usages, family);
    if (!usage) continue;
    const needed = sum(members.map((vm) => vm.info.vCpus ?? 0));
    if (needed > free(usage)) {
      results.push(line.failed(members[0]?.input ?? 'vmSize', 'PreflightQuotaFamilyShort', family, location, needed, free(usage), usage.limit, describe(members)));
    }
  }
  if (results.length === 0) {
    results.push(line.passed('PreflightQuotaEnough', describe(found), location, totalNeeded, regional ? free(regional) : '?'));
  }
  return results;
}

async function wantedVms(ctx: PreflightContext): Promise<WantedVm[]> {
  const { buildVm } = ctx.config;
  const wanted: WantedVm[] = [{ size: buildVm.vmSize || userTemplateVmSize(ctx) || (await defaultBuildSize(ctx)), input: 'vmSize' }];
  if (buildVm.vnet && !buildVm.vnet.containerInstanceSubnetId) wanted.push({ size: buildVm.vnet.proxyVmSize || DEFAULT_PROXY_VM_SIZE, input: 'proxyVmSize' });
  return wanted;
}

/** A size the user's own template sets, which the task leaves alone when vmSize is empty. */
function userTemplateVmSize(ctx: PreflightContext): string | undefined {
  const props = ctx.config.userTemplate?.body['properties'];
  const vmProfile = typeof props === 'object' && props !== null ? (props as Record<string, unknown>)['vmProfile'] : undefined;
  const size = typeof vmProfile === 'object' && vmProfile !== null ? (vmProfile as Record<string, unknown>)['vmSize'] : undefined;
  return typeof size === 'string' && size !== '' ? size : undefined;
}

async function defaultBuildSize(ctx: PreflightContext): Promise<string> {
  const source = await readSourceImage(ctx);
  const generation = source.found && source.traits ? effectiveTraits(source.traits).hyperVGeneration : 'V1';
  return generation.toUpperCase() === 'V2' ? DEFAULT_BUILD_VM_SIZE.V2 : DEFAULT_BUILD_VM_SIZE.V1;
}

function usageNamed(usages: readonly ComputeUsage[], name: string): ComputeUsage | undefined {
  return usages.find((u) => u.name.toLowerCase() === name.toLowerCase());
}

function free(usage: ComputeUsage): number {
  return Math.max(0, usage.limit - usage.currentValue);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** `Standard_D2ds_v4 (2 vCPUs), Standard_A1_v2 (1 vCPU)`: what the build creates. */
function describe(vms: ReadonlyArray<WantedVm & { info: VmSizeInfo }>): string {
  return vms.map((vm) => `${vm.info.name} (${vm.info.vCpus ?? '?'} vCPU${vm.info.vCpus === 1 ? '' : 's'})`).join(', ');
}
