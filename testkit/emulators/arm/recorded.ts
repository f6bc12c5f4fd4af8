/**
 * What the live Image Builder service answered in recorded traffic
 * (/work/shared/reference/aib-real-traffic.md), as ready-made pieces for tests:
 * the recorded timing (and a way to scale it), the recorded transient PUT error,
 * the recorded failed create, and the wire formats of its timestamps and
 * operation URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BuildTiming, FaultSpec } from './types';

/**
 * Durations as recorded: create 11-67 s (25 s here), a run of about 7 minutes
 * for a managed image, delete 139 s. How long Canceling lasts was not recorded;
 * minutes is the safe assumption (180 s here).
 */
export const RECORDED_TIMING: BuildTiming = {
  provisioningMs: 25_000,
  queuedMs: 60_000,
  buildingMs: 120_000,
  customizerMs: 60_000,
  optimizingMs: 60_000,
  validatingMs: 60_000,
  distributingMs: 120_000,
  cancelMs: 180_000,
  deleteMs: 139_000,
};

/** Every duration multiplied by `factor` (e.g. 0.001 turns 139 s into 139 ms); at least 1 ms each. */
export function scaledTiming(timing: BuildTiming, factor: number): BuildTiming {
  if (!(factor > 0)) throw new Error(`scaledTiming: factor must be > 0, not ${factor}`);
  const scaled = {} as BuildTiming;
  for (const [k, v] of Object.entries(timing) as Array<[keyof BuildTiming, number]>) scaled[k] = Math.max(1, Math.round(v * factor));
  return scaled;
}

/** The text of the recorded transient create error. */
export const INTERNAL_OPERATION_ERROR = {
  code: 'InternalOperationError',
  message: 'Internal error occurred. This is a generic error. To identify possible causes, go to https://aka.ms/azvmimagebuilderts.',
};

/**
 * The recorded transient failure of a create: `500 InternalOperationError`,
 * `x-ms-failure-cause: service`, no Retry-After; the same PUT sent again got 201.
 * `templateName` narrows it to one template (default: any template PUT).
 */
export function recordedTransientPutFault(templateName?: string, count = 1): FaultSpec {
  const name = templateName === undefined ? '[^/]+' : templateName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    method: 'PUT',
    pathPattern: new RegExp(`/providers/Microsoft\\.VirtualMachineImages/imageTemplates/${name}$`, 'i'),
    kind: 'status',
    status: 500,
    count,
    errorBody: { ...INTERNAL_OPERATION_ERROR },
    responseHeaders: { 'x-ms-failure-cause': 'service' },
  };
}

/**
 * The recorded failed create (`BuildScenario.provisioningFailure`): the
 * operation ends Failed with code Unauthorized, the template reads
 * provisioningErrorCode Other with the same message.
 */
export function recordedProvisioningFailure(vnetId: string): { code: string; message: string; provisioningErrorCode: string } {
  return {
    code: 'Unauthorized',
    message: `Not authorized to access the resource: ${vnetId}. Please check the user assigned identity has the correct permissions. For more details, go to https://aka.ms/azvmimagebuilderts.`,
    provisioningErrorCode: 'Other',
  };
}

/** `lastRunStatus.endTime` of a run that has not ended: Go's zero time. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

let tick = 0;
/** Sub-millisecond digits: the clock only has milliseconds, the service prints more. */
function extraDigits(n: number): string {
  tick = (tick + 7919) % 1_000_000;
  return String(tick).padStart(6, '0').slice(0, n);
}

/** Both services print the fraction without trailing zeros (and without the dot when it is zero). */
function withFraction(d: Date, digits: number): string {
  const [head, ms] = d.toISOString().replace(/Z$/, '').split('.') as [string, string];
  const fraction = `${ms}${extraDigits(digits - 3)}`.replace(/0+$/, '');
  return `${head}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * .NET style, as the operation resource prints it: up to 7 fractional digits,
 * trailing zeros trimmed (2025-05-19T04:57:47.7038827Z, 2025-05-19T05:00:00.289511Z).
 */
export function dotnetTime(d = new Date()): string {
  return withFraction(d, 7);
}

/** Go style, as lastRunStatus prints it: up to 9 fractional digits, trailing zeros trimmed (2023-05-25T07:59:42.169984039Z). */
export function goTime(d = new Date()): string {
  return withFraction(d, 9);
}

/**
 * The signed query the service appends to operation URLs since about December
 * 2023: `t` (.NET ticks), `c` (a base64url certificate of about 2 KB), `s` (a
 * signature) and `h` (a hash). Clients must use the URL verbatim. The Location
 * header of the same operation carries its own t, s and h (same c): the two
 * URLs name one operation but are not equal strings (trigger recording, 2025).
 */
export function signedOperationQuery(now = Date.now(), c = randomBytes(1500).toString('base64url')): string {
  const ticks = (BigInt(now) + 62_135_596_800_000n) * 10_000n;
  const s = randomBytes(256).toString('base64url');
  const h = createHash('sha256').update(c + s).digest('base64url');
  return `t=${ticks}&c=${c}&s=${s}&h=${h}`;
}
