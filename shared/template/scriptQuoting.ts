/**
 * Quoting for values embedded in generated scripts. Everything the engine
 * puts into a script line goes through these, so a path with spaces or quotes
 * cannot break out of its argument. URLs are always single-quoted as well:
 * besides being safe, that is how anything reading the template finds the
 * URLs the build VM downloads.
 */

/** POSIX shell: '...' with each ' written as '\''. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * PowerShell: '...' with each quote doubled. PowerShell also takes the
 * typographic single quotes as string delimiters, so they are doubled too.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}
