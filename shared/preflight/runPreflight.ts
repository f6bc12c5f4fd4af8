/**
 * Runs every check at once, each within its own time limit, and sums up.
 *
 * A check that cannot read Azure (a 403 on a scope, a throttled API, a
 * timeout) says so as a warning for that check: a preflight must never be the
 * reason a build that would have worked does not run.
 */
import type { ImageBuilderConfig } from '../config/types';
import { describeError } from '../core/format';
import { PREFLIGHT_CHECKS } from './checks';
import { memoizedReader } from './memoizedReader';
import type { CheckResult, PreflightCheck, PreflightOutcome, PreflightReader, PreflightVerdict } from './types';

/** Generous for a handful of ARM reads, short against a build of an hour. */
export const DEFAULT_CHECK_TIMEOUT_MS = 20_000;

export interface PreflightRequest {
  config: ImageBuilderConfig;
  subscriptionId: string;
  reader: PreflightReader;
  /** Time limit of each check. */
  timeoutMs?: number;
  /** The task's cancellation. */
  signal?: AbortSignal;
  /** The checks to run; all of them unless a test narrows it. */
  checks?: readonly PreflightCheck[];
}

export async function runPreflight(request: PreflightRequest): Promise<PreflightOutcome> {
  const started = Date.now();
  const timeoutMs = request.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const reader = memoizedReader(request.reader);
  const checks = request.checks ?? PREFLIGHT_CHECKS;
  // One listener on the task's signal stops every check: a listener per check
  // would pass Node's limit of 10 per signal, and Node would print a leak
  // warning into the pipeline log on every run.
  const controllers = checks.map(() => new AbortController());
  const onCancel = () => {
    for (const controller of controllers) controller.abort(request.signal?.reason);
  };
  request.signal?.addEventListener('abort', onCancel, { once: true });
  let perCheck: CheckResult[][];
  try {
    perCheck = await Promise.all(checks.map((check, i) => runOne(check, request, reader, timeoutMs, controllers[i]!)));
  } finally {
    request.signal?.removeEventListener('abort', onCancel);
  }
  const results = perCheck.flat();
  return { verdict: verdictOf(results), results, elapsedMs: Date.now() - started };
}

/** One check within its time limit; `controller` aborts its reads on a cancel of the task or at the limit. */
async function runOne(check: PreflightCheck, request: PreflightRequest, reader: PreflightReader, timeoutMs: number, controller: AbortController): Promise<CheckResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([check.run({ config: request.config, subscriptionId: request.subscriptionId, reader, signal: controller.signal }), timedOut]);
    if (outcome === 'timeout') {
      controller.abort(new Error('preflight check timed out'));
      return [{ id: check.id, status: 'warning', key: 'PreflightCheckTimedOut', args: [timeoutMs / 1000] }];
    }
    return outcome;
  } catch (error) {
    return [{ id: check.id, status: 'warning', key: 'PreflightCheckError', args: [describeError(error)] }];
  } finally {
    clearTimeout(timer);
  }
}

function verdictOf(results: readonly CheckResult[]): PreflightVerdict {
  if (results.some((r) => r.status === 'failed')) return 'failed';
  if (results.some((r) => r.status === 'warning')) return 'warnings';
  return 'passed';
}
