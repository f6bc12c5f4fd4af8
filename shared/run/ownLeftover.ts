/** Frees the template name when an earlier run of this same step left its template behind. */
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import { LocalizedError } from '../core/localizedError';
import type { BuildServices, TemplateState } from '../ports/buildServices';
import { realClock, type Clock } from '../core/clock';

/**
 * How long a run waits for its own name to come free: a cancel of the
 * earlier run may still be going on (real Azure: minutes), or its deletion
 * (139 s recorded). Longer than this, the run fails and says why.
 */
export const OWN_CANCELING_WAIT_MS = 2 * 60_000;
const OWN_DELETING_WAIT_MS = 5 * 60_000;
/** Polls start quick (a stand-in or a small template goes in seconds) and settle at every 10 s. */
const OWN_LEFTOVER_FIRST_POLL_MS = 1_000;
const OWN_LEFTOVER_POLL_MS = 10_000;

/**
 * A template of this run's own name may be left by an earlier run (an
 * explicit templateName is the same every run). One that is idle is deleted
 * and waited for, since the name must be free for the create; one that is
 * building is another run's live build and stops this run.
 */
export async function replaceOwnLeftover(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  signal: AbortSignal;
  clock?: Clock;
}): Promise<void> {
  const { host, config, services, signal } = args;
  const clock = args.clock ?? realClock;
  const name = config.target.templateName;
  const resourceGroup = config.target.resourceGroup;
  let existing: TemplateState | undefined = await services.templates.get(signal);
  if (!existing) return;

  if (runStateOf(existing) === 'canceling') {
    host.info(host.loc('OwnLeftoverCanceling', name, resourceGroup, Math.round(OWN_CANCELING_WAIT_MS / 60_000)));
    existing = await waitWhile(services, clock, signal, OWN_CANCELING_WAIT_MS, (s) => runStateOf(s) === 'canceling');
    if (existing && runStateOf(existing) === 'canceling') {
      throw new LocalizedError('OwnLeftoverStillCanceling', [name, resourceGroup, Math.round(OWN_CANCELING_WAIT_MS / 60_000)]);
    }
    if (!existing) return;
  }
  if (runStateOf(existing) === 'running') {
    throw new LocalizedError('TemplateAlreadyRunning', [name, existing.lastRunStatus?.runState ?? 'Running']);
  }
  const provisioning = (existing.provisioningState ?? '').toLowerCase();
  // Being created, or created and not run yet: possibly another job using the same explicit name
  // between its create and run requests. Only a finished or failed template is replaced.
  if (provisioning === 'creating' || provisioning === 'updating' || (provisioning === 'succeeded' && runStateOf(existing) === '')) {
    throw new LocalizedError('OwnTemplateNotFinished', [name, resourceGroup, existing.provisioningState ?? '']);
  }
  if (provisioning !== 'deleting') {
    host.info(host.loc('ReplacingLeftoverTemplate', name, existing.lastRunStatus?.runState || existing.provisioningState || 'unknown'));
    const answer = await services.templates.requestDelete(signal);
    if (answer.kind === 'refused') throw new LocalizedError('OwnLeftoverDeleteRefused', [name, resourceGroup, answer.reason]);
    if (answer.kind === 'gone') return;
  } else {
    host.info(host.loc('OwnLeftoverDeleting', name, resourceGroup));
  }
  // The name is free only once the deletion has finished.
  const left = await waitWhile(services, clock, signal, OWN_DELETING_WAIT_MS, () => true);
  if (left) throw new LocalizedError('OwnLeftoverStillDeleting', [name, resourceGroup, Math.round(OWN_DELETING_WAIT_MS / 60_000)]);
}

function runStateOf(state: TemplateState): string {
  return (state.lastRunStatus?.runState ?? '').toLowerCase();
}

/** Polls while the template exists and `holds`; returns its last state, undefined once it is gone. */
async function waitWhile(
  services: BuildServices,
  clock: Clock,
  signal: AbortSignal,
  limitMs: number,
  holds: (state: TemplateState) => boolean,
): Promise<TemplateState | undefined> {
  const until = clock.now() + limitMs;
  let state = await services.templates.get(signal);
  let interval = OWN_LEFTOVER_FIRST_POLL_MS;
  while (state && holds(state) && clock.now() < until) {
    await clock.sleep(Math.min(interval, Math.max(0, until - clock.now())), signal);
    interval = Math.min(interval * 2, OWN_LEFTOVER_POLL_MS);
    if (signal.aborted) throw new LocalizedError('BuildCanceledBeforeStart');
    state = await services.templates.get(signal);
  }
  return state;
}
