/**
 * The success `Expression` of an agentless HttpRequest task, evaluated as
 * Azure DevOps does against the response: the condition language of Azure
 * Pipelines (literals, `and`, `or`, `not`, `eq`, `ne`, `gt`, `ge`, `lt`, `le`)
 * plus the server-task additions `root` (the parsed response body),
 * `count(…)` and `jsonpath('…')`.
 *
 * Conversion rules follow the documented expression semantics: comparisons
 * convert the right operand to the type of the left; strings compare
 * ordinally ignoring case; `eq`/`ne` treat a failed conversion as "not equal",
 * the ordering functions raise an error; `and`/`or` short-circuit and cast
 * to Boolean; indexing something that is not there gives Null.
 *
 * Functions and syntax outside this list are rejected, so the task's
 * expression cannot depend on behaviour the stand-in does not reproduce.
 */
import { selectTokens } from './jsonPath';

type Value = null | boolean | number | string | unknown[] | Record<string, unknown>;

type Ast =
  | { kind: 'literal'; value: Value }
  | { kind: 'root' }
  | { kind: 'index'; target: Ast; key: Ast }
  | { kind: 'call'; name: FunctionName; args: Ast[] };

const FUNCTIONS = {
  and: { min: 2, max: Infinity },
  or: { min: 2, max: Infinity },
  not: { min: 1, max: 1 },
  eq: { min: 2, max: 2 },
  ne: { min: 2, max: 2 },
  gt: { min: 2, max: 2 },
  ge: { min: 2, max: 2 },
  lt: { min: 2, max: 2 },
  le: { min: 2, max: 2 },
  count: { min: 1, max: 1 },
  jsonpath: { min: 1, max: 1 },
} as const;
type FunctionName = keyof typeof FUNCTIONS;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export interface ExpressionContext {
  /** The response body, parsed as JSON (null when the body was empty or not JSON). */
  root: unknown;
}

/** Evaluates the expression and casts its result to Boolean, as the service does to decide success. */
export function evaluateServerExpression(expression: string, context: ExpressionContext): boolean {
  return toBoolean(evaluate(parseExpression(expression), context));
}

/** Evaluates to the raw value (for tests of individual functions). */
export function evaluateServerExpressionValue(expression: string, context: ExpressionContext): Value {
  return evaluate(parseExpression(expression), context);
}

// ---------------------------------------------------------------- parsing

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'word'; value: string }
  | { kind: 'punct'; value: '(' | ')' | '[' | ']' | ',' | '.' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      // A quote inside a string is written twice: 'It''s'.
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ExpressionError(`Unterminated string in expression: ${text}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ kind: 'string', value });
    } else if (/[-\d]/.test(c) && /^-?\d/.test(text.slice(i))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    } else if ('()[],.'.includes(c)) {
      tokens.push({ kind: 'punct', value: c as '(' | ')' | '[' | ']' | ',' | '.' });
      i++;
    } else {
      throw new ExpressionError(`Unexpected character '${c}' at ${i} in expression: ${text}`);
    }
  }
  return tokens;
}

export function parseExpression(text: string): Ast {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} at token ${pos} in expression: ${text}`);
  };
  const expectPunct = (p: string): void => {
    const t = tokens[pos];
    if (!t || t.kind !== 'punct' || t.value !== p) fail(`Expected '${p}'`);
    pos++;
  };

  const parseAccessors = (target: Ast): Ast => {
    for (;;) {
      const t = peek();
      if (t?.kind === 'punct' && t.value === '[') {
        pos++;
        const key = parseValue();
        expectPunct(']');
        target = { kind: 'index', target, key };
      } else if (t?.kind === 'punct' && t.value === '.') {
        pos++;
        const name = peek();
        if (!name || name.kind !== 'word') return fail('Expected a property name after .');
        pos++;
        target = { kind: 'index', target, key: { kind: 'literal', value: name.value } };
      } else {
        return target;
      }
    }
  };

  const parseValue = (): Ast => {
    const t = peek();
    if (!t) return fail('Unexpected end');
    pos++;
    if (t.kind === 'string') return { kind: 'literal', value: t.value };
    if (t.kind === 'number') return { kind: 'literal', value: t.value };
    if (t.kind === 'word') {
      const word = t.value.toLowerCase();
      if (word === 'true') return { kind: 'literal', value: true };
      if (word === 'false') return { kind: 'literal', value: false };
      if (word === 'null') return { kind: 'literal', value: null };
      if (word === 'root') return parseAccessors({ kind: 'root' });
      const next = peek();
      if (next?.kind === 'punct' && next.value === '(') {
        if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, word)) return fail(`Unsupported function '${t.value}'`);
        const name = word as FunctionName;
        pos++;
        const args: Ast[] = [];
        if (!(peek()?.kind === 'punct' && (peek() as { value: string }).value === ')')) {
          for (;;) {
            args.push(parseValue());
            const sep = peek();
            if (sep?.kind === 'punct' && sep.value === ',') {
              pos++;
              continue;
            }
            break;
          }
        }
        expectPunct(')');
        const arity = FUNCTIONS[name];
        if (args.length < arity.min || args.length > arity.max) fail(`${name}() takes ${arity.min === arity.max ? arity.min : `at least ${arity.min}`} argument(s), got ${args.length}`);
        return parseAccessors({ kind: 'call', name, args });
      }
      return fail(`Unknown named value '${t.value}'`);
    }
    return fail(`Unexpected '${t.value}'`);
  };

  const ast = parseValue();
  if (pos !== tokens.length) fail('Unexpected trailing input');
  return ast;
}

