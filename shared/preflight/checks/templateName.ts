/**
 * A template of the same name left from an earlier attempt. Reported, not
 * judged: the build run replaces an idle one and stops at a running one.
 */
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

const ACTIVE_RUN_STATES = new Set(['running', 'canceling']);

export async function checkTemplateName(ctx: PreflightContext): Promise<CheckResult[]> {
  const line = checkLines('templateName');
  const { resourceGroup, templateName } = ctx.config.target;
  const existing = await ctx.reader.getTemplate(resourceGroup, templateName, ctx.signal);
  if (!existing) return [line.passed('PreflightTemplateNameFree', templateName, resourceGroup)];
  const runState = existing.runState ?? '';
  if (ACTIVE_RUN_STATES.has(runState.toLowerCase())) {
    return [line.warning('templateName', 'PreflightTemplateRunning', templateName, resourceGroup, [runState, existing.runSubState].filter(Boolean).join('/'))];
  }
  return [line.warning('templateName', 'PreflightTemplateLeftover', templateName, resourceGroup, existing.provisioningState ?? 'unknown', runState || 'none')];
}
