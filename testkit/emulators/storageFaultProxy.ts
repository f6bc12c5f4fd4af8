/**
 * An HTTPS reverse proxy in front of Azurite that injects storage faults.
 * Azurite answers every request it gets, so it cannot stand in for a throttled
 * or broken storage front end; this proxy can. It forwards requests as they
 * are (method, path, query, headers including Authorization and x-ms-*, body
 * streamed both ways), so shared key, SAS and bearer signatures stay valid,
 * and answers a matching request with a fault instead: an Azure Storage error
 * (XML body and x-ms-error-code), a connection dropped before any answer, or a
 * delay before forwarding. Faults use the ARM stand-in's FaultSpec, plus an
 * optional pattern for the query string, because storage operations on one
 * path differ only by it (`?comp=block` and `?comp=blocklist`).
 *
 * It can also refuse bearer tokens for chosen accounts, the way storage
 * answers a principal without a Blob data role (Azurite `--oauth basic`
 * checks a token's signature-free claims but knows no role assignments).
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { FaultSpec, RequestLogEntry } from './arm/types';
import { getTestTls } from './tls';
import { FaultInjector } from './arm/faults';

/** The ARM stand-in's FaultSpec; its query and header patterns tell storage operations on one path apart. */
export type StorageFaultSpec = FaultSpec;

/** How a request authenticated, read from its headers and query. */
export type StorageAuthKind = 'bearer' | 'sharedKey' | 'sas' | 'anonymous';

export interface StorageRequestLogEntry extends RequestLogEntry {
  auth: StorageAuthKind;
  // `fault` (from RequestLogEntry): the fault the proxy answered with, if any; a refused bearer token is not a fault.
}

export interface StorageFaultProxy {
  /** https://127.0.0.1:<port> */
  readonly baseUrl: string;
  readonly port: number;
  /** Blob endpoint of an account through the proxy, path style like Azurite's: https://127.0.0.1:<port>/<account> */
  url(account: string): string;
  injectFault(f: StorageFaultSpec): void;
  clearFaults(): void;
  /** Uses left, per fault not used up yet. */
  pendingFaults(): Array<{ pathPattern: string; queryPattern?: string; left: number }>;
  requests(): StorageRequestLogEntry[];
  clearRequests(): void;
  /** Answer bearer-token requests for these accounts with 403 AuthorizationPermissionMismatch; [] allows them again. */
  refuseBearerTokens(accountNames: readonly string[]): void;
  /** Stops listening and drops open connections; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartStorageFaultProxyOptions {
  /** Azurite's base URL: https://127.0.0.1:<port> */
  upstream: string;
  /** Certificate the proxy presents and CA it trusts upstream; default the test certificate. */
  tls?: { cert: string; key: string; ca: string };
}

/** The error codes Azure Storage answers these statuses with. */
export function storageErrorFor(status: number): { code: string; message: string } {
  switch (status) {
    case 429:
    case 503:
      return { code: 'ServerBusy', message: 'The server is currently unable to receive requests. Please retry your request.' };
    case 500:
      return { code: 'InternalError', message: 'The server encountered an internal error. Please retry the request.' };
    case 502:
      return { code: 'ServerBusy', message: 'The front end could not reach the storage service. Please retry your request.' };
    case 504:
      return { code: 'OperationTimedOut', message: 'The operation could not be completed within the permitted time.' };
    default:
      return { code: 'InternalError', message: `Injected fault with status ${status}.` };
  }
}

/** Request headers that belong to one hop; everything else is forwarded untouched. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

function authKind(headers: http.IncomingHttpHeaders, query: URLSearchParams): StorageAuthKind {
  const authorization = headers.authorization ?? '';
  if (/^Bearer\s/i.test(authorization)) return 'bearer';
  if (/^SharedKey(Lite)?\s/i.test(authorization)) return 'sharedKey';
  if (query.has('sig')) return 'sas';
  return 'anonymous';
}

/** The account of a path-style request: the first path segment. */
const accountOf = (pathname: string): string => decodeURIComponent(pathname.split('/')[1] ?? '');

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function sendStorageError(res: http.ServerResponse, method: string, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const requestId = randomUUID();
  const body = Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`,
  );
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': String(body.length),
    'x-ms-error-code': code,
    'x-ms-request-id': requestId,
    'x-ms-version': '2025-11-05',
    Date: new Date().toUTCString(),
    ...extra,
  });
  // HEAD answers carry no body; the error code travels in x-ms-error-code.
  res.end(method === 'HEAD' ? undefined : body);
}

/** Reads and discards a request body, so the client sees the answer rather than a broken pipe. */
function drain(req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete) return resolve();
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}

export async function startStorageFaultProxy(options: StartStorageFaultProxyOptions): Promise<StorageFaultProxy> {
  const tls = options.tls ?? getTestTls();
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'https:') throw new Error(`startStorageFaultProxy: upstream must be an https URL, not ${options.upstream}`);
  const agent = new https.Agent({ keepAlive: true, ca: tls.ca });
  const faults = new FaultInjector();
  const log: StorageRequestLogEntry[] = [];
  let refusedAccounts = new Set<string>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: string, entry: StorageRequestLogEntry) => {
    const upstreamReq = https.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: target,
        // Host stays the proxy's: Azurite writes it into URLs it returns (e.g. ServiceEndpoint of a listing).
        headers: forwardable(req.headers),
        agent,
      },
      (upstreamRes) => {
        entry.status = upstreamRes.statusCode ?? 0;
        const headers = forwardable(upstreamRes.headers);
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, headers);
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    upstreamReq.on('error', (err) => {
      if (!res.headersSent && !res.destroyed) {
        entry.status = 502;
        sendStorageError(res, entry.method, 502, 'ServerBusy', `The storage fault proxy could not reach Azurite: ${err.message}`);
      } else {
        res.destroy();
      }
    });
    // A client that gives up (a timeout, a reset) must not leave the upstream request hanging.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const url = new URL(target, 'https://proxy.invalid');
    const rawQuery = url.search.replace(/^\?/, '');
    const entry: StorageRequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      startedAt: new Date().toISOString(),
      durationMs: 0,
      auth: authKind(req.headers, url.searchParams),
    };
    const started = process.hrtime.bigint();
    log.push(entry);
    res.on('close', () => {
      entry.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    });

    const fault = faults.take(method, url.pathname, rawQuery, req.headers);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'reset') {
      // Dropped before any byte of an answer, as a broken network path does it.
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      await drain(req);
      if (res.destroyed) return;
      entry.status = fault.status;
      const { code, message } = storageErrorFor(fault.status);
      sendStorageError(res, method, fault.status, code, message, fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {});
      return;
    }
    if (fault?.kind === 'slow') {
      await sleep(fault.delayMs);
      if (res.destroyed || req.socket.destroyed) return;
    }
    if (entry.auth === 'bearer' && refusedAccounts.has(accountOf(url.pathname).toLowerCase())) {
      await drain(req);
      if (res.destroyed) return;
      entry.status = 403;
      sendStorageError(res, method, 403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.');
      return;
    }
    forward(req, res, target, entry);
  };

  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendStorageError(res, req.method ?? 'GET', 500, 'InternalError', `storage fault proxy: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    url: (account) => `${baseUrl}/${account}`,
    injectFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    requests: () => log.map((e) => ({ ...e, query: { ...e.query } })),
    clearRequests: () => {
      log.length = 0;
    },
    refuseBearerTokens: (accountNames) => {
      refusedAccounts = new Set(accountNames.map((n) => n.toLowerCase()));
    },
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        agent.destroy();
      })),
  };
}