// ---------------------------------------------------------------- evaluation

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fromJson(v: unknown): Value {
  if (v === undefined) return null;
  return v as Value;
}

export function toBoolean(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return true;
}

/** Converts to a number; undefined when the conversion is not defined. */
function toNumber(v: Value): number | undefined {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return 0;
    return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

function toStringValue(v: Value): string | undefined {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return undefined;
}

/** The right operand converted to the left's type; undefined when that fails. */
function convertLike(left: Value, right: Value): Value | undefined {
  if (left === null) return right === null ? null : undefined;
  if (typeof left === 'boolean') return toBoolean(right);
  if (typeof left === 'number') return toNumber(right);
  if (typeof left === 'string') return toStringValue(right);
  // Arrays and objects only equal themselves (reference equality).
  return right;
}

function equals(left: Value, right: Value): boolean {
  const r = convertLike(left, right);
  if (r === undefined) return false;
  // Ordinal comparison ignoring case.
  if (typeof left === 'string' && typeof r === 'string') return left.toUpperCase() === r.toUpperCase();
  return left === r;
}

function order(name: string, left: Value, right: Value): number {
  const r = convertLike(left, right);
  if (typeof left === 'number' && typeof r === 'number') return left - r;
  if (typeof left === 'string' && typeof r === 'string') {
    const a = left.toUpperCase();
    const b = r.toUpperCase();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof left === 'boolean' && typeof r === 'boolean') return Number(left) - Number(r);
  throw new ExpressionError(`${name}(): cannot compare ${describe(left)} with ${describe(right)}`);
}

function describe(v: Value): string {
  return v === null ? 'Null' : Array.isArray(v) ? 'Array' : typeof v === 'object' ? 'Object' : `${typeof v} ${JSON.stringify(v)}`;
}

function evaluate(ast: Ast, context: ExpressionContext): Value {
  switch (ast.kind) {
    case 'literal':
      return ast.value;
    case 'root':
      return fromJson(context.root);
    case 'index': {
      const target = evaluate(ast.target, context);
      const key = evaluate(ast.key, context);
      if (Array.isArray(target)) {
        const n = toNumber(key);
        return n !== undefined && Number.isInteger(n) && n >= 0 && n < target.length ? fromJson(target[n]) : null;
      }
      if (isObject(target)) {
        const name = toStringValue(key);
        if (name === undefined) return null;
        // Property names are matched without case, like every other name in the language.
        const match = Object.keys(target).find((k) => k.toUpperCase() === name.toUpperCase());
        return match === undefined ? null : fromJson(target[match]);
      }
      return null;
    }
    case 'call':
      return call(ast.name, ast.args, context);
  }
}

function call(name: FunctionName, args: Ast[], context: ExpressionContext): Value {
  const arg = (i: number): Value => evaluate(args[i] as Ast, context);
  switch (name) {
    case 'and':
      for (let i = 0; i < args.length; i++) if (!toBoolean(arg(i))) return false;
      return true;
    case 'or':
      for (let i = 0; i < args.length; i++) if (toBoolean(arg(i))) return true;
      return false;
    case 'not':
      return !toBoolean(arg(0));
    case 'eq':
      return equals(arg(0), arg(1));
    case 'ne':
      return !equals(arg(0), arg(1));
    case 'gt':
      return order(name, arg(0), arg(1)) > 0;
    case 'ge':
      return order(name, arg(0), arg(1)) >= 0;
    case 'lt':
      return order(name, arg(0), arg(1)) < 0;
    case 'le':
      return order(name, arg(0), arg(1)) <= 0;
    case 'count': {
      const v = arg(0);
      if (v === null) return 0;
      if (Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      throw new ExpressionError(`count(): expected an array or object, got ${describe(v)}`);
    }
    case 'jsonpath': {
      const path = arg(0);
      if (typeof path !== 'string') throw new ExpressionError(`jsonpath(): expected a string path, got ${describe(path)}`);
      return selectTokens(context.root, path) as unknown[];
    }
  }
}
