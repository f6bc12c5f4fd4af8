/**
 * Checks a submitted image template the way the service does: first against the
 * published swagger (unknown or miscased fields and subtype fields included),
 * then the rules the swagger cannot express. Failures become 400 ValidationFailed
 * with the service's "Validation failed: ..." wording.
 */
import { loadImageTemplateSpec, type ImageBuilderApiVersion } from '../../imageTemplateSpec';
import { ArmError, isRecord } from './http';

export const SUPPORTED_API_VERSIONS: readonly ImageBuilderApiVersion[] = ['2025-10-01', '2024-02-01'];

const TEMPLATE_REF = 'Please review http://aka.ms/azvmimagebuildertmplref for details on fields requirements in the Image Builder Template.';

export function assertImageBuilderApiVersion(apiVersion: string | null): ImageBuilderApiVersion {
  if (!apiVersion) {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const found = SUPPORTED_API_VERSIONS.find((v) => v === apiVersion);
  if (!found) {
    throw new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${apiVersion}' is invalid. The supported versions are '${SUPPORTED_API_VERSIONS.join(',')}'.`,
    );
  }
  return found;
}

function fail(errors: string[]): never {
  throw new ArmError(400, 'ValidationFailed', `Validation failed: ${errors.join('; ')}. ${TEMPLATE_REF}`);
}

export async function validateTemplateBody(apiVersion: ImageBuilderApiVersion, body: unknown): Promise<void> {
  const spec = await loadImageTemplateSpec(apiVersion);
  const result = spec.validateTemplate(body);
  if (!result.valid) fail(result.errors);
  failIf(semanticErrors(body as Record<string, unknown>));
}

export async function validateUpdateBody(apiVersion: ImageBuilderApiVersion, body: unknown): Promise<void> {
  const spec = await loadImageTemplateSpec(apiVersion);
  const result = spec.validateDefinition('ImageTemplateUpdateParameters', body);
  if (!result.valid) fail(result.errors);
}

export async function validateTriggerBody(apiVersion: ImageBuilderApiVersion, body: unknown): Promise<void> {
  const spec = await loadImageTemplateSpec(apiVersion);
  const result = spec.validateDefinition('Trigger', body);
  if (!result.valid) fail(result.errors);
}

function failIf(errors: string[]): void {
  if (errors.length > 0) fail(errors);
}

/** Rules the service enforces that the swagger does not express. */
function semanticErrors(body: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const identity = body.identity;
  if (!isRecord(identity) || identity.type !== 'UserAssigned' || !isRecord(identity.userAssignedIdentities) || Object.keys(identity.userAssignedIdentities).length !== 1) {
    errors.push("'ImageTemplate.identity': Exactly one user assigned identity is required for the image template");
  }
  const props = isRecord(body.properties) ? body.properties : {};
  const customize = Array.isArray(props.customize) ? props.customize : [];
  customize.forEach((c, i) => {
    if (!isRecord(c)) return;
    const where = `'ImageTemplate.properties.customize[${i}]'`;
    if (c.type === 'Shell' || c.type === 'PowerShell') {
      const hasScript = typeof c.scriptUri === 'string' && c.scriptUri.length > 0;
      const hasInline = Array.isArray(c.inline) && c.inline.length > 0;
      if (hasScript === hasInline) errors.push(`${where}: Exactly one of the fields 'scriptUri' and 'inline' must be given`);
      if (c.type === 'PowerShell' && c.runAsSystem === true && c.runElevated !== true) {
        errors.push(`${where}: Field 'runAsSystem' can only be set when 'runElevated' is true`);
      }
    }
    if (c.type === 'File' && (typeof c.sourceUri !== 'string' || c.sourceUri.length === 0)) errors.push(`${where}: Missing field 'sourceUri'`);
    if (typeof c.sha256Checksum === 'string' && c.sha256Checksum !== '' && !/^[0-9a-fA-F]{64}$/.test(c.sha256Checksum)) {
      errors.push(`${where}: Field 'sha256Checksum' has a bad value: '${c.sha256Checksum}'`);
    }
  });
  const distribute = Array.isArray(props.distribute) ? props.distribute : [];
  if (distribute.length === 0) errors.push("'ImageTemplate.properties.distribute': At least one distribution target is required");
  const names = new Set<string>();
  distribute.forEach((d, i) => {
    if (!isRecord(d) || typeof d.runOutputName !== 'string') return;
    if (names.has(d.runOutputName.toLowerCase())) {
      errors.push(`'ImageTemplate.properties.distribute[${i}]': Duplicate runOutputName '${d.runOutputName}'`);
    }
    names.add(d.runOutputName.toLowerCase());
    if (d.type === 'SharedImage' && Array.isArray(d.targetRegions) && Array.isArray(d.replicationRegions)) {
      errors.push(`'ImageTemplate.properties.distribute[${i}]': Only one of 'targetRegions' and 'replicationRegions' may be given`);
    }
  });
  return errors;
}
