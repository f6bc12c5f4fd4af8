/** Config to the imageTemplates request body (API 2025-10-01); pure. */
import type { ImageBuilderConfig } from '../config/types';
import { orderedCustomizers, planCustomization } from './customizeSteps';
import { buildDistributors } from './distribute';
import { buildSource } from './source';
import { buildVmProfile, templateIdentity } from './sections';
import type { ImageTemplateBody, ImageTemplateProperties, StagedInputs } from './types';
import { applyOverUserTemplate } from './userTemplate';
import { buildValidate } from './validate';

/**
 * Turns the config into the imageTemplates request body (API 2025-10-01).
 * Pure: no I/O, same input gives the same body.
 */
export function buildImageTemplate(config: ImageBuilderConfig, staged: StagedInputs = {}): ImageTemplateBody {
  const plan = planCustomization(config, staged.artifact);
  if (config.userTemplate) return applyOverUserTemplate(config, config.userTemplate, staged, plan);

  const customize = orderedCustomizers(plan);
  const validate = buildValidate(config);
  const vmProfile = buildVmProfile(config.buildVm);
  const { buildTimeoutInMinutes, stagingResourceGroup } = config.buildVm;
  // Optional sections only when set, so the body shows what was asked for and nothing else.
  const properties: ImageTemplateProperties = {
    source: buildSource(config.source, staged.pinnedPlatformVersion, staged.pinnedGalleryVersionId),
    ...(customize.length > 0 ? { customize } : {}),
    ...(validate ? { validate } : {}),
    distribute: buildDistributors(config.distribute, config.target.location),
    errorHandling: { ...config.errorHandling },
    ...(config.optimizeVmBoot ? { optimize: { vmBoot: { state: 'Enabled' as const } } } : {}),
    ...(buildTimeoutInMinutes > 0 ? { buildTimeoutInMinutes } : {}),
    ...(vmProfile ? { vmProfile } : {}),
    ...(stagingResourceGroup ? { stagingResourceGroup } : {}),
  };

  return {
    location: config.target.location,
    ...(Object.keys(config.templateTags).length > 0 ? { tags: { ...config.templateTags } } : {}),
    identity: templateIdentity(config),
    properties,
  };
}
