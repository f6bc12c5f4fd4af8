/** The validate section of the template. */
import type { ImageBuilderConfig } from '../config/types';
import type { ImageTemplateValidate } from './types';

/** The validate section, or undefined when nothing is asked for (the service then validates nothing). */
export function buildValidate(config: Pick<ImageBuilderConfig, 'validate' | 'provisioner'>): ImageTemplateValidate | undefined {
  const { inlineScript, sourceValidationOnly, continueDistributeOnFailure } = config.validate;
  if (inlineScript.length === 0 && !sourceValidationOnly && !continueDistributeOnFailure) return undefined;
  const validate: ImageTemplateValidate = {};
  if (inlineScript.length > 0) {
    validate.inVMValidations = [
      { type: config.provisioner === 'powershell' ? 'PowerShell' : 'Shell', name: 'ValidationInlineScript', inline: [...inlineScript] },
    ];
  }
  if (sourceValidationOnly) validate.sourceValidationOnly = true;
  if (continueDistributeOnFailure) validate.continueDistributeOnFailure = true;
  return validate;
}
