/**
 * The small HTTPS plumbing the identity stand-ins share: listen on a free port of
 * 127.0.0.1 with the test certificate, read bodies, answer JSON, keep a request log.
 */
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServerTls {
  cert: string;
  key: string;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query as received. */
  path: string;
  status: number;
  time: Date;
  /** What the handler chose to note (grant type, client id, ...). Never a secret. */
  note?: string;
}

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: string;
  /** Adds a note to this request's log entry. */
  note(text: string): void;
}

export type Handler = (ctx: HandlerContext) => Promise<void> | void;

export interface RunningServer {
  origin: string;
  port: number;
  requests(): readonly RequestLogEntry[];
  stop(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts an HTTPS server on 127.0.0.1 and a free port. A handler error becomes a 500 with its message. */
export async function listenHttps(tls: ServerTls, handler: Handler): Promise<RunningServer> {
  // The status is read when the log is read: a client can have the reply before 'finish' fires here.
  const log: Array<{ entry: RequestLogEntry; res: ServerResponse }> = [];
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: url.pathname + url.search, status: 0, time: new Date() };
    log.push({ entry, res });
    readBody(req)
      .then((body) =>
        handler({
          req,
          res,
          url,
          body,
          note: (text) => {
            entry.note = entry.note ? `${entry.note}; ${text}` : text;
          },
        }),
      )
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: err instanceof Error ? err.message : String(err) });
        else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    requests: () => log.map(({ entry, res }) => ({ ...entry, status: res.headersSent ? res.statusCode : 0 })),
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from SDK clients would hold close() open.
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m ? m[1] : undefined;
}
