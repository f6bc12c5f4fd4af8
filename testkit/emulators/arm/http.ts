/**
 * The HTTP vocabulary the emulator's handlers share: an ARM-shaped error, the
 * request a handler sees and the reply it gives back.
 */
import type { IncomingMessage } from 'node:http';

/** Thrown by handlers; rendered as ARM's {"error":{"code","message"}} body. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (kind: string, name: string, resourceGroup?: string): ArmError =>
  new ArmError(
    404,
    'ResourceNotFound',
    resourceGroup
      ? `The Resource '${kind}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
      : `The Resource '${kind}/${name}' was not found.`,
  );

export interface ArmRequest {
  method: string;
  /** Path without query, percent-decoded per segment by the router. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, undefined when empty. */
  body: unknown;
  params: Record<string, string>;
  /** https://127.0.0.1:<port>, for absolute URLs in headers and bodies. */
  baseUrl: string;
}

export interface ArmReply {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON; undefined = no body. */
  body?: unknown;
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): ArmReply => ({ status, body, headers });

export function readRawBody(req: IncomingMessage, limitBytes = 20 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limitBytes) {
        reject(new ArmError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${(err as Error).message}'.`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
