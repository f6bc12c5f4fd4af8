/**
 * The HTTPS front of the emulator: request log, injected faults, bearer-token
 * check, routing, and ARM-shaped errors, in the order a request meets them at
 * Azure's front door.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Cancelled, type EmulatorContext } from './context';
import { faultErrorBody } from './faults';
import { ArmError, parseJsonBody, readRawBody, type ArmReply } from './http';
import type { Router } from './router';
import type { RequestLogEntry } from './types';

/** The audience ARM tokens are checked for. */
export const ARM_AUDIENCE = 'https://management.azure.com/';

export class RequestHandler {
  readonly log: RequestLogEntry[] = [];
  /** Told of every request as it arrives (before its answer), so tests can act on "request N arrived". */
  readonly arrivals = new Set<(entry: RequestLogEntry) => void>();
  private readonly entries = new WeakMap<ServerResponse, { entry: RequestLogEntry; started: bigint }>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly arm: Router,
    private readonly admin: Router,
  ) {}

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    void this.serve(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) this.send(res, req.method ?? 'GET', errorReply(err));
      else res.destroy();
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(normalizeRequestTarget(req.url ?? '/'), this.ctx.baseUrl);
    if (url.pathname.startsWith('/_emulator/')) {
      this.send(res, method, await this.route(this.admin, req, method, url));
      return;
    }
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      startedAt: new Date().toISOString(),
      durationMs: 0,
    };
    const started = process.hrtime.bigint();
    this.log.push(entry);
    for (const listener of [...this.arrivals]) listener(entry);
    // Status and duration are recorded when the answer is written (see send): a client may read it
    // before 'finish' fires. A reset connection keeps status 0 and gets its duration on close.
    res.on('close', () => {
      if (entry.status === 0) entry.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    });
    this.entries.set(res, { entry, started });

    const fault = this.ctx.faults.take(method, url.pathname, url.search.replace(/^\?/, ''), req.headers);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'reset') {
      // Drop the connection without an answer, as a broken network path does.
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      try {
        await (fault.until ? this.ctx.until(fault.until) : this.ctx.sleep(fault.delayMs));
      } catch (err) {
        if (err instanceof Cancelled) {
          req.socket.destroy();
          return;
        }
        throw err;
      }
    }
    if (fault?.kind === 'status') {
      // Drain the body so the client sees the answer, not a broken pipe.
      await readRawBody(req).catch(() => undefined);
      const headers: Record<string, string> = { ...fault.responseHeaders };
      if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
      this.send(res, method, { status: fault.status, headers, body: { error: fault.errorBody ?? faultErrorBody(fault.status) } });
      return;
    }
    await this.authenticate(req);
    this.send(res, method, await this.route(this.arm, req, method, url));
  }

  private async authenticate(req: IncomingMessage): Promise<void> {
    const header = req.headers.authorization;
    if (!header) throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is provided in an invalid format.");
    if (this.ctx.options.verifyToken && !(await this.ctx.options.verifyToken(m[1] as string, ARM_AUDIENCE))) {
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
  }

  private async route(router: Router, req: IncomingMessage, method: string, url: URL): Promise<ArmReply> {
    try {
      const body = parseJsonBody(await readRawBody(req));
      const match = router.match(method, url.pathname);
      if (match === 'methodMismatch') {
        throw new ArmError(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed on '${url.pathname}'.`);
      }
      if (!match) {
        throw new ArmError(404, 'ResourceNotFound', `No resource or route matches ${method} ${url.pathname} in this Azure Resource Manager emulator.`);
      }
      return await match.handler({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        params: match.params,
        baseUrl: this.ctx.baseUrl,
      });
    } catch (err) {
      return errorReply(err);
    }
  }

  private send(res: ServerResponse, method: string, reply: ArmReply): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      'x-ms-request-id': randomUUID(),
      'x-ms-correlation-request-id': randomUUID(),
      ...reply.headers,
    };
    let payload: Buffer | undefined;
    if (reply.body !== undefined && method !== 'HEAD') {
      payload = Buffer.from(JSON.stringify(reply.body));
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(payload?.length ?? 0);
    const logged = this.entries.get(res);
    if (logged) {
      logged.entry.status = reply.status;
      logged.entry.durationMs = Number(process.hrtime.bigint() - logged.started) / 1e6;
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
    this.ctx.changed();
  }
}

/**
 * Collapses leading and repeated slashes in the path of a request target, leaving
 * the query alone. ARM answers `//subscriptions/...` like `/subscriptions/...`
 * (clients that join an endpoint ending in `/` with a path starting with `/` send
 * it), while URL parsing would read the part after `//` as a host name.
 */
export function normalizeRequestTarget(target: string): string {
  // Absolute form (what a client sends to a proxy) already names the host.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  return `/${path.replace(/^\/+/, '').replace(/\/{2,}/g, '/')}${query}`;
}

function errorReply(err: unknown): ArmReply {
  if (err instanceof ArmError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  return { status: 500, body: { error: { code: 'InternalServerError', message: `The emulator failed: ${(err as Error).message}` } } };
}
