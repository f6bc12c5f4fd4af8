/** Parses a JSON input with limits on size and depth, as an issue when it does not parse. */
import { issue, type Issue } from './problems';

/** Azure Resource Manager takes request bodies up to 4 MB; a JSON input cannot usefully be larger. */
const MAX_JSON_INPUT_BYTES = 4 * 1024 * 1024;
/** Far deeper than any image template; deep enough nesting overflows the stack of whatever walks it later. */
export const MAX_JSON_DEPTH = 64;

/**
 * A key JavaScript treats specially: JSON.parse keeps it as an own property,
 * but any later plain assignment (`target[key] = value`, Object.assign, an SDK
 * serializer) sets the object's prototype instead, so the value would be
 * silently dropped or change what the object is. It is refused.
 * (`constructor` and `prototype` are ordinary data keys and pass through.)
 */
export const RESERVED_KEY = '__proto__';

export type JsonInputResult = { ok: true; value: unknown } | { ok: false; issue: Issue; syntax?: string };

/**
 * Parses a JSON input with limits: size, nesting depth (checked on the text,
 * without recursion, before anything walks the value) and no `__proto__` key.
 * A syntax error is returned as `syntax` (the parser's message) so callers
 * can word it their way.
 */
export function parseJsonInput(text: string): JsonInputResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_JSON_INPUT_BYTES) return { ok: false, issue: issue('JsonTooLarge', bytes, MAX_JSON_INPUT_BYTES) };
  if (nestingDepth(text) > MAX_JSON_DEPTH) return { ok: false, issue: issue('JsonTooDeep', MAX_JSON_DEPTH) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    return { ok: false, issue: issue('InvalidJson', message), syntax: message };
  }
  const reserved = findReservedKey(value, '$');
  if (reserved !== undefined) return { ok: false, issue: issue('ReservedKey', RESERVED_KEY, `at ${reserved}`) };
  return { ok: true, value };
}

/** The deepest nesting of arrays and objects in JSON text, skipping strings. Iterative, so any depth is safe to measure. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** JSONPath-like location of the first `__proto__` key, or undefined. Depth is already bounded. */
function findReservedKey(value: unknown, at: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findReservedKey(value[i], `${at}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    if (key === RESERVED_KEY) return at;
    const found = findReservedKey((value as Record<string, unknown>)[key], `${at}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
