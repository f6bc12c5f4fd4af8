/**
 * The one reading of an HTTP answer or a failed request shared by every
 * caller of Azure: its status, its headers, whether asking again may help and
 * how long the server asked to wait. The request pipeline's retry policy
 * (shared/azure/retry.ts), the status poller and the log reader all decide
 * with these, so they cannot disagree about what is transient.
 */

/** Statuses where a new try may well succeed: timeout, throttling, and server-side failures other than 501/505. */
const TRANSIENT_STATUS_CODES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Network error codes (Node, undici, core-rest-pipeline) where a new try may well succeed. */
const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  // core-rest-pipeline's code for "the request never got an answer"
  'REQUEST_SEND_ERROR',
]);

interface HeaderBag {
  get?(name: string): string | undefined | null;
  [name: string]: unknown;
}

/** A header from a core-rest-pipeline HttpHeaders, a plain object or a Headers-like bag; names are case-insensitive. */
export function headerOf(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const bag = headers as HeaderBag;
  if (typeof bag.get === 'function') {
    const value = bag.get(name);
    if (typeof value === 'string' && value) return value;
  }
  for (const [key, value] of Object.entries(bag)) {
    if (key.toLowerCase() === name.toLowerCase() && typeof value === 'string' && value) return value;
  }
  return undefined;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  cause?: unknown;
  response?: { status?: unknown };
}

/** The HTTP status of a failed request (RestError `statusCode`, a fetch-like `status` or its response's), if it got an answer. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  for (const s of [e.statusCode, e.status, e.response?.status]) if (typeof s === 'number') return s;
  return undefined;
}

export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUS_CODES.has(status);
}

/** 408/429/5xx, connection resets and timeouts (also as the cause of another error): worth asking again. */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorShape;
  const status = statusOf(e);
  if (status !== undefined) return isTransientStatus(status);
  if (typeof e.code === 'string' && TRANSIENT_ERROR_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError') return true;
  return e.cause !== undefined && e.cause !== error ? isTransientError(e.cause) : false;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * The wait an answer asks for, in milliseconds: `retry-after-ms` or
 * `x-ms-retry-after-ms` (ARM and storage), else `Retry-After` in seconds or as
 * an HTTP date (a date in the past means now). Undefined when none is usable.
 */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const raw = headerOf(headers, name)?.trim();
    if (raw && DECIMAL.test(raw)) return Number(raw);
  }
  const raw = headerOf(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (DECIMAL.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
