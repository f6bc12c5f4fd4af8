/** Parses the customizers JSON input into the customizer list the template takes. */
import { parseJsonInput } from './jsonInput';
import { issue, type Issue } from './problems';

export interface CustomizersResult {
  customizers: Record<string, unknown>[];
  issues: Issue[];
}

/** The customizer `type` values API 2025-10-01 defines (its discriminator values); the service refuses any other. */
export const CUSTOMIZER_TYPES = ['Shell', 'PowerShell', 'File', 'WindowsRestart', 'WindowsUpdate'] as const;
/** The in-VM validator `type` values API 2025-10-01 defines. */
export const VALIDATOR_TYPES = ['Shell', 'PowerShell', 'File'] as const;

/** Customizers that run on one OS only (Image Builder docs); the build would fail on the other after its VM started. */
const OS_OF_CUSTOMIZER: Readonly<Record<string, 'linux' | 'windows'>> = {
  Shell: 'linux',
  PowerShell: 'windows',
  WindowsRestart: 'windows',
  WindowsUpdate: 'windows',
};

/** Issues for customizers that cannot run on the build VM's OS (shell provisioner: Linux; powershell: Windows). */
export function customizerOsIssues(customizers: readonly Record<string, unknown>[], provisioner: 'shell' | 'powershell'): Issue[] {
  const os = provisioner === 'shell' ? 'linux' : 'windows';
  const issues: Issue[] = [];
  customizers.forEach((customizer, index) => {
    const type = String(customizer['type']);
    const needs = OS_OF_CUSTOMIZER[type];
    if (needs !== undefined && needs !== os) issues.push(issue('CustomizerWrongOs', index + 1, type, needs === 'linux' ? 'Linux' : 'Windows', provisioner));
  });
  return issues;
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A JSON array of customizer objects, each with a `type` the API defines.
 * Their other fields are the service's business (the template is validated
 * there and by the preflight), but the type decides what the object is, and a
 * wrong one is known here, before anything is sent.
 */
export function parseAdditionalCustomizers(text: string): CustomizersResult {
  const parsed = parseJsonInput(text);
  if (!parsed.ok) return { customizers: [], issues: [parsed.issue] };
  const value = parsed.value;
  if (!Array.isArray(value)) return { customizers: [], issues: [issue('CustomizersNotArray', describeJsonType(value))] };
  const customizers: Record<string, unknown>[] = [];
  const issues: Issue[] = [];
  value.forEach((element: unknown, index) => {
    if (typeof element === 'object' && element !== null && !Array.isArray(element)) {
      const record = element as Record<string, unknown>;
      const type = record['type'];
      if (typeof type === 'string' && type !== '') {
        if ((CUSTOMIZER_TYPES as readonly string[]).includes(type)) customizers.push(record);
        else issues.push(issue('CustomizerTypeUnknown', index + 1, type, CUSTOMIZER_TYPES.join(', ')));
        return;
      }
    }
    issues.push(issue('CustomizerWithoutType', index + 1));
  });
  return { customizers, issues };
}
