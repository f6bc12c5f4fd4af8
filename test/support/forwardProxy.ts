/**
 * A real forward proxy (the `proxy` package: HTTP CONNECT tunnels and plain
 * proxied requests, optional Basic authentication) that records the target of
 * every request it is asked for, as a corporate proxy in front of an agent.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** `host:port` of the target. */
  target: string;
  method: string;
  /** Whether the request carried the expected credentials (always true without authentication). */
  authorized: boolean;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  requests(): readonly ProxiedRequest[];
  /** Distinct targets asked for with accepted credentials. */
  tunnelledTargets(): Set<string>;
  stop(): Promise<void>;
}

function basicCredentialsOf(req: http.IncomingMessage): { username: string; password: string } | undefined {
  const header = req.headers['proxy-authorization'];
  const match = typeof header === 'string' ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function targetOf(req: http.IncomingMessage): string {
  if (req.method === 'CONNECT') return req.url ?? '';
  try {
    const url = new URL(req.url ?? '');
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return req.url ?? '';
  }
}

/** Starts the proxy on 127.0.0.1; with `credentials`, only requests carrying them as Basic auth get through (others get 407). */
export async function startForwardProxy(options: { credentials?: { username: string; password: string } } = {}): Promise<ForwardProxy> {
  // The package is ESM only; Node 20.19+ loads it with require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createProxy } = require('proxy') as { createProxy(server: http.Server): http.Server & { authenticate?: (req: http.IncomingMessage) => boolean } };
  const log: ProxiedRequest[] = [];
  const server = createProxy(http.createServer());
  const expected = options.credentials;
  const authorized = (req: http.IncomingMessage): boolean => {
    if (!expected) return true;
    const given = basicCredentialsOf(req);
    return given?.username === expected.username && given.password === expected.password;
  };
  server.authenticate = (req) => authorized(req);
  const record = (req: http.IncomingMessage): void => {
    log.push({ target: targetOf(req), method: req.method ?? '', authorized: authorized(req) });
  };
  // The proxy's own listeners serve the request; these only watch.
  server.on('connect', record);
  server.on('request', record);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => log,
    tunnelledTargets: () => new Set(log.filter((r) => r.authorized).map((r) => r.target)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
