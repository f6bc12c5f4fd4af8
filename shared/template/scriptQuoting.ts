/**
 * Quoting for values embedded in generated scripts. Everything the engine
 * puts into a script line goes through these, so a path with spaces or quotes
 * cannot break out of its argument.
 */

/** POSIX shell: '...' with each ' written as '\''. The shell reads bytes, so no byte of the value can end the quote. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Characters a PowerShell value may hold and still be written as a plain
 * single-quoted literal: ASCII with no quote, escape, variable or comment
 * character, so the literal reads the same under every code page.
 */
const PS_PLAIN = /^[A-Za-z0-9 _.:\\/-]*$/;

/**
 * A PowerShell expression whose value is `value`, written in ASCII only.
 *
 * Packer writes inline scripts as UTF-8 without a byte order mark, and
 * Windows PowerShell 5.1 reads such a file in the machine's ANSI code page.
 * There the UTF-8 bytes of a character such as `Ñ` (C3 91) read as `Ã‘`,
 * and PowerShell takes `‘` as a single quote: doubling quotes in the text
 * cannot help, because the quote only appears after decoding. So any value
 * beyond plain ASCII path characters is embedded as the Base64 of its UTF-8
 * bytes and decoded on the VM; Base64 is ASCII, which every code page reads alike.
 */
export function psQuote(value: string): string {
  if (PS_PLAIN.test(value)) return `'${value}'`;
  return `(${psDecode(Buffer.from(value, 'utf8').toString('base64'))})`;
}

/** The PowerShell expression that turns a Base64 literal of UTF-8 bytes back into text. */
function psDecode(base64: string): string {
  return `[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${base64}'))`;
}

/**
 * A URL for PowerShell. Serialized as a URL (non-ASCII percent-encoded), it is
 * ASCII; it stays a readable single-quoted literal, which is how anything
 * reading the template finds the URLs the build VM downloads. One holding a
 * quote or a control character goes through psQuote.
 */
export function psUrl(url: string): string {
  const href = new URL(url).href;
  return /^[\x21-\x7e]*$/.test(href) && !href.includes("'") ? `'${href}'` : psQuote(href);
}
