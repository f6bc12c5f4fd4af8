/**
 * What Azure said when it refused or failed something, in one shape whatever
 * the SDK threw: the step, the request, the service's code and message, and
 * the request id a support case needs. Pure: no I/O, no task-lib.
 */
import { headerOf, statusOf } from './httpAnswer';

/** The part of the run Azure failed. `request` is a single refused call. */
export type FailedStep = 'create' | 'run' | 'distribute' | 'request';

export interface ServiceFailure {
  step: FailedStep;
  /** The refused call, e.g. `PUT Microsoft.VirtualMachineImages/imageTemplates/t` (step `request`). */
  request?: string;
  statusCode?: number;
  /** The service's error code (operation error, provisioningErrorCode or ARM error code). */
  code?: string;
  /** The service's own words. Not redacted: redact when printing. */
  message: string;
  /** x-ms-request-id, else x-ms-correlation-request-id. */
  requestId?: string;
}

/**
 * A failure Azure reported, thrown by the SDK adapters so the report can quote
 * it without guessing from an SDK error's text.
 */
export class AzureServiceError extends Error {
  override readonly name = 'AzureServiceError';

  constructor(
    readonly failure: ServiceFailure,
    options?: { cause?: unknown },
  ) {
    super(`${failure.step}: ${failure.code ?? ''} ${failure.message}`.trim(), options);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** The id support asks for: the request id of the answer, else its correlation id. */
export function requestIdOf(headers: unknown): string | undefined {
  return headerOf(headers, 'x-ms-request-id') ?? headerOf(headers, 'x-ms-correlation-request-id');
}

/**
 * Names a request by method and the resource it addressed, without host,
 * subscription and query (a SAS or signed operation URL stays out of logs):
 * `GET Microsoft.Compute/galleries/g/images/d`.
 */
export function requestName(method: string | undefined, url: string | undefined): string | undefined {
  if (!url) return undefined;
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url.split('?')[0] ?? url;
  }
  const decoded = safeDecode(pathname);
  const provider = /\/providers\/(.+)$/i.exec(decoded);
  let resource = provider?.[1];
  if (!resource) {
    const group = /\/resourceGroups\/([^/]+)/i.exec(decoded);
    resource = group ? `resourceGroups/${group[1]}` : decoded.replace(/^\/+/, '');
  } else {
    // A provider path inside a resource group keeps only the last provider segment.
    const last = decoded.lastIndexOf('/providers/');
    resource = decoded.slice(last + '/providers/'.length);
  }
  return `${(method ?? 'GET').toUpperCase()} ${resource}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface RestErrorLike {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  details?: unknown;
  request?: { method?: unknown; url?: unknown };
  response?: { status?: unknown; headers?: unknown; bodyAsText?: unknown; request?: { method?: unknown; url?: unknown } };
}

/** The innermost `{code, message}` of an ARM error body (`{error: {code, message, details}}`). */
function bodyError(body: unknown): { code?: string; message?: string } | undefined {
  let current: unknown = body;
  for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth++) {
    const b = current as { error?: unknown; code?: unknown; message?: unknown };
    if (b.error !== undefined) {
      current = b.error;
      continue;
    }
    const code = typeof b.code === 'string' && b.code ? b.code : undefined;
    const message = typeof b.message === 'string' && b.message ? b.message : undefined;
    return code || message ? { ...(code ? { code } : {}), ...(message ? { message } : {}) } : undefined;
  }
  return undefined;
}

function parsedBody(text: unknown): unknown {
  if (typeof text !== 'string' || !text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An HTTP answer Azure refused with (a RestError or alike, after retries), as
 * a request failure; undefined for anything that is not an HTTP answer.
 */
export function refusedRequest(error: unknown): ServiceFailure | undefined {
  if (error instanceof AzureServiceError) return error.failure;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as RestErrorLike;
  const statusCode = statusOf(e);
  if (statusCode === undefined || statusCode < 400) return undefined;
  const fromBody = bodyError(e.details) ?? bodyError(parsedBody(e.response?.bodyAsText));
  const code = fromBody?.code ?? (typeof e.code === 'string' && e.code ? e.code : undefined);
  const message = fromBody?.message ?? (typeof e.message === 'string' ? e.message : '');
  const method = typeof e.request?.method === 'string' ? e.request.method : typeof e.response?.request?.method === 'string' ? e.response.request.method : undefined;
  const url = typeof e.request?.url === 'string' ? e.request.url : typeof e.response?.request?.url === 'string' ? e.response.request.url : undefined;
  const request = requestName(method, url);
  const requestId = requestIdOf(e.response?.headers);
  return {
    step: 'request',
    ...(request ? { request } : {}),
    statusCode,
    ...(code ? { code } : {}),
    message,
    ...(requestId ? { requestId } : {}),
  };
}
