/** Watches a running build: status polling, log tailing and the status lines, until it ends. */
import type { ImageBuilderConfig } from '../config/types';
import { realClock, type Clock } from '../core/clock';
import type { TaskHost } from '../core/taskHost';
import { Heartbeat } from '../watch/heartbeat';
import { LogSections, type StepTiming, type TemplateStep } from '../watch/logSections';
import { LogTailer } from '../watch/logTailer';
import { createStatusPrinter } from '../watch/statusPrinter';
import {
  pollTemplateRun,
  type TemplateRunSnapshot,
} from '../watch/statusPoller';
import { phaseLabel, type PhaseDuration } from '../core/runPhase';
import type { BuildServices, TemplateState } from '../ports/buildServices';

export type WatchKind = 'succeeded' | 'partiallySucceeded' | 'failed' | 'canceled' | 'timedOut' | 'provisioningFailed' | 'pollFailed';

export interface WatchResult {
  kind: WatchKind;
  snapshot?: TemplateRunSnapshot;
  phases: PhaseDuration[];
  elapsedMs: number;
  stagingResourceGroup?: string;
  /** Last lines of customization.log, for failure reports. */
  logTail: string[];
  /** The whole log as read, for build.uploadlog. */
  logFile?: string;
  /** The template's steps as the log showed them, with their durations. */
  stepTimings?: StepTiming[];
  error?: unknown;
}

/**
 * Watches a started build: status lines, progress and the live build log,
 * until the run ends, the wait times out, or the pipeline is cancelled (then
 * the build is cancelled too). Status and log lines share one LogSections so
 * status never lands inside a collapsed log group.
 */
export async function watchRun(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  cancellation: AbortSignal;
  /** The template's customizers and validators, to title the log's groups. */
  steps?: readonly TemplateStep[];
  /** Time for elapsed times, the deadline, the heartbeat and the wait between polls; the real clock by default. */
  clock?: Clock;
}): Promise<WatchResult> {
  const { host, config, services, cancellation } = args;
  const clock = args.clock ?? realClock;
  const startedAt = clock.now();
  let heartbeat: Heartbeat | undefined;
  const sections = new LogSections(host, { steps: args.steps, onLogLine: () => heartbeat?.logLine(), now: clock.now });
  heartbeat = new Heartbeat(host, sections, startedAt, clock.now);
  const tailer = new LogTailer({ host, sections, deps: services.buildLogAccess(), ownStagingResourceGroup: config.buildVm.stagingResourceGroup !== undefined });
  const printStatus = createStatusPrinter(host, sections);
  let status = 'Running';
  const poll = await pollTemplateRun({
    getTemplate: async () => toSnapshot(await services.templates.get()),
    intervalSeconds: config.pollIntervalSeconds,
    buildTimeoutInMinutes: config.buildVm.buildTimeoutInMinutes,
    abortSignal: cancellation,
    startedAt,
    clock,
    onEvent: (event) => {
      if (event.type === 'phaseChanged') status = phaseLabel(event.phase);
      printStatus(event);
    },
    onTick: async (snapshot) => {
      await tailer.tick(snapshot);
      heartbeat?.check(status);
    },
  });

  const base = { phases: poll.phases, elapsedMs: poll.elapsedMs, snapshot: poll.snapshot, stagingResourceGroup: poll.snapshot?.exactStagingResourceGroup };
  const done = async (kind: WatchKind, extra: Partial<WatchResult> = {}): Promise<WatchResult> => {
    if (kind === 'canceled' || kind === 'timedOut') tailer.stop();
    else await tailer.finish();
    return { ...base, ...extra, kind, logTail: tailer.lastLines(), logFile: tailer.logFilePath, stepTimings: sections.stepTimings() };
  };

  switch (poll.kind) {
    case 'finished': {
      const kinds = { Succeeded: 'succeeded', PartiallySucceeded: 'partiallySucceeded', Failed: 'failed', Canceled: 'canceled' } as const;
      return done(kinds[poll.runState]);
    }
    case 'provisioningFailed':
      return done('provisioningFailed');
    case 'pollFailed':
      return done('pollFailed', { error: poll.error });
    case 'deadlineExceeded':
      sections.pause();
      await stopBuild(host, services, host.loc('WatchDeadlineCancel'));
      return done('timedOut');
    case 'aborted':
      sections.pause();
      await stopBuild(host, services, host.loc('CancelingBuild'));
      return done('canceled');
  }
}

/**
 * Sends the cancel and returns once Azure accepted it. Real Azure answers 204
 * and then stays Canceling for minutes, past the agent's grace period
 * (SIGTERM 7.5 s after SIGINT), so there is nothing worth waiting for here;
 * cleanup says what is left.
 */
async function stopBuild(host: TaskHost, services: BuildServices, why: string): Promise<void> {
  host.info(why);
  try {
    await services.templates.cancelRun();
  } catch (err) {
    host.warning(host.loc('CancelRequestFailed', (err as Error).message));
    return;
  }
  host.info(host.loc('BuildCancelRequested'));
}

function toSnapshot(state: TemplateState | undefined): TemplateRunSnapshot {
  if (!state) {
    // The template vanished under the run (deleted by someone else): not transient.
    throw Object.assign(new Error('The image template no longer exists.'), { statusCode: 404 });
  }
  return {
    provisioningState: state.provisioningState,
    provisioningError: state.provisioningError
      ? { provisioningErrorCode: state.provisioningError.code, message: state.provisioningError.message }
      : undefined,
    lastRunStatus: state.lastRunStatus,
    exactStagingResourceGroup: state.exactStagingResourceGroup,
  };
}
