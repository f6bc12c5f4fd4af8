/**
 * The output gate: the one function every line of outside text (build-VM log
 * lines, service messages, file names, the user's template) passes through
 * before the task writes it where the Azure Pipelines agent reads it.
 *
 * The agent executes a logging command found ANYWHERE in a line of the
 * task's stdout or stderr (`##vso[area.event ...]`), warns about a line that
 * merely contains `##vso`, and the web log renders `##[error]`, `##[warning]`,
 * `##[group]`, `##[section]`... as formatting. It reads lines with
 * StreamReader.ReadLine, so `\n`, `\r\n` AND a lone `\r` each end a line.
 *
 * The gate splits on every one of those line endings and puts `_` between
 * `##` and what follows it whenever that is `vso` (any case) or `[`:
 * `##vso[task.setvariable ...]` is shown as `##_vso[task.setvariable ...]`,
 * `##[error]x` as `##_[error]x`. The text stays readable and nothing is
 * dropped. `##_vso[` is also the form task-lib's own external-output filter
 * (createExternalOutputStream) writes, so readers who know one know the
 * other; that filter only covers the exact-case `##vso[` marker, which is why
 * the task does not rely on it.
 *
 * Why a visible ASCII character and not a zero-width one: current agents
 * look for `##vso[` with an ordinal comparison, but older agents used the
 * culture-sensitive String.IndexOf, which under ICU ignores zero-width
 * characters (U+200B, U+2060, soft hyphen...), so `##\u200Bvso[` would still
 * match there. `_` has a weight of its own in every comparison mode, so
 * neither form of the agent's search (nor its `##vso` keyword warning, nor
 * the renderer's `##[` prefix) can match across it. The replacement cannot
 * create a new match either: the inserted `_` is not part of either pattern,
 * so every `##vso` or `##[` in the output was one in the input, and each of
 * those got its `_`.
 *
 * Look-alike characters (fullwidth `＃`, `#` followed by a combining mark...)
 * are left alone: the agent's search is ordinal and does not match them.
 */

/** Inserted between `##` and `vso` or `[`. */
const COMMAND_BREAK = '_';

/** `##` followed by `vso` (case-insensitive, as the agent's keyword warning) or by `[`. */
const COMMAND_START = /##(?=vso|\[)/gi;

/** Every line ending the agent's line reader recognises. */
const LINE_BREAK = /\r\n|\r|\n/;

/** The text with every logging command and formatting prefix made inert; line breaks are kept. */
export function neutraliseCommands(text: string): string {
  return text.replace(COMMAND_START, `##${COMMAND_BREAK}`);
}

/** The lines the agent would read from `text`, each made inert. Always at least one line. */
export function gateLines(text: string): string[] {
  return text.split(LINE_BREAK).map(neutraliseCommands);
}

/** For a single-line sink (a group title, a progress description): the lines joined by spaces. */
export function gateLine(text: string): string {
  return gateLines(text).join(' ');
}

/**
 * For a message task-lib escapes into one command (an issue, the result
 * message): the lines joined by `\n`, so a lone `\r` cannot rewrite what the
 * log viewer shows.
 */
export function gateMessage(text: string): string {
  return gateLines(text).join('\n');
}
