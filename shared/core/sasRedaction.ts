/**
 * The one SAS redactor: every sink (log lines, issues, outputs, the summary
 * tab, attached files, the printed template) hides signatures with it.
 *
 * Only `sig` grants access; the other SAS fields (expiry, permissions, ...)
 * stay readable because they explain what the URL was for.
 */

/** What a signature becomes. The agent masks secrets with the same three stars. */
export const REDACTION_MARK = '***';

/**
 * `sig=` or its URL-encoded form `sig%3D`, with its value: the value runs to
 * the next `&`, whitespace, quote or angle bracket, so text escaped after the
 * URL (a backslash before a Markdown character) is redacted with it rather
 * than left behind. The regex starts with the literal so a search through
 * megabytes of build log stays fast; where the match starts is checked in
 * {@link startsParameter}.
 */
const SAS_SIGNATURE = /(sig(?:=|%3D))([^&\s"'<>]+)/gi;

/**
 * A query parameter starts at `index`: after `?` or `&`, after the `;` of an
 * HTML-escaped `&amp;` (Markdown), after an encoded `%26`/`%3F` or a
 * JSON-escaped `\u0026`, or at the start of a word (the text may begin with
 * the query).
 */
function startsParameter(text: string, index: number): boolean {
  if (index === 0 || !/[A-Za-z0-9_]/.test(text[index - 1]!)) return true;
  return /^%(?:26|3F)$/i.test(text.slice(index - 3, index)) || /^\\u00(?:26|3F)$/i.test(text.slice(index - 6, index));
}

/** `text` with the value of every SAS signature replaced by {@link REDACTION_MARK}. */
export function redactSas(text: string): string {
  return text.replace(SAS_SIGNATURE, (_match: string, key: string, value: string, index: number) =>
    // Not a parameter (`xsig=`): its value may still hold one (`xsig=a?sig=...`).
    startsParameter(text, index) ? `${key}${REDACTION_MARK}` : `${key}${redactSas(value)}`,
  );
}

/** A deep copy of a JSON-like value with every string passed through {@link redactSas}. */
export function redactSasDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactSas(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactValue(inner)]));
  }
  return value;
}
