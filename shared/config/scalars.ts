/** Parsers of single input values (booleans, integers in a range, choices, lists). */
import { issue, type Issue } from './problems';

/** A parsed value, or why it could not be parsed. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; issue: Issue };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(found: Issue): Parsed<T> => ({ ok: false, issue: found });

/**
 * Only `true` and `false` (any case). task-lib's getBoolInput reads anything
 * else as false, which silently turns a typo such as `ture` into the opposite
 * of what the user meant.
 */
export function parseBoolean(text: string): Parsed<boolean> {
  const lower = text.toLowerCase();
  if (lower === 'true') return ok(true);
  if (lower === 'false') return ok(false);
  return bad(issue('InvalidBoolean', text));
}

export interface IntegerRange {
  min: number;
  /** Absent: no upper bound. */
  max?: number;
}

/** A whole number written in decimal digits (no sign, no fraction, no exponent) within the range. */
export function parseInteger(text: string, range: IntegerRange): Parsed<number> {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) return bad(issue('InvalidInteger', text));
  const value = Number(text);
  if (range.max !== undefined) {
    return value >= range.min && value <= range.max ? ok(value) : bad(issue('IntegerOutOfRange', range.min, range.max, text));
  }
  return value >= range.min ? ok(value) : bad(issue('IntegerTooSmall', range.min, text));
}

/**
 * One of the allowed values, matched without regard to case and returned in
 * its canonical spelling. `aliases` maps older spellings (v1 values) to
 * canonical ones.
 */
export function parseEnum<T extends string>(
  text: string,
  allowed: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): Parsed<T> {
  const lower = text.toLowerCase();
  const match = allowed.find((value) => value.toLowerCase() === lower);
  if (match !== undefined) return ok(match);
  const alias = Object.keys(aliases).find((name) => name.toLowerCase() === lower);
  if (alias !== undefined) return ok(aliases[alias] as T);
  return bad(issue('InvalidEnum', allowed.join(', '), text));
}

/** Items of a comma and/or newline separated list, trimmed, empty items dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\r\n]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Lines of a script, without the trailing blank lines editors tend to leave. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines;
}
