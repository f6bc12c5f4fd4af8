/**
 * Waits for an image template's build run to end by polling the template.
 *
 * The poller does no logging of its own: it reports what it sees as events
 * (printed by statusPrinter.ts) and returns a result the caller acts on, so the
 * rules for when to poll, when to give up and what counts as "done" live here
 * and can be tested with a fake clock.
 */

import { effectiveBuildTimeoutMinutes } from '../core/buildTimeout';
import { realClock, type Clock } from '../core/clock';
import { isTransientError, retryAfterMs } from '../core/httpAnswer';
import { type Phase, type PhaseDuration } from '../core/runPhase';

/** The `lastRunStatus.runState` values (2025-10-01) a run ends in. */
export type TerminalRunState = 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Canceled';

/** The part of an image template the watch needs (the SDK's ImageTemplate is assignable to it). */
export interface TemplateRunSnapshot {
  provisioningState?: string;
  provisioningError?: { provisioningErrorCode?: string; message?: string };
  lastRunStatus?: {
    runState?: string;
    runSubState?: string;
    message?: string;
    startTime?: Date | string;
    endTime?: Date | string;
  };
  /** Resource id of the staging resource group the service used. */
  exactStagingResourceGroup?: string;
}

export type WatchEvent =
  | { type: 'phaseChanged'; phase: Phase; previous?: Phase; at: number; elapsedMs: number; progressPercent: number }
  | { type: 'stagingResourceGroupKnown'; resourceGroupId: string; at: number }
  | { type: 'transientError'; error: unknown; consecutiveFailures: number; maxConsecutiveFailures: number; retryInMs: number; at: number }
  | { type: 'finished'; runState: TerminalRunState; snapshot: TemplateRunSnapshot; at: number; elapsedMs: number }
  | { type: 'deadlineExceeded'; deadline: number; at: number; elapsedMs: number; buildTimeoutMinutes: number; marginMinutes: number };

interface ResultBase {
  /** The last template state read, if any read succeeded. */
  snapshot?: TemplateRunSnapshot;
  phases: PhaseDuration[];
  elapsedMs: number;
}

export type PollResult = ResultBase &
  (
    | { kind: 'finished'; runState: TerminalRunState; snapshot: TemplateRunSnapshot }
    /** The submission itself failed (`provisioningState: Failed`); no run took place. */
    | { kind: 'provisioningFailed'; snapshot: TemplateRunSnapshot }
    | { kind: 'deadlineExceeded'; deadline: number }
    | { kind: 'aborted' }
    /** Reading the template failed: a non-transient error, or transient ones past the bound. */
    | { kind: 'pollFailed'; error: unknown; consecutiveFailures: number }
  );

export interface PollTemplateRunOptions {
  /** Reads the template (ARM GET). */
  getTemplate: () => Promise<TemplateRunSnapshot>;
  /** Seconds between polls before jitter. */
  intervalSeconds: number;
  /** The template's buildTimeoutInMinutes; 0 means the service default of 240. */
  buildTimeoutInMinutes: number;
  /** Added to the build timeout to form the deadline. Default DEFAULT_DEADLINE_MARGIN_MINUTES. */
  deadlineMarginMinutes?: number;
  /** Start of the run, for elapsed times and the deadline. Default: clock.now() when watching starts. */
  startedAt?: number;
  /** Stops the wait (pipeline cancel). The build itself is not cancelled here. */
  abortSignal?: AbortSignal;
  /** Consecutive transient failures tolerated before giving up. Default 5. */
  maxConsecutiveFailures?: number;
  /** Fraction of the interval added or removed at random. Default 0.1. */
  jitterRatio?: number;
  onEvent?: (event: WatchEvent) => void;
  /**
   * Called once per poll, after the template was read and events were sent,
   * with the snapshot (or undefined when the read failed). The log tailer hangs
   * here so that it makes exactly one read per poll. Errors it throws are ignored.
   */
  onTick?: (snapshot: TemplateRunSnapshot | undefined) => Promise<void>;
  /** Time and the wait between polls; the real clock unless a test gives its own. */
  clock?: Clock;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
}

/**
 * The service's timeout covers the build; queueing, the final state change and
 * clean-up of the build VM come on top, so the wait allows this much more.
 */
export const DEFAULT_DEADLINE_MARGIN_MINUTES = 30;
const DEFAULT_MAX_CONSECUTIVE_FAILURES = 5;
const DEFAULT_JITTER_RATIO = 0.1;

const TERMINAL: readonly TerminalRunState[] = ['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled'];

/**
 * Phase weights for the progress bar: the share of a typical build that is
 * done once the phase is reached. Customizing dominates most builds, so the
 * bar jumps to it early and creeps from there instead of sitting still.
 */
const PROGRESS_BY_SUB_STATE: Readonly<Record<string, number>> = {
  Queued: 5,
  Building: 15,
  Customizing: 60,
  Optimizing: 70,
  Validating: 80,
  Distributing: 90,
};

function isTerminalRunState(value: string | undefined): value is TerminalRunState {
  return TERMINAL.includes(value as TerminalRunState);
}

/** Percentage for task.setprogress. Unknown sub-states keep the bar where it was (`previous`). */
export function progressPercent(phase: Phase, previous = 0): number {
  if (isTerminalRunState(phase.runState)) return 100;
  const byPhase = phase.runSubState ? PROGRESS_BY_SUB_STATE[phase.runSubState] : undefined;
  return byPhase ?? previous;
}

function buildDeadline(startedAt: number, buildTimeoutInMinutes: number, marginMinutes = DEFAULT_DEADLINE_MARGIN_MINUTES): number {
  return startedAt + (effectiveBuildTimeoutMinutes(buildTimeoutInMinutes) + marginMinutes) * 60_000;
}

