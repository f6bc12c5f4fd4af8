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

/** One line about an error for a log: status, code and message, without stack or request details. */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  const parts: string[] = [];
  if (typeof e.statusCode === 'number') parts.push(String(e.statusCode));
  if (typeof e.code === 'string' && e.code) parts.push(e.code);
  const message = typeof e.message === 'string' ? firstLine(e.message) : '';
  if (message) parts.push(message);
  return redactSas(parts.join(' ') || String(error));
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
