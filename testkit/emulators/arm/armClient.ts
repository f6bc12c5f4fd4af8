/** A bare HTTP client for the emulator's tests: exact status codes, headers and bodies, no SDK in between. */

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function armCall(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; apiVersion?: string | null; token?: string | null } = {},
): Promise<RawResponse> {
  const url = new URL(path.startsWith('http') ? path : `${baseUrl}${path}`);
  const apiVersion = opts.apiVersion === undefined ? '2025-10-01' : opts.apiVersion;
  if (apiVersion !== null && !url.searchParams.has('api-version')) url.searchParams.set('api-version', apiVersion);
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? 'test-token'}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Polls an Azure-AsyncOperation URL until the status is terminal. */
export async function waitForOperation(baseUrl: string, url: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await armCall(baseUrl, 'GET', url);
    const body = r.body as Record<string, unknown>;
    if (body && body.status !== 'InProgress') return body;
    if (Date.now() > deadline) throw new Error(`operation ${url} still InProgress after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
