/**
 * The one retry policy every Azure client of the task uses (ARM and Blob Storage).
 *
 * What the SDKs already do, read from the pinned sources, and what this adds:
 *
 * - @azure/core-rest-pipeline 1.24.0 `defaultRetryPolicy` (ts-http-runtime
 *   `retryPolicy` + `throttlingRetryStrategy` + `exponentialRetryStrategy`):
 *   3 retries; exponential backoff (1 s base, 64 s cap) with jitter for 408,
 *   5xx except 501/505, and ETIMEDOUT/ESOCKETTIMEDOUT/ECONNREFUSED/ECONNRESET/
 *   ENOENT/ENOTFOUND. Gaps:
 *     1. `Retry-After` is read only on 429 and 503, and its value is obeyed
 *        however large, so one answer can stall a build for as long as the
 *        server says. Here it is read on every retried status and capped:
 *        beyond `maxRetryAfterInMs` the task gives up and reports the error
 *        rather than sleep unboundedly.
 *     2. A request has no time limit by default (`request.timeout` 0): a
 *        connection that stops answering hangs the task until the agent kills
 *        it. Here each try gets `tryTimeoutInMs` until response headers, and
 *        running out of it counts as a retryable timeout (the runtime raises a
 *        bare AbortError for it, which its retry loop never retries).
 *     3. EPIPE, EAI_AGAIN, ECONNABORTED, socket errors without a code
 *        (REQUEST_SEND_ERROR) and a connection lost while the reply body is
 *        read (reported as PARSE_ERROR) are not retried; here they are.
 *   The retry loop itself (abort handling, logging, counting) is the SDK's
 *   exported `retryPolicy`; only the decisions are ours, and they are the
 *   ones the status poller and the log reader make too (shared/core/httpAnswer.ts).
 *
 * - @azure/storage-blob 12.32.0 `StorageRetryPolicy` (storage-common): 4 tries,
 *   4 s base and 120 s cap without jitter, on 500 and 503 and network errors
 *   only. Gaps: 408, 429, 502 and 504 are not retried and `Retry-After` is
 *   ignored. The storage pipeline cannot be given extra policies through its
 *   options, so `applyRetryPolicy` replaces its Retry phase with this policy
 *   (see clients.ts); the blob SDK's other policies stay as they are.
 *
 * Non-idempotent requests: like the SDKs, this retries every method. An ARM
 * action (POST .../run) repeated after a connection reset can answer 409
 * because the first attempt did start the run; callers of such actions treat
 * that answer as "already started", not as a failure.
 */
import {
  RestError,
  isRestError,
  retryPolicy,
  type Pipeline,
  type PipelinePolicy,
  type RetryStrategy,
} from '@azure/core-rest-pipeline';
import { isTransientError, isTransientStatus, retryAfterMs } from '../core/httpAnswer';

export interface RetryTuning {
  /** Retries after the first try. Default 5. */
  maxRetries?: number;
  /** First backoff wait; doubles each retry. Default 1000. */
  retryDelayInMs?: number;
  /** Cap of one backoff wait. Default 30000. */
  maxRetryDelayInMs?: number;
  /** Longest `Retry-After` the task waits for; a longer one ends retrying. Default 120000. */
  maxRetryAfterInMs?: number;
  /** Time one try may take until the response headers arrive; 0 for no limit. Default 120000. */
  tryTimeoutInMs?: number;
}

export type ResolvedRetryTuning = Required<RetryTuning>;

const DEFAULT_RETRY_TUNING: ResolvedRetryTuning = {
  maxRetries: 5,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 30_000,
  maxRetryAfterInMs: 120_000,
  tryTimeoutInMs: 120_000,
};

