/**
 * The part of JSONPath that server-task expressions use through `jsonpath('…')`.
 * Azure DevOps evaluates those with Newtonsoft.Json's `SelectTokens`, so the
 * semantics follow it where they matter here:
 * - the leading `$` is optional (`Items[?(@.price<50)]` selects from the root);
 * - `[*]` / `.*` yield the elements of an array or the values of an object;
 * - a filter `[?(@.a.b <op> literal)]` keeps the elements for which some token
 *   selected by the left side compares true; an element without that property
 *   never matches, not even with `!=` (Newtonsoft's BooleanQueryExpression);
 * - `[?(@.a)]` keeps the elements that have the property;
 * - string comparison is ordinal (case-sensitive), unlike `eq()`.
 * Anything else (recursive descent, slices, unions, `&&`/`||` in filters) is
 * rejected so an expression cannot rely on syntax this stand-in has not proven.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

type Literal = string | number | boolean | null;
type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Step =
  | { kind: 'property'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'filter'; path: string[]; op?: CompareOp; right?: Literal };

export class JsonPathSyntaxError extends Error {
  constructor(path: string, reason: string) {
    super(`Unsupported or invalid JSONPath '${path}': ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

/** Every token the path selects from root, in document order. */
export function selectTokens(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const token of current) next.push(...applyStep(token, step));
    current = next;
  }
  return current;
}

export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonPathSyntaxError(path, reason);
  };
  if (path.startsWith('$')) i = 1;
  else if (/^[A-Za-z_]/.test(path)) {
    // Newtonsoft accepts a path that starts with a bare property name.
    const m = /^[A-Za-z_][\w-]*/.exec(path) as RegExpExecArray;
    steps.push({ kind: 'property', name: m[0] });
    i = m[0].length;
  }
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      if (path[i + 1] === '.') fail('recursive descent (..) is not supported');
      if (path[i + 1] === '*') {
        steps.push({ kind: 'wildcard' });
        i += 2;
        continue;
      }
      const m = /^[A-Za-z_][\w-]*/.exec(path.slice(i + 1));
      if (!m) fail(`expected a property name at ${i + 1}`);
      steps.push({ kind: 'property', name: (m as RegExpExecArray)[0] });
      i += 1 + (m as RegExpExecArray)[0].length;
    } else if (ch === '[') {
      const close = findBracketEnd(path, i);
      if (close < 0) fail(`unclosed [ at ${i}`);
      steps.push(parseBracket(path.slice(i + 1, close), fail));
      i = close + 1;
    } else {
      fail(`unexpected '${ch}' at ${i}`);
    }
  }
  return steps;
}

/** The index of the `]` closing the bracket at start, skipping quoted text and parentheses. */
function findBracketEnd(path: string, start: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = start + 1; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ']' && depth === 0) return i;
  }
  return -1;
}

function parseBracket(inner: string, fail: (reason: string) => never): Step {
  const text = inner.trim();
  if (text === '*') return { kind: 'wildcard' };
  if (/^\d+$/.test(text)) return { kind: 'index', index: Number(text) };
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(text) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  if (quoted) return { kind: 'property', name: unescape(quoted[1] as string) };
  const filter = /^\?\((.*)\)$/s.exec(text);
  if (!filter) return fail(`unsupported selector [${inner}]`);
  const body = (filter[1] as string).trim();
  if (/&&|\|\|/.test(body)) fail('&& and || in filters are not supported');
  const m = /^@((?:\.[A-Za-z_][\w-]*)+)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/s.exec(body);
  if (!m) return fail(`unsupported filter ?(${body})`);
  const propertyPath = (m[1] as string).split('.').filter((s) => s.length > 0);
  if (m[2] === undefined) return { kind: 'filter', path: propertyPath };
  return { kind: 'filter', path: propertyPath, op: m[2] as CompareOp, right: parseLiteral(m[3] as string, fail) };
}

function parseLiteral(text: string, fail: (reason: string) => never): Literal {
  const t = text.trim();
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(t) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(t);
  if (quoted) return unescape(quoted[1] as string);
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  return fail(`unsupported filter value ${t}`);
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function children(token: unknown): unknown[] {
  if (Array.isArray(token)) return token;
  if (isObject(token)) return Object.values(token);
  return [];
}

function applyStep(token: unknown, step: Step): unknown[] {
  switch (step.kind) {
    case 'property':
      return isObject(token) && Object.prototype.hasOwnProperty.call(token, step.name) ? [token[step.name]] : [];
    case 'wildcard':
      return children(token);
    case 'index':
      return Array.isArray(token) && step.index < token.length ? [token[step.index]] : [];
    case 'filter':
      return children(token).filter((item) => filterMatches(item, step));
  }
}

function filterMatches(item: unknown, step: Extract<Step, { kind: 'filter' }>): boolean {
  let left: unknown[] = [item];
  for (const name of step.path) left = left.flatMap((t) => applyStep(t, { kind: 'property', name }));
  if (step.op === undefined) return left.length > 0;
  return left.some((value) => compare(value, step.op as CompareOp, step.right as Literal));
}

function compare(left: unknown, op: CompareOp, right: Literal): boolean {
  if (op === '==' || op === '!=') {
    return op === '==' ? left === right : left !== right;
  }
  if (typeof left === 'number' && typeof right === 'number') {
    return op === '<' ? left < right : op === '<=' ? left <= right : op === '>' ? left > right : left >= right;
  }
  if (typeof left === 'string' && typeof right === 'string') {
    return op === '<' ? left < right : op === '<=' ? left <= right : op === '>' ? left > right : left >= right;
  }
  return false;
}
