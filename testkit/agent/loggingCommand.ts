/**
 * Parsing of `##vso[area.event k=v;...]data` logging commands, following the
 * agent's Command.TryParse and CommandStringConvertor (DECODE_PERCENTS on, the
 * agent's default). Task-lib escapes on the way out; the agent unescapes here,
 * so a value with `;`, `]`, `%` or line breaks round-trips only if both agree.
 */

const PREFIX = '##vso[';

/** The agent's escape table, in its order; `%` is handled separately. */
const SPECIAL_SYMBOLS: ReadonlyArray<readonly [token: string, replacement: string]> = [
  [';', '%3B'],
  ['\r', '%0D'],
  ['\n', '%0A'],
  [']', '%5D'],
];

export interface LoggingCommand {
  readonly area: string;
  readonly event: string;
  /** Keys lower-cased: the agent looks properties up case-insensitively. */
  readonly properties: ReadonlyMap<string, string>;
  readonly data: string;
}

export function unescapeCommandValue(escaped: string): string {
  let value = escaped;
  for (const [token, replacement] of SPECIAL_SYMBOLS) value = value.split(replacement).join(token);
  return value.split('%AZP25').join('%');
}

export function escapeCommandValue(raw: string): string {
  let value = raw.split('%').join('%AZP25');
  for (const [token, replacement] of SPECIAL_SYMBOLS) value = value.split(token).join(replacement);
  return value;
}

/**
 * Returns the command in `line`, or undefined when the line holds none the
 * agent would recognise (then the line is plain output). Like the agent, the
 * prefix may appear anywhere in the line.
 */
export function parseLoggingCommand(line: string): LoggingCommand | undefined {
  const prefixIndex = line.indexOf(PREFIX);
  if (prefixIndex < 0) return undefined;
  const rbIndex = line.indexOf(']', prefixIndex);
  if (rbIndex < 0) return undefined;

  const cmdInfo = line.substring(prefixIndex + PREFIX.length, rbIndex);
  const spaceIndex = cmdInfo.indexOf(' ');
  const commandName = spaceIndex < 0 ? cmdInfo : cmdInfo.substring(0, spaceIndex);
  const areaEvent = commandName.split('.').filter((part) => part.length > 0);
  if (areaEvent.length !== 2) return undefined;

  const properties = new Map<string, string>();
  if (spaceIndex > 0) {
    for (const propertyText of cmdInfo.substring(spaceIndex + 1).split(';')) {
      if (propertyText.length === 0) continue;
      const eq = propertyText.indexOf('=');
      // The agent splits on the first '=' dropping empty parts: "k=" and "=v" are ignored.
      if (eq <= 0 || eq === propertyText.length - 1) continue;
      properties.set(propertyText.substring(0, eq).toLowerCase(), unescapeCommandValue(propertyText.substring(eq + 1)));
    }
  }

  return {
    area: areaEvent[0]!,
    event: areaEvent[1]!,
    properties,
    data: unescapeCommandValue(line.substring(rbIndex + 1)),
  };
}
