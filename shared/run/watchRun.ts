import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../host/types';
import { LogSections } from '../watch/logSections';
import { LogTailer } from '../watch/logTailer';
import { createStatusPrinter } from '../watch/statusPrinter';
import {
  pollTemplateRun,
  realSleep,
  type PhaseDuration,
  type TemplateRunSnapshot,
} from '../watch/statusPoller';
import type { BuildServices, TemplateState } from './buildServices';

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
  error?: unknown;
}

/**
 * The agent sends SIGTERM 7.5 s after SIGINT and kills 2.5 s later. Cancel is
 * sent at once; this is how long to wait for the service to confirm it before
 * cleanup starts, leaving time for the deletes.
 */
const CANCEL_CONFIRM_WAIT_MS = 4_000;
const CANCEL_CONFIRM_POLL_MS = 500;

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
}): Promise<WatchResult> {
  const { host, config, services, cancellation } = args;
  const sections = new LogSections(host);
  const tailer = new LogTailer({ host, sections, deps: services.buildLogAccess() });
  const poll = await pollTemplateRun({
    getTemplate: async () => toSnapshot(await services.templates.get()),
    intervalSeconds: config.pollIntervalSeconds,
    buildTimeoutInMinutes: config.buildVm.buildTimeoutInMinutes,
    abortSignal: cancellation,
    onEvent: createStatusPrinter(host, sections),
    onTick: (snapshot) => tailer.tick(snapshot),
  });

  const base = { phases: poll.phases, elapsedMs: poll.elapsedMs, snapshot: poll.snapshot, stagingResourceGroup: poll.snapshot?.exactStagingResourceGroup };
  const done = async (kind: WatchKind, extra: Partial<WatchResult> = {}): Promise<WatchResult> => {
    if (kind === 'canceled' || kind === 'timedOut') tailer.stop();
    else await tailer.finish();
    return { ...base, ...extra, kind, logTail: tailer.lastLines(), logFile: tailer.logFilePath };
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

/** Sends cancel and waits briefly for the service to confirm, so cleanup can delete the template. */
async function stopBuild(host: TaskHost, services: BuildServices, why: string): Promise<void> {
  host.info(why);
  try {
    await services.templates.cancelRun();
  } catch (err) {
    host.warning(host.loc('CancelRequestFailed', (err as Error).message));
    return;
  }
  const until = Date.now() + CANCEL_CONFIRM_WAIT_MS;
  while (Date.now() < until) {
    const state = await services.templates.get().catch(() => undefined);
    const runState = state?.lastRunStatus?.runState?.toLowerCase();
    if (runState && runState !== 'running' && runState !== 'canceling') {
      host.info(host.loc('BuildCancelConfirmed', state?.lastRunStatus?.runState));
      return;
    }
    await realSleep(CANCEL_CONFIRM_POLL_MS);
  }
  host.warning(host.loc('BuildCancelNotConfirmed'));
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
