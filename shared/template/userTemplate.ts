/** The user's own template with the task's inputs applied. */
import { DISTRIBUTE_INPUTS, type InputName } from '../config/inputNames';
import type { ImageBuilderConfig, UserTemplate } from '../config/types';
import { buildVmProfile, templateIdentity } from './sections';
import type { CustomizePlan } from './customizeSteps';
import { buildDistributors } from './distribute';
import { buildSource } from './source';
import type { ImageTemplateBody, ImageTemplateCustomizer, StagedInputs } from './types';
import { buildValidate } from './validate';

/**
 * The user's own template (templateJsonPath) with the task's inputs applied.
 *
 * The rule:
 * - The user's body is the base; sections and fields the task has no input
 *   for (autoRun, managedResourceTags, additionalDataDisks, ...) pass through.
 * - `location` and `identity` always come from the inputs: they are required
 *   inputs and the run (staging, outputs, cleanup) depends on them.
 * - The task's artifact steps (download and unpack) are injected FIRST, before
 *   the user's customizers, so the user's steps can use the files. Removal of
 *   the artifacts (removeArtifacts, on by default) runs after all of them.
 * - Every other section is taken from the inputs only when the user set the
 *   corresponding input explicitly, so a task default never overwrites what
 *   the file says: the source only if a source input is explicit, the
 *   distribution only if `distributeType` or one of its target inputs is,
 *   `vmSize` only if `vmSize` is, and so on field by field. Explicit script
 *   inputs add their steps after the user's customizers; additionalCustomizers
 *   come last.
 * - A section the service requires (source, distribute) that the file lacks is
 *   filled from the inputs.
 * - Read-only and ARM-template envelope fields (id, name, type, apiVersion,
 *   systemData, provisioningState, lastRunStatus, ...) are dropped: a template
 *   exported from Azure or lifted from a Bicep/ARM file can be used as is.
 */
export function applyOverUserTemplate(
  config: ImageBuilderConfig,
  user: UserTemplate,
  staged: StagedInputs,
  plan: CustomizePlan,
): ImageTemplateBody {
  const explicit = new Set<string>(user.explicitInputs);
  const isExplicit = (...names: InputName[]): boolean => names.some((n) => explicit.has(n));

  const body = structuredClone(user.body) as Record<string, unknown>;
  for (const key of ENVELOPE_ONLY_FIELDS) delete body[key];
  const properties: Record<string, unknown> = isRecord(body['properties']) ? body['properties'] : {};
  for (const key of READ_ONLY_PROPERTIES) delete properties[key];
  if (isRecord(properties['source'])) delete properties['source']['exactVersion'];

  body['location'] = config.target.location;
  body['identity'] = templateIdentity(config);
  if (isExplicit('templateTags')) {
    body['tags'] = { ...(isRecord(body['tags']) ? body['tags'] : {}), ...config.templateTags };
  }

  if (isExplicit(...SOURCE_INPUTS) || !isRecord(properties['source'])) {
    properties['source'] = buildSource(config.source, staged.pinnedPlatformVersion);
  }

  const userCustomize = Array.isArray(properties['customize']) ? (properties['customize'] as ImageTemplateCustomizer[]) : [];
  const customize: ImageTemplateCustomizer[] = [
    ...plan.artifacts,
    ...userCustomize,
    ...(isExplicit('inlineScript') ? plan.scripts.inline : []),
    ...(isExplicit('scriptPath') ? plan.scripts.scriptPath : []),
    ...(isExplicit('windowsRestart') ? plan.scripts.windowsRestart : []),
    ...(isExplicit('windowsUpdateProvisioner') ? plan.scripts.windowsUpdate : []),
    ...plan.removal,
    ...plan.additional,
  ];
  if (customize.length > 0) properties['customize'] = customize;

  applyValidate(config, properties, isExplicit);

  if (isExplicit(...DISTRIBUTE_INPUTS) || !Array.isArray(properties['distribute']) || properties['distribute'].length === 0) {
    properties['distribute'] = buildDistributors(config.distribute, config.target.location);
  }

  const errorHandling: Record<string, unknown> = isRecord(properties['errorHandling']) ? properties['errorHandling'] : {};
  if (isExplicit('onCustomizerError')) errorHandling['onCustomizerError'] = config.errorHandling.onCustomizerError;
  if (isExplicit('onValidationError')) errorHandling['onValidationError'] = config.errorHandling.onValidationError;
  if (Object.keys(errorHandling).length > 0) properties['errorHandling'] = errorHandling;

  if (isExplicit('optimizeVmBoot')) {
    const optimize: Record<string, unknown> = isRecord(properties['optimize']) ? properties['optimize'] : {};
    optimize['vmBoot'] = { state: config.optimizeVmBoot ? 'Enabled' : 'Disabled' };
    properties['optimize'] = optimize;
  }

  if (isExplicit('buildTimeoutInMinutes')) properties['buildTimeoutInMinutes'] = config.buildVm.buildTimeoutInMinutes;
  if (isExplicit('stagingResourceGroup') && config.buildVm.stagingResourceGroup) {
    properties['stagingResourceGroup'] = config.buildVm.stagingResourceGroup;
  }
  applyVmProfile(config, properties, isExplicit);

  body['properties'] = properties;
  // The user's sections are passed through unchecked; the service validates them.
  return body as unknown as ImageTemplateBody;
}

