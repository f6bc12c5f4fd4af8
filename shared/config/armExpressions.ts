/**
 * The small part of the ARM template expression language that image template
 * samples use: `[parameters('x')]`, `[variables('x')]`, `[concat(...)]`,
 * `[resourceGroup().location]`, `[subscription().subscriptionId]`, string
 * literals with `''` escaping, integers, nested calls and property access.
 * Anything else is refused rather than guessed: a wrong value here would be
 * built into an image.
 *
 * Pure: the values of resourceGroup() and subscription() come in the scope.
 */

/** Why an expression could not be evaluated. `unsupported` names a function the task does not evaluate. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** What expressions can see: the deployment's parameters, variables, group and subscription. */
export interface ExpressionScope {
  parameter(name: string): unknown;
  variable(name: string): unknown;
  resourceGroup(): Record<string, unknown>;
  subscription(): Record<string, unknown>;
}

type Node =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

/** Whether a JSON string is an expression: `[...]` but not the `[[` escape of a literal bracket. */
export function isExpression(text: string): boolean {
  return text.startsWith('[') && text.endsWith(']') && !text.startsWith('[[');
}

/** The value a JSON string stands for: evaluated when it is an expression, unescaped when it starts with `[[`. */
export function evaluateString(text: string, scope: ExpressionScope): unknown {
  if (isExpression(text)) return evaluate(parse(text.slice(1, -1)), scope);
  return text.startsWith('[[') && text.endsWith(']') ? text.slice(1) : text;
}

const FUNCTIONS = ['parameters', 'variables', 'concat', 'resourcegroup', 'subscription'];

function evaluate(node: Node, scope: ExpressionScope): unknown {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'property': {
      const target = evaluate(node.target, scope);
      if (!isRecord(target) || !(node.name in target)) throw new ExpressionError(`there is no property '${node.name}' to read`);
      return target[node.name];
    }
    case 'index': {
      const target = evaluate(node.target, scope);
      const index = evaluate(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number' && index >= 0 && index < target.length) return target[index] as unknown;
      if (isRecord(target) && typeof index === 'string' && index in target) return target[index];
      throw new ExpressionError(`there is no element ${JSON.stringify(index)} to read`);
    }
    case 'call':
      return call(node, scope);
  }
}

function call(node: Extract<Node, { kind: 'call' }>, scope: ExpressionScope): unknown {
  const name = node.name.toLowerCase();
  if (!FUNCTIONS.includes(name)) throw new ExpressionError(`${node.name}() is not evaluated by the task`, true);
  const args = node.args.map((arg) => evaluate(arg, scope));
  switch (name) {
    case 'parameters':
      return scope.parameter(singleName(node.name, args));
    case 'variables':
      return scope.variable(singleName(node.name, args));
    case 'concat':
      return concat(args);
    case 'resourcegroup':
      noArguments(node.name, args);
      return scope.resourceGroup();
    default:
      noArguments(node.name, args);
      return scope.subscription();
  }
}

function singleName(fn: string, args: unknown[]): string {
  const [name] = args;
  if (args.length !== 1 || typeof name !== 'string') throw new ExpressionError(`${fn}() takes one name in quotes`);
  return name;
}

function noArguments(fn: string, args: unknown[]): void {
  // resourceGroup() and subscription() with arguments read another group or subscription, which the task cannot know.
  if (args.length > 0) throw new ExpressionError(`${fn}() with arguments (another group or subscription) is not evaluated by the task`, true);
}

function concat(args: unknown[]): unknown {
  if (args.length > 0 && args.every(Array.isArray)) return (args as unknown[][]).flat();
  if (args.every((arg) => typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean')) return args.map(String).join('');
  throw new ExpressionError('concat() takes only strings and numbers, or only arrays');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the text between the outer brackets into a tree, or throws an ExpressionError saying where it stopped. */
function parse(text: string): Node {
  const parser = new Parser(text);
  const node = parser.expression();
  parser.skipSpace();
  if (!parser.atEnd()) throw new ExpressionError(`unexpected '${parser.rest()}'`);
  return node;
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }
  rest(): string {
    return this.text.slice(this.at);
  }
  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.at]!)) this.at++;
  }

  expression(): Node {
    this.skipSpace();
    let node = this.primary();
    for (;;) {
      this.skipSpace();
      const next = this.text[this.at];
      if (next === '.') {
        this.at++;
        node = { kind: 'property', target: node, name: this.identifier() };
      } else if (next === '[') {
        this.at++;
        const index = this.expression();
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const next = this.text[this.at];
    if (next === "'") return { kind: 'string', value: this.stringLiteral() };
    if (next !== undefined && /[-0-9]/.test(next)) {
      const match = /^-?\d+/.exec(this.rest());
      if (!match) throw new ExpressionError(`unexpected '${this.rest()}'`);
      this.at += match[0].length;
      return { kind: 'number', value: Number(match[0]) };
    }
    const name = this.identifier();
    this.skipSpace();
    this.expect('(');
    const args: Node[] = [];
    this.skipSpace();
    if (this.text[this.at] === ')') {
      this.at++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.expression());
      this.skipSpace();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect(')');
      return { kind: 'call', name, args };
    }
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.rest());
    if (!match) throw new ExpressionError(this.atEnd() ? 'the expression ends too early' : `unexpected '${this.rest()}'`);
    this.at += match[0].length;
    return match[0];
  }

  private stringLiteral(): string {
    let value = '';
    this.at++;
    for (;;) {
      const quote = this.text.indexOf("'", this.at);
      if (quote < 0) throw new ExpressionError('a string is not closed');
      value += this.text.slice(this.at, quote);
      this.at = quote + 1;
      // '' inside a string is one quote.
      if (this.text[this.at] !== "'") return value;
      value += "'";
      this.at++;
    }
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) throw new ExpressionError(this.atEnd() ? `'${char}' is missing` : `expected '${char}' before '${this.rest()}'`);
    this.at++;
  }
}
