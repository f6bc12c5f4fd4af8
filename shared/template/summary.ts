/** Short lines describing a template, for the log and the summary. */
import { redactSas } from '../core/sasRedaction';
import type { ImageTemplateBody, ImageTemplateDistributor, ImageTemplateSource } from './types';

/**
 * Short human lines for the log and the run summary: the source, each
 * customizer and validation, the distribution targets, and the build VM
 * settings that differ from the service defaults. No URLs of customizers are
 * shown, and anything printed passes through SAS redaction.
 */
export function summarizeTemplate(body: ImageTemplateBody): string[] {
  const p = body.properties;
  const lines = [`Source: ${describeSource(p.source)}`];

  const customize = p.customize ?? [];
  customize.forEach((c, i) => {
    lines.push(`Customize ${i + 1}/${customize.length}: ${String(c.type)}${c.name ? ` '${c.name}'` : ''}`);
  });

  if (p.validate) {
    const parts: string[] = [];
    const checks = p.validate.inVMValidations ?? [];
    if (checks.length > 0) parts.push(`${checks.length} in-VM validation${checks.length === 1 ? '' : 's'} (${checks.map((v) => String(v.type)).join(', ')})`);
    if (p.validate.sourceValidationOnly) parts.push('source image only');
    if (p.validate.continueDistributeOnFailure) parts.push('distribute even if validation fails');
    if (parts.length > 0) lines.push(`Validate: ${parts.join(', ')}`);
  }

  for (const d of p.distribute ?? []) lines.push(`Distribute: ${describeDistributor(d)}`);

  const vm = p.vmProfile;
  const build: string[] = [];
  if (vm?.vmSize) build.push(`size ${vm.vmSize}`);
  if (vm?.osDiskSizeGB) build.push(`OS disk ${vm.osDiskSizeGB} GB`);
  if (vm?.userAssignedIdentities?.length) build.push(`${vm.userAssignedIdentities.length} identit${vm.userAssignedIdentities.length === 1 ? 'y' : 'ies'}`);
  if (vm?.vnetConfig?.subnetId) build.push(`subnet ${vm.vnetConfig.subnetId}`);
  if (p.buildTimeoutInMinutes) build.push(`timeout ${p.buildTimeoutInMinutes} min`);
  if (p.stagingResourceGroup) build.push(`staging resource group ${p.stagingResourceGroup}`);
  if (p.optimize?.vmBoot?.state === 'Enabled') build.push('VM boot optimization');
  if (build.length > 0) lines.push(`Build VM: ${build.join(', ')}`);

  return lines.map(redactSas);
}

function describeSource(source: ImageTemplateSource | undefined): string {
  if (!source) return 'none';
  switch (source.type) {
    case 'PlatformImage': {
      const plan = source.planInfo ? ` (plan ${source.planInfo.planName}/${source.planInfo.planProduct}/${source.planInfo.planPublisher})` : '';
      return `platform image ${source.publisher}:${source.offer}:${source.sku}:${source.version}${plan}`;
    }
    case 'ManagedImage':
      return `managed image ${source.imageId}`;
    case 'SharedImageVersion':
      return `gallery image version ${source.imageVersionId}`;
    default:
      // A user's template may carry a type this version does not know; the service will judge it.
      return String((source as { type?: unknown }).type);
  }
}

function describeDistributor(d: ImageTemplateDistributor): string {
  const output = ` (run output '${d.runOutputName}')`;
  switch (d.type) {
    case 'ManagedImage':
      return `managed image ${d.imageId} in ${d.location}${output}`;
    case 'SharedImage': {
      const regions = (d.targetRegions ?? []).map((r) => {
        const extra = [r.replicaCount !== undefined ? `${r.replicaCount} replica${r.replicaCount === 1 ? '' : 's'}` : '', r.storageAccountType ?? ''].filter(Boolean);
        return extra.length > 0 ? `${r.name} (${extra.join(', ')})` : r.name;
      });
      const version = /\/versions\/[^/]+$/i.test(d.galleryImageId)
        ? ''
        : d.versioning?.scheme === 'Latest'
          ? d.versioning.major !== undefined && d.versioning.major >= 0
            ? ` (next version after the newest of major ${d.versioning.major})`
            : ' (next version after the newest)'
          : d.versioning?.scheme === 'Source'
            ? ' (version from the source image version)'
            : ' (version chosen by Image Builder)';
      const where = regions.length > 0 ? ` to ${regions.join(', ')}` : '';
      const latest = d.excludeFromLatest ? ', excluded from latest' : '';
      return `gallery image ${d.galleryImageId}${version}${where}${latest}${output}`;
    }
    case 'VHD':
      return `VHD ${d.uri ?? 'in the staging storage account'}${output}`;
    default:
      return String((d as { type?: unknown }).type);
  }
}