const SOURCE_INPUTS: InputName[] = ['sourceType', 'baseImage', 'baseImageVersion', 'planInfo', 'managedImageId', 'galleryImageVersionId'];

const ENVELOPE_ONLY_FIELDS = ['id', 'name', 'type', 'apiVersion', 'systemData', 'dependsOn'];
const READ_ONLY_PROPERTIES = ['provisioningState', 'provisioningError', 'lastRunStatus', 'exactStagingResourceGroup'];

type IsExplicit = (...names: InputName[]) => boolean;

function applyValidate(config: ImageBuilderConfig, properties: Record<string, unknown>, isExplicit: IsExplicit): void {
  if (!isExplicit('validationInlineScript', 'sourceValidationOnly', 'continueDistributeOnFailure')) return;
  const validate: Record<string, unknown> = isRecord(properties['validate']) ? properties['validate'] : {};
  if (isExplicit('validationInlineScript')) {
    const ours = buildValidate(config)?.inVMValidations;
    if (ours) validate['inVMValidations'] = ours;
    else delete validate['inVMValidations'];
  }
  if (isExplicit('sourceValidationOnly')) validate['sourceValidationOnly'] = config.validate.sourceValidationOnly;
  if (isExplicit('continueDistributeOnFailure')) validate['continueDistributeOnFailure'] = config.validate.continueDistributeOnFailure;
  properties['validate'] = validate;
}

function applyVmProfile(config: ImageBuilderConfig, properties: Record<string, unknown>, isExplicit: IsExplicit): void {
  const ours = buildVmProfile(config.buildVm) ?? {};
  const profile: Record<string, unknown> = isRecord(properties['vmProfile']) ? properties['vmProfile'] : {};
  const take = (input: InputName, field: 'vmSize' | 'osDiskSizeGB' | 'userAssignedIdentities'): void => {
    if (!isExplicit(input)) return;
    if (ours[field] !== undefined) profile[field] = ours[field];
    else delete profile[field];
  };
  take('vmSize', 'vmSize');
  take('osDiskSizeGB', 'osDiskSizeGB');
  take('buildVmIdentities', 'userAssignedIdentities');

  if (isExplicit('vnetSubnetId', 'containerInstanceSubnetId', 'proxyVmSize')) {
    const vnet: Record<string, unknown> = isRecord(profile['vnetConfig']) ? profile['vnetConfig'] : {};
    const theirs = config.buildVm.vnet;
    if (isExplicit('vnetSubnetId') && theirs?.subnetId) vnet['subnetId'] = theirs.subnetId;
    if (isExplicit('containerInstanceSubnetId') && theirs?.containerInstanceSubnetId) vnet['containerInstanceSubnetId'] = theirs.containerInstanceSubnetId;
    if (isExplicit('proxyVmSize') && theirs?.proxyVmSize) vnet['proxyVmSize'] = theirs.proxyVmSize;
    if (Object.keys(vnet).length > 0) profile['vnetConfig'] = vnet;
  }
  if (Object.keys(profile).length > 0) properties['vmProfile'] = profile;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