function samePhase(a: Phase | undefined, b: Phase): boolean {
  return a !== undefined && a.runState === b.runState && (a.runSubState ?? '') === (b.runSubState ?? '');
}

/**
 * The interval shortened by up to `ratio` at random, so parallel pipelines do
 * not poll ARM in lock step. Only ever shorter: the user's interval is the
 * longest a new status or log line waits to be seen.
 */
function jitteredDelayMs(intervalSeconds: number, ratio: number, random: () => number): number {
  const base = intervalSeconds * 1000;
  return Math.max(0, Math.round(base * (1 - random() * ratio)));
}

const ABORTED = Symbol('aborted');

/** Settles with `work`, or with ABORTED as soon as the signal fires (the read itself may go on; its answer is dropped). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Polls until the run ends, the deadline passes, the signal aborts or reads keep failing. */
export async function pollTemplateRun(options: PollTemplateRunOptions): Promise<PollResult> {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const jitter = options.jitterRatio ?? DEFAULT_JITTER_RATIO;
  const maxFailures = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
  const emit = options.onEvent ?? (() => undefined);
  const signal = options.abortSignal;
  const startedAt = options.startedAt ?? clock.now();
  const marginMinutes = options.deadlineMarginMinutes ?? DEFAULT_DEADLINE_MARGIN_MINUTES;
  const deadline = buildDeadline(startedAt, options.buildTimeoutInMinutes, marginMinutes);

  const phases: PhaseDuration[] = [];
  let current: Phase | undefined;
  let progress = 0;
  let snapshot: TemplateRunSnapshot | undefined;
  let stagingKnown = false;
  let failures = 0;

  let openPhase: PhaseDuration | undefined;
  const closePhase = (at: number) => {
    if (openPhase) openPhase.durationMs = at - openPhase.startedAt;
    openPhase = undefined;
  };
  const base = () => {
    const at = clock.now();
    closePhase(at);
    return { snapshot, phases, elapsedMs: at - startedAt };
  };

  const deadlineExceeded = (): PollResult => {
    const at = clock.now();
    emit({
      type: 'deadlineExceeded',
      deadline,
      at,
      elapsedMs: at - startedAt,
      buildTimeoutMinutes: effectiveBuildTimeoutMinutes(options.buildTimeoutInMinutes),
      marginMinutes,
    });
    return { ...base(), kind: 'deadlineExceeded', deadline };
  };

  for (;;) {
    if (signal?.aborted) return { ...base(), kind: 'aborted' };
    // Past the deadline the template is still read once more: the run may have
    // ended since the last read, up to a whole interval ago, and that end must
    // be reported rather than a timeout.
    const lastRead = clock.now() >= deadline;

    let read: TemplateRunSnapshot | typeof ABORTED | undefined;
    let delay = jitteredDelayMs(options.intervalSeconds, jitter, random);
    try {
      read = await raceAbort(options.getTemplate(), signal);
      failures = 0;
    } catch (error) {
      read = undefined;
      failures += 1;
      if (!isTransientError(error) || failures >= maxFailures) {
        return { ...base(), kind: 'pollFailed', error, consecutiveFailures: failures };
      }
      if (lastRead) return deadlineExceeded();
      // The server's wish wins over our interval when it asks for longer.
      delay = Math.max(delay, retryAfterMs((error as { response?: { headers?: unknown } } | null)?.response?.headers, clock.now()) ?? 0);
      emit({ type: 'transientError', error, consecutiveFailures: failures, maxConsecutiveFailures: maxFailures, retryInMs: delay, at: clock.now() });
    }
    if (read === ABORTED) return { ...base(), kind: 'aborted' };

    if (read) {
      snapshot = read;
      const at = clock.now();
      if (!stagingKnown && read.exactStagingResourceGroup) {
        stagingKnown = true;
        emit({ type: 'stagingResourceGroupKnown', resourceGroupId: read.exactStagingResourceGroup, at });
      }
      const runState = read.lastRunStatus?.runState;
      // A terminal state is not a phase: it is reported once, as "finished".
      if (runState && !isTerminalRunState(runState)) {
        const phase: Phase = { runState, ...(read.lastRunStatus?.runSubState ? { runSubState: read.lastRunStatus.runSubState } : {}) };
        if (!samePhase(current, phase)) {
          closePhase(at);
          openPhase = { phase, startedAt: at, durationMs: 0 };
          phases.push(openPhase);
          progress = progressPercent(phase, progress);
          emit({ type: 'phaseChanged', phase, ...(current ? { previous: current } : {}), at, elapsedMs: at - startedAt, progressPercent: progress });
          current = phase;
        }
      }
      if (isTerminalRunState(runState)) {
        closePhase(at);
        await tick(options, read);
        emit({ type: 'finished', runState, snapshot: read, at, elapsedMs: at - startedAt });
        return { ...base(), kind: 'finished', runState, snapshot: read };
      }
      if (!runState && read.provisioningState === 'Failed') {
        return { ...base(), kind: 'provisioningFailed', snapshot: read };
      }
    }
    await tick(options, read);
    if (lastRead) return deadlineExceeded();

    // Never sleep past the deadline: wake up at it and report.
    const wait = Math.max(0, Math.min(delay, deadline - clock.now()));
    // The wait ends early on abort; the poll ends with it rather than reading once more.
    await clock.sleep(wait, signal);
    if (signal?.aborted) return { ...base(), kind: 'aborted' };
  }
}

async function tick(options: PollTemplateRunOptions, snapshot: TemplateRunSnapshot | undefined): Promise<void> {
  if (!options.onTick) return;
  try {
    await options.onTick(snapshot);
  } catch {
    // The tick hook (the log tailer) reports its own problems; a broken log view must not end the watch.
  }
}
