/**
 * Injected faults: each applies to a fixed number of matching requests, after
 * which the request goes through untouched. Counting is exact so tests can
 * assert that a client retried precisely as often as the fault demanded.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultSpec } from './types';

interface ActiveFault {
  spec: FaultSpec;
  path: RegExp;
  query: RegExp | undefined;
  headers: Array<[string, RegExp]>;
  skipLeft: number;
  left: number;
}

const asPattern = (p: RegExp | string): RegExp => (typeof p === 'string' ? new RegExp(p, 'i') : p);

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

export type FaultAction =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; errorBody?: { code: string; message: string }; responseHeaders?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'slow'; delayMs: number; until?: Promise<unknown> };

/** Admin API payloads cannot carry a RegExp: they send { pathPattern: "source", flags?: "i" }. */
export function faultFromJson(v: Record<string, unknown>): FaultSpec {
  const kind = v.kind;
  if (kind !== 'status' && kind !== 'reset' && kind !== 'slow') throw new Error(`fault.kind must be status, reset or slow, not ${String(kind)}`);
  if (typeof v.pathPattern !== 'string') throw new Error('fault.pathPattern must be a string (a regular expression)');
  const count = Number(v.count ?? 1);
  if (!Number.isInteger(count) || count < 1) throw new Error('fault.count must be a positive integer');
  const spec: FaultSpec = {
    kind,
    pathPattern: typeof v.flags === 'string' ? new RegExp(v.pathPattern, v.flags) : v.pathPattern,
    count,
  };
  if (typeof v.method === 'string') spec.method = v.method;
  if (v.status !== undefined) spec.status = Number(v.status) as FaultSpec['status'];
  if (v.retryAfterSeconds !== undefined) spec.retryAfterSeconds = Number(v.retryAfterSeconds);
  if (v.delayMs !== undefined) spec.delayMs = Number(v.delayMs);
  if (v.skip !== undefined) spec.skip = Number(v.skip);
  const eb = v.errorBody as { code?: unknown; message?: unknown } | undefined;
  if (eb && typeof eb.code === 'string' && typeof eb.message === 'string') spec.errorBody = { code: eb.code, message: eb.message };
  if (v.responseHeaders && typeof v.responseHeaders === 'object') {
    spec.responseHeaders = Object.fromEntries(Object.entries(v.responseHeaders as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  }
  return spec;
}

/** Used by the ARM stand-in and the storage fault proxy alike. */
export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!Number.isInteger(spec.count) || spec.count < 1) throw new Error('FaultSpec.count must be a positive integer');
    if (spec.kind === 'status' && spec.status === undefined) throw new Error("FaultSpec.status is required for kind 'status'");
    if (spec.skip !== undefined && (!Number.isInteger(spec.skip) || spec.skip < 0)) throw new Error('FaultSpec.skip must be an integer >= 0');
    this.faults.push({
      spec,
      path: asPattern(spec.pathPattern),
      query: spec.queryPattern === undefined ? undefined : asPattern(spec.queryPattern),
      headers: Object.entries(spec.headerPatterns ?? {}).map(([name, p]) => [name.toLowerCase(), asPattern(p)]),
      skipLeft: spec.skip ?? 0,
      left: spec.count,
    });
  }

  clear(): void {
    this.faults = [];
  }

  /** The action for this request, consuming one use of the first matching fault. */
  take(method: string, path: string, query = '', headers: IncomingHttpHeaders = {}): FaultAction | undefined {
    for (const f of this.faults) {
      if (f.left <= 0) continue;
      if (f.spec.method && f.spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!matches(f.path, path)) continue;
      if (f.query && !matches(f.query, query)) continue;
      const headersMatch = f.headers.every(([name, pattern]) => {
        const value = headers[name];
        return value !== undefined && matches(pattern, Array.isArray(value) ? value.join(', ') : value);
      });
      if (!headersMatch) continue;
      if (f.skipLeft > 0) {
        f.skipLeft--;
        continue;
      }
      f.left--;
      this.faults = this.faults.filter((x) => x.left > 0);
      switch (f.spec.kind) {
        case 'status':
          return {
            kind: 'status',
            status: f.spec.status as number,
            ...(f.spec.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.spec.retryAfterSeconds } : {}),
            ...(f.spec.errorBody ? { errorBody: f.spec.errorBody } : {}),
            ...(f.spec.responseHeaders ? { responseHeaders: f.spec.responseHeaders } : {}),
          };
        case 'reset':
          return { kind: 'reset' };
        case 'slow':
          return { kind: 'slow', delayMs: f.spec.delayMs ?? 1000, ...(f.spec.until ? { until: f.spec.until } : {}) };
      }
    }
    return undefined;
  }

  /** How many uses are left, per fault still active. */
  pending(): Array<{ pathPattern: string; queryPattern?: string; left: number }> {
    return this.faults.map((f) => ({ pathPattern: f.path.source, ...(f.query ? { queryPattern: f.query.source } : {}), left: f.left }));
  }
}

export function faultErrorBody(status: number): { code: string; message: string } {
  switch (status) {
    case 429:
      return { code: 'TooManyRequests', message: 'The request is being throttled. Please retry after the time given in Retry-After.' };
    case 500:
      return { code: 'InternalServerError', message: 'Encountered internal server error. Please try again.' };
    case 502:
      return { code: 'BadGateway', message: 'The gateway did not receive a response from the service.' };
    case 503:
      return { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' };
    case 504:
      return { code: 'GatewayTimeout', message: 'The gateway did not receive a response within the specified time period.' };
    default:
      return { code: 'InjectedFault', message: `Injected fault with status ${status}.` };
  }
}
