/**
 * Masks secrets in rendered log lines as the agent's SecretMasker does:
 * every registered value and the encodings the agent also registers for it
 * (JSON string escape, URI data escape, backslash escape, the logging-command
 * escapes, and base64 for secret variables), replaced by `***`.
 */
import { escapeCommandValue } from './loggingCommand';

const MASK = '***';

function uriDataEscape(value: string): string {
  // .NET Uri.EscapeDataString also escapes the characters encodeURIComponent leaves alone.
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodings(value: string): string[] {
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    uriDataEscape(value),
    value.split('\\').join('\\\\'),
    escapeCommandValue(value),
    value.split('%').join('%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'),
    value.trim(),
  ];
}

export class SecretMasker {
  private readonly registered: string[] = [];
  private readonly patterns = new Set<string>();

  /** Values registered so far, in registration order (no encodings). */
  get secrets(): readonly string[] {
    return this.registered;
  }

  add(value: string, options: { base64?: boolean } = {}): void {
    if (value.trim().length === 0) return;
    if (!this.registered.includes(value)) this.registered.push(value);
    const variants = encodings(value);
    if (options.base64) variants.push(Buffer.from(value, 'utf8').toString('base64'));
    for (const variant of variants) if (variant.length > 0) this.patterns.add(variant);
  }

  mask(text: string): string {
    if (this.patterns.size === 0) return text;
    // Longest first, so a secret containing another one is masked whole.
    const ordered = [...this.patterns].sort((a, b) => b.length - a.length);
    let masked = text;
    for (const pattern of ordered) masked = masked.split(pattern).join(MASK);
    return masked;
  }
}