export function resolveRetryTuning(tuning: RetryTuning = {}): ResolvedRetryTuning {
  const resolved = { ...DEFAULT_RETRY_TUNING };
  for (const key of Object.keys(DEFAULT_RETRY_TUNING) as (keyof RetryTuning)[]) {
    const value = tuning[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry setting ${key} must be a number >= 0; got ${value}`);
    resolved[key] = value;
  }
  return resolved;
}

/** Code of the error raised when a try runs out of `tryTimeoutInMs`. */
const TRY_TIMEOUT_CODE = 'ETIMEDOUT';

/** Exponential backoff with jitter: half the capped exponential wait plus a random part of the other half. */
export function backoffDelayInMs(retryCount: number, tuning: Pick<ResolvedRetryTuning, 'retryDelayInMs' | 'maxRetryDelayInMs'>, random: () => number = Math.random): number {
  const capped = Math.min(tuning.maxRetryDelayInMs, tuning.retryDelayInMs * 2 ** retryCount);
  return capped / 2 + Math.floor(random() * (capped / 2 + 1));
}

/**
 * The runtime reports a connection lost while reading a reply body as
 * PARSE_ERROR "Error reading response as text: <cause>", dropping the socket
 * error's code; JSON that does not parse fails later, in deserialisation, with
 * another message, so this prefix singles out the lost connection.
 */
function isBodyReadFailure(error: RestError): boolean {
  return error.code === RestError.PARSE_ERROR && error.message.startsWith('Error reading response as text:');
}

function isRetryableError(error: RestError | undefined): boolean {
  if (error === undefined || error.statusCode !== undefined) return false;
  return isTransientError(error) || isBodyReadFailure(error);
}

function retryStrategy(tuning: ResolvedRetryTuning): RetryStrategy {
  return {
    name: 'imageBuilderRetryStrategy',
    retry({ retryCount, response, responseError }) {
      const status = response?.status ?? responseError?.statusCode;
      if (status !== undefined && isTransientStatus(status)) {
        const asked = retryAfterMs(response?.headers);
        if (asked !== undefined) {
          // The server said how long; a wait beyond the bound ends retrying and the error is reported.
          return asked <= tuning.maxRetryAfterInMs ? { retryAfterInMs: asked } : { skipStrategy: true };
        }
        return { retryAfterInMs: backoffDelayInMs(retryCount, tuning) };
      }
      if (isRetryableError(responseError)) return { retryAfterInMs: backoffDelayInMs(retryCount, tuning) };
      return { skipStrategy: true };
    },
  };
}

const RETRY_POLICY_NAME = 'imageBuilderRetryPolicy';
const TRY_TIMEOUT_POLICY_NAME = 'imageBuilderTryTimeoutPolicy';

/** The retrying policy, for the pipeline's Retry phase. */
function createRetryPolicy(tuning: RetryTuning = {}): PipelinePolicy {
  const resolved = resolveRetryTuning(tuning);
  return { ...retryPolicy([retryStrategy(resolved)], { maxRetries: resolved.maxRetries }), name: RETRY_POLICY_NAME };
}

/**
 * Gives each try a time limit and turns running out of it into a retryable
 * RestError. It sits after the Retry phase, so every try gets a fresh limit,
 * and leaves a caller's own abort alone.
 */
function createTryTimeoutPolicy(tryTimeoutInMs: number): PipelinePolicy {
  return {
    name: TRY_TIMEOUT_POLICY_NAME,
    async sendRequest(request, next) {
      if (tryTimeoutInMs <= 0 || request.timeout > 0) return next(request);
      request.timeout = tryTimeoutInMs;
      try {
        return await next(request);
      } catch (error) {
        const callerAborted = request.abortSignal?.aborted === true;
        if (!callerAborted && !isRestError(error) && (error as { name?: string }).name === 'AbortError') {
          throw new RestError(`no response within ${tryTimeoutInMs} ms`, { code: TRY_TIMEOUT_CODE, request });
        }
        throw error;
      } finally {
        request.timeout = 0;
      }
    },
  };
}

/**
 * Replaces whatever a client's pipeline retries with (core's default policy,
 * or the blob SDK's StorageRetryPolicy) by this module's policy and adds the
 * per-try time limit.
 */
export function applyRetryPolicy(pipeline: Pipeline, tuning: RetryTuning = {}): void {
  const resolved = resolveRetryTuning(tuning);
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy(createRetryPolicy(resolved), { phase: 'Retry' });
  pipeline.addPolicy(createTryTimeoutPolicy(resolved.tryTimeoutInMs), { afterPhase: 'Retry' });
}
