/**
 * The Mustache sections Azure DevOps renders in an agentless task's
 * `EndpointUrl` after `$(...)` macros are expanded: `{{#if name}}…{{/if}}`,
 * `{{#equals a b [ignoreCase]}}…{{/equals}}` and `{{name}}` / `{{{name}}}`
 * values (the forms in-box tasks such as AzureMonitorV1 use).
 *
 * Only that subset is understood; any other helper or tag is an error, so a
 * task.json cannot start using syntax that this stand-in would silently get
 * wrong.
 */

export type TemplateContext = Readonly<Record<string, string | undefined>>;

type Arg = { kind: 'literal'; value: string } | { kind: 'name'; name: string };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string; raw: boolean }
  | { kind: 'if'; arg: Arg; children: Node[] }
  | { kind: 'equals'; left: Arg; right: Arg; ignoreCase: boolean; children: Node[] };

type SectionKind = 'if' | 'equals';

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** Renders the template against the context (names looked up case-insensitively). */
export function renderServerTemplate(template: string, context: TemplateContext): string {
  const lookup = caseInsensitive(context);
  return renderNodes(parseTemplate(template), lookup);
}

export function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ kind: SectionKind; children: Node[] }> = [{ kind: 'if', children: root }];
  const TAG = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([^}]*?)\s*\}\}/g;
  let last = 0;
  for (let m = TAG.exec(template); m !== null; m = TAG.exec(template)) {
    const current = (stack[stack.length - 1] as { children: Node[] }).children;
    if (m.index > last) current.push({ kind: 'text', text: template.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      current.push({ kind: 'value', name: expectName(m[1], m[0]), raw: true });
      continue;
    }
    const body = m[2] as string;
    if (body.startsWith('#')) {
      const helperMatch = /^(\S+)\s*(.*)$/s.exec(body.slice(1)) as RegExpExecArray;
      const helper = helperMatch[1] as string;
      const rest = splitArgs(helperMatch[2] as string, m[0]);
      if (helper === 'if') {
        if (rest.length !== 1) throw new TemplateSyntaxError(`${m[0]}: #if takes exactly one argument`);
        const node: Node = { kind: 'if', arg: rest[0] as Arg, children: [] };
        current.push(node);
        stack.push({ kind: 'if', children: node.children });
      } else if (helper === 'equals') {
        if (rest.length !== 2 && rest.length !== 3) throw new TemplateSyntaxError(`${m[0]}: #equals takes two values and an optional ignore-case flag`);
        // The optional third argument (AzureMonitorV1 passes 1) asks for a case-insensitive comparison.
        const flag = rest[2];
        const ignoreCase = flag !== undefined && argText(flag) !== '0' && argText(flag).toLowerCase() !== 'false';
        const node: Node = { kind: 'equals', left: rest[0] as Arg, right: rest[1] as Arg, ignoreCase, children: [] };
        current.push(node);
        stack.push({ kind: 'equals', children: node.children });
      } else {
        throw new TemplateSyntaxError(`${m[0]}: unsupported section helper '${helper}'`);
      }
    } else if (body.startsWith('/')) {
      const closing = body.slice(1).trim();
      const open = stack.pop();
      if (!open || stack.length === 0) throw new TemplateSyntaxError(`${m[0]} closes a section that was never opened`);
      if (open.kind !== closing) throw new TemplateSyntaxError(`${m[0]} closes a {{#${open.kind}}} section`);
    } else if (/^[A-Za-z_][\w.]*$/.test(body)) {
      current.push({ kind: 'value', name: body, raw: false });
    } else {
      throw new TemplateSyntaxError(`${m[0]}: unsupported tag`);
    }
  }
  if (stack.length !== 1) throw new TemplateSyntaxError(`{{#${(stack[stack.length - 1] as { kind: string }).kind}}} is never closed`);
  if (last < template.length) root.push({ kind: 'text', text: template.slice(last) });
  return root;
}

function expectName(text: string, tag: string): string {
  if (!/^[A-Za-z_][\w.]*$/.test(text)) throw new TemplateSyntaxError(`${tag}: unsupported tag`);
  return text;
}

/** Splits helper arguments: 'quoted literals' (with '' for a quote) and bare names or numbers. */
function splitArgs(text: string, tag: string): Arg[] {
  const args: Arg[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new TemplateSyntaxError(`${tag}: unterminated string`);
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
      args.push({ kind: 'literal', value });
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i] as string)) i++;
      const word = text.slice(start, i);
      args.push(/^\d+$/.test(word) ? { kind: 'literal', value: word } : { kind: 'name', name: word });
    }
  }
  return args;
}

function argText(arg: Arg): string {
  return arg.kind === 'literal' ? arg.value : arg.name;
}

function caseInsensitive(context: TemplateContext): (name: string) => string | undefined {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(context)) if (v !== undefined) map.set(k.toLowerCase(), v);
  return (name) => map.get(name.toLowerCase());
}

function argValue(arg: Arg, lookup: (name: string) => string | undefined): string {
  return arg.kind === 'literal' ? arg.value : lookup(arg.name) ?? '';
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function renderNodes(nodes: Node[], lookup: (name: string) => string | undefined): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += node.text;
        break;
      case 'value': {
        const value = lookup(node.name) ?? '';
        // Double braces escape HTML as Mustache does; triple braces insert the value as is.
        out += node.raw ? value : value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
        break;
      }
      case 'if':
        // A section is shown for a non-empty value: an input left blank hides it.
        if (argValue(node.arg, lookup).trim() !== '') out += renderNodes(node.children, lookup);
        break;
      case 'equals': {
        const left = argValue(node.left, lookup);
        const right = argValue(node.right, lookup);
        const same = node.ignoreCase ? left.toLowerCase() === right.toLowerCase() : left === right;
        if (same) out += renderNodes(node.children, lookup);
        break;
      }
    }
  }
  return out;
}
