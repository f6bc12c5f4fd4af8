/**
 * A tiny HTTPS server for retry tests: each request gets the next scripted
 * behaviour (an answer, a reset connection, or no answer at all).
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getTestTls } from '../../testkit/emulators/tls';

export type Behaviour =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Destroys the socket before any response byte. */
  | 'reset'
  /** Sends the status line and part of the body, then destroys the socket. */
  | 'resetMidBody'
  /** Never answers. */
  | 'hang';

export interface SeenRequest {
  method: string;
  url: string;
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  /** Behaviour once the script is used up. */
  fallback: Behaviour;
  script: Behaviour[];
  close(): Promise<void>;
}

/** Answers some requests by what they ask for, whatever their order; the rest follow the script. */
export type Router = (method: string, url: string, base: string) => Behaviour | undefined;

export async function startScriptedServer(
  script: Behaviour[],
  fallback: Behaviour = { status: 200, body: '{}' },
  route?: Router,
): Promise<ScriptedServer> {
  const tls = getTestTls();
  const state: ScriptedServer = { url: '', requests: [], fallback, script: [...script], close: async () => undefined };
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const behaviour = route?.(req.method ?? '', req.url ?? '', state.url) ?? state.script.shift() ?? state.fallback;
      if (behaviour === 'reset') {
        req.socket.destroy();
      } else if (behaviour === 'resetMidBody') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"name":"t');
        setTimeout(() => req.socket.destroy(), 20);
      } else if (behaviour === 'hang') {
        // keep the socket open and say nothing
      } else {
        const body = behaviour.body ?? '';
        res.writeHead(behaviour.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...behaviour.headers });
        res.end(body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
