/**
 * How a customization.log line is shown in the pipeline log. The saved log
 * (attached to the run) keeps every line as written; the live view drops what
 * only the service needs:
 *
 * - the `[<build id>] PACKER OUT ` / `PACKER ERR ` prefix every Packer line carries;
 * - the service's `(telemetry) ...` markers, which the view turns into group
 *   titles instead (see logSections.ts);
 * - Packer's colour hint `azure-arm: output will be in this color.`.
 *
 * Everything else, including the service's last line, is shown as written:
 * build-VM output is data, and the view neither rewrites nor interprets it.
 */

/** `[<id>] PACKER OUT ` or `[<id>] PACKER ERR ` at the start of a line; the id is a GUID in real logs. */
const PACKER_PREFIX = /^\[[^\]\s]{1,64}\] PACKER (?:OUT|ERR) ?/;
const TELEMETRY = /^\(telemetry\) /;
const COLOUR_HINT = /^azure-arm: output will be in this color\.$/;

/** The line without its Packer prefix. */
export function withoutPackerPrefix(line: string): string {
  return line.replace(PACKER_PREFIX, '');
}

/** The text to show for a raw log line, or undefined when the line is service noise. */
export function displayText(line: string): string | undefined {
  const text = withoutPackerPrefix(line);
  if (TELEMETRY.test(text) || COLOUR_HINT.test(text)) return undefined;
  // A Packer line with nothing after the prefix is a spacer Packer prints between steps.
  if (text.trim() === '' && text !== line) return undefined;
  return text;
}
