/**
 * The ways code names a message key: host.loc('Key'), new LocalizedError('Key')
 * and its subclasses, issue('Key') in the config parser, fail('Key') in the
 * connection parser, StagingError(input, 'Key'), and key/messageKey
 * properties in tables. Keys are PascalCase, which keeps ordinary strings out.
 */
const KEY_PATTERNS = [
  /\bloc\(\s*['"`]([A-Z][A-Za-z0-9]*)['"`]/g,
  /Error\(\s*['"`]([A-Z][A-Za-z0-9]*)['"`]/g,
  /\bissue\(\s*['"`]([A-Z][A-Za-z0-9]*)['"`]/g,
  /\b(?:key|messageKey)\s*:\s*['"`]([A-Z][A-Za-z0-9]*)['"`]/g,
  // fail('Key', ...) in the service connection parser
  /\bfail\(\s*['"`]([A-Z][A-Za-z0-9]*)['"`]/g,
  // new StagingError('inputName', 'Key', ...): the input comes first
  /StagingError\(\s*['"`][A-Za-z]+['"`]\s*,\s*['"`]([A-Z][A-Za-z0-9]*)['"`]/g,
];

export function keysIn(text: string): string[] {
  return KEY_PATTERNS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1] as string));
}
