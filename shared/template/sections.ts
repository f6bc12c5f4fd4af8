/** Small template sections shared by the task's template and the user's template. */
import type { BuildVmConfig, ImageBuilderConfig } from '../config/types';
import type { ImageTemplateIdentity, ImageTemplateVmProfile } from './types';

/** Small sections shared by the task's own template and the user's template. */

export function templateIdentity(config: ImageBuilderConfig): ImageTemplateIdentity {
  return { type: 'UserAssigned', userAssignedIdentities: { [config.target.managedIdentity]: {} } };
}

/** The vmProfile section with only what the config sets; undefined when it sets nothing. */
export function buildVmProfile(buildVm: BuildVmConfig): ImageTemplateVmProfile | undefined {
  const profile: ImageTemplateVmProfile = {};
  if (buildVm.vmSize) profile.vmSize = buildVm.vmSize;
  if (buildVm.osDiskSizeGB !== undefined && buildVm.osDiskSizeGB > 0) profile.osDiskSizeGB = buildVm.osDiskSizeGB;
  if (buildVm.userAssignedIdentities.length > 0) profile.userAssignedIdentities = [...buildVm.userAssignedIdentities];
  if (buildVm.vnet) {
    profile.vnetConfig = {
      subnetId: buildVm.vnet.subnetId,
      ...(buildVm.vnet.containerInstanceSubnetId ? { containerInstanceSubnetId: buildVm.vnet.containerInstanceSubnetId } : {}),
      ...(buildVm.vnet.proxyVmSize ? { proxyVmSize: buildVm.vnet.proxyVmSize } : {}),
    };
  }
  return Object.keys(profile).length > 0 ? profile : undefined;
}
