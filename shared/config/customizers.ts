import { issue, type Issue } from './problems';

export interface CustomizersResult {
  customizers: Record<string, unknown>[];
  issues: Issue[];
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A JSON array of customizer objects, each with a string `type`. Their other
 * fields are the service's business (the template is validated there and by
 * the preflight), but without `type` the service cannot even tell what the
 * object is, so that is caught here.
 */
export function parseAdditionalCustomizers(text: string): CustomizersResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { customizers: [], issues: [issue('InvalidJson', (error as Error).message)] };
  }
  if (!Array.isArray(value)) return { customizers: [], issues: [issue('CustomizersNotArray', describeJsonType(value))] };
  const customizers: Record<string, unknown>[] = [];
  const issues: Issue[] = [];
  value.forEach((element: unknown, index) => {
    if (typeof element === 'object' && element !== null && !Array.isArray(element)) {
      const record = element as Record<string, unknown>;
      if (typeof record['type'] === 'string' && record['type'] !== '') {
        customizers.push(record);
        return;
      }
    }
    issues.push(issue('CustomizerWithoutType', index + 1));
  });
  return { customizers, issues };
}
