/** Small formatting helpers shared by the status lines and the summary. */
import { redactSas } from './sasRedaction';

/** `45s`, `12m 05s`, `1h 02m 03s`: compact and sortable by eye. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** UTC timestamp to the second, e.g. 2025-01-31T10:04:05Z. */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Longest error line shown; the rest of a long message is cut with "...". */
const MAX_ERROR_LINE = 300;

/**
 * Why something failed, in one line for a log or a message:
 * `<status> <code>: <first line of message>`, e.g. `403 AuthorizationFailed:
 * The client ... does not have authorization`. The SDKs throw Errors with
 * statusCode and code; other libraries throw plain objects, read the same way.
 * Stack and request (with its Authorization header) are left out, and a SAS
 * signature in the message is hidden.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return shortLine(String(error));
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  const prefix = [typeof e.statusCode === 'number' ? String(e.statusCode) : '', typeof e.code === 'string' ? e.code : ''].filter(Boolean).join(' ');
  const message = typeof e.message === 'string' ? shortLine(e.message) : '';
  if (prefix && message) return `${prefix}: ${message}`;
  return prefix || message || shortLine(String(error));
}

/** The first line, redacted before it is cut so no part of a signature can survive the cut. */
function shortLine(text: string): string {
  const line = redactSas(text.split(/\r?\n/, 1)[0] ?? '');
  return line.length > MAX_ERROR_LINE ? `${line.slice(0, MAX_ERROR_LINE)}...` : line;
}
