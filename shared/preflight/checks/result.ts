/** Helpers to build a check's result lines. */
import type { InputName } from '../../config/inputNames';
import type { CheckId, CheckResult } from '../types';

/** Builders of checklist lines, so each check reads as a list of decisions. */
export function checkLines(id: CheckId) {
  return {
    passed: (key: string, ...args: unknown[]): CheckResult => ({ id, status: 'passed', key, args }),
    warning: (input: InputName | undefined, key: string, ...args: unknown[]): CheckResult => ({ id, status: 'warning', ...(input ? { input } : {}), key, args }),
    failed: (input: InputName, key: string, ...args: unknown[]): CheckResult => ({ id, status: 'failed', input, key, args }),
  };
}
