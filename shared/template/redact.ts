import type { ImageTemplateBody } from './types';

export const REDACTED = 'REDACTED';

/**
 * Matches the signature of a SAS (`sig=` in a query string) wherever it
 * appears: in a URL field, or inside a script line that downloads the URL.
 */
const SAS_SIGNATURE = /([?&]sig=)[^&'"\s]*/gi;

/** A deep copy of the body with every SAS signature replaced by "REDACTED"; safe to print. */
export function redactTemplate(body: ImageTemplateBody): ImageTemplateBody {
  return redactValue(body) as ImageTemplateBody;
}

export function redactSasInText(text: string): string {
  return text.replace(SAS_SIGNATURE, `$1${REDACTED}`);
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactSasInText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactValue(inner)]));
  }
  return value;
}
