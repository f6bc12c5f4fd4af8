/** Removes templates earlier runs of the task left behind (tagged as ours, old enough). */
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import type { BuildServices, ListedTemplate, RunStatus } from '../ports/buildServices';
import { cleanupPolicyOf, isOwnedByTask } from './ownership';

/**
 * A cancel on real Azure leaves the template Canceling for minutes, longer
 * than the agent lets a cancelled step live; past this bound since the run
 * started, Canceling is taken as stuck and the template as abandoned.
 */
export const CANCELING_BOUND_MS = 60 * 60_000;
/**
 * A finished template may still be read by the job that ran it (status poll,
 * run outputs, log tail) before that job deletes it: another job leaves it
 * alone for this long after the run ended.
 */
export const FINISHED_GRACE_MS = 15 * 60_000;

export type LeftoverVerdict =
  | { action: 'delete'; state: string }
  | { action: 'keep'; reason: 'notOurs' | 'ownName' | 'busy' | 'neverRun' | 'running' | 'canceling' | 'keptByPolicy' | 'recent' | 'unknown'; state: string };

/**
 * Pure: whether a template of the resource group is this task's abandoned
 * leftover. Only templates tagged as the task's are considered; a running
 * one (another job's live build) never is, nor one its run's cleanup policy
 * meant to keep.
 */
export function judgeLeftover(template: ListedTemplate, ownName: string, now: number): LeftoverVerdict {
  const run = template.lastRunStatus;
  const state = describeState(template);
  const keep = (reason: Extract<LeftoverVerdict, { action: 'keep' }>['reason']): LeftoverVerdict => ({ action: 'keep', reason, state });
  if (!isOwnedByTask(template.tags)) return keep('notOurs');
  // This run's own name is handled apart: it must be gone, not only requested, before the create.
  if (template.name.toLowerCase() === ownName.toLowerCase()) return keep('ownName');
  const provisioning = (template.provisioningState ?? '').toLowerCase();
  if (provisioning === 'creating' || provisioning === 'updating' || provisioning === 'deleting') return keep('busy');
  const policy = cleanupPolicyOf(template.tags);
  if (policy === undefined || policy === 'never') return keep('keptByPolicy');
  if (provisioning === 'failed') return policy === 'always' ? { action: 'delete', state } : keep('keptByPolicy');
  const runState = (run?.runState ?? '').toLowerCase();
  switch (runState) {
    case '':
      // Created and not started yet: possibly a live job between its create and run requests.
      return keep('neverRun');
    case 'running':
      return keep('running');
    case 'canceling': {
      const started = validTime(run?.startTime);
      return started !== undefined && now - started > CANCELING_BOUND_MS ? { action: 'delete', state } : keep('canceling');
    }
    case 'canceled':
      return policy === 'always' ? { action: 'delete', state } : keep('keptByPolicy');
    case 'failed':
      if (policy !== 'always') return keep('keptByPolicy');
      return isRecent(run, now) ? keep('recent') : { action: 'delete', state };
    case 'succeeded':
    case 'partiallysucceeded':
      // The VHD in the service's default place lives in the staging account and goes with the template.
      if (template.distributesToDefaultVhd) return keep('keptByPolicy');
      return isRecent(run, now) ? keep('recent') : { action: 'delete', state };
    default:
      return keep('unknown');
  }
}

function describeState(template: ListedTemplate): string {
  if ((template.provisioningState ?? '').toLowerCase() === 'failed') return `provisioning ${template.provisioningState}`;
  return template.lastRunStatus?.runState ?? template.provisioningState ?? 'unknown';
}

function isRecent(run: RunStatus | undefined, now: number): boolean {
  const at = validTime(run?.endTime) ?? validTime(run?.startTime);
  return at !== undefined && now - at < FINISHED_GRACE_MS;
}

/** Epoch ms of a real time; the service writes the zero date (0001-01-01) for an end that has not come. */
function validTime(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) && ms > Date.UTC(2000, 0, 1) ? ms : undefined;
}

/**
 * Requests the deletion of this task's abandoned templates in the resource
 * group, without waiting for any, and says which by name. It never fails the
 * run: listing needs only read access, and anything it cannot do is a warning.
 */
export async function sweepLeftovers(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  signal: AbortSignal;
  now?: () => number;
}): Promise<void> {
  const { host, config, services, signal } = args;
  const resourceGroup = config.target.resourceGroup;
  let templates: ListedTemplate[];
  try {
    templates = await services.resourceGroupTemplates.list(signal);
  } catch (err) {
    if (signal.aborted) throw err;
    host.warning(host.loc('SweepListFailed', resourceGroup, errorText(err)));
    return;
  }
  const now = (args.now ?? Date.now)();
  for (const template of templates) {
    const verdict = judgeLeftover(template, config.target.templateName, now);
    if (verdict.action === 'keep') {
      if (verdict.reason === 'canceling') host.info(host.loc('SweepLeftCanceling', template.name, resourceGroup));
      continue;
    }
    try {
      const answer = await services.resourceGroupTemplates.requestDelete(template.name, signal);
      if (answer.kind === 'accepted') host.info(host.loc('SweepDeletionRequested', template.name, resourceGroup, verdict.state));
      else if (answer.kind === 'gone') host.info(host.loc('SweepDeleted', template.name, resourceGroup, verdict.state));
      else host.info(host.loc('SweepDeleteRefused', template.name, resourceGroup, verdict.state, answer.reason));
    } catch (err) {
      if (signal.aborted) throw err;
      host.warning(host.loc('SweepDeleteFailed', template.name, resourceGroup, errorText(err)));
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
