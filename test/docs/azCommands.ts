/**
 * A small checker for the Azure CLI commands the marketplace page gives to
 * copy: command names, required and known flags, and shell variables defined
 * before use. There is no `az` here; the table below is what the page may use,
 * written from the Azure CLI reference, so a typo in a command or a flag fails.
 */

interface CommandSpec {
  /** Each entry is one requirement; alternatives are separated by `|` (e.g. `--assignee|--assignee-object-id`). */
  required: string[];
  /** Flags accepted besides the required ones and the global ones. */
  allowed: string[];
  /** Flags whose value may hold a `<...>` placeholder for the reader to fill in. */
  placeholders?: string[];
}

const GLOBAL_FLAGS = ['--output', '--query', '--only-show-errors', '--verbose', '--debug'];

export const AZ_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  'account set': { required: ['--subscription'], allowed: [] },
  'provider register': { required: ['--namespace'], allowed: ['--wait', '--consent-to-permissions', '--management-group-id', '--accept-terms', '--subscription'] },
  'group create': { required: ['--name', '--location'], allowed: ['--tags', '--managed-by', '--subscription'] },
  'group show': { required: ['--name'], allowed: ['--subscription'] },
  'identity create': { required: ['--name', '--resource-group'], allowed: ['--location', '--tags', '--subscription'] },
  'identity show': { required: ['--name', '--resource-group'], allowed: ['--subscription'] },
  'sig create': { required: ['--resource-group', '--gallery-name'], allowed: ['--location', '--description', '--tags', '--permissions', '--subscription'] },
  'sig image-definition create': {
    required: ['--resource-group', '--gallery-name', '--gallery-image-definition', '--publisher', '--offer', '--sku', '--os-type'],
    allowed: ['--os-state', '--hyper-v-generation', '--features', '--location', '--description', '--tags', '--architecture', '--end-of-life-date', '--eula', '--privacy-statement-uri', '--release-note-uri', '--minimum-cpu-core', '--maximum-cpu-core', '--minimum-memory', '--maximum-memory', '--plan-name', '--plan-product', '--plan-publisher', '--disallowed-disk-types', '--subscription'],
  },
  'storage account create': {
    required: ['--name', '--resource-group'],
    allowed: ['--location', '--sku', '--kind', '--allow-blob-public-access', '--min-tls-version', '--allow-shared-key-access', '--https-only', '--access-tier', '--tags', '--subscription'],
  },
  'storage account show': { required: ['--name', '--resource-group'], allowed: ['--subscription'] },
  'storage container create': { required: ['--name', '--account-name'], allowed: ['--auth-mode', '--public-access', '--fail-on-exist', '--metadata'] },
  'role assignment create': {
    required: ['--role', '--scope', '--assignee|--assignee-object-id'],
    allowed: ['--assignee-principal-type', '--description', '--condition', '--condition-version', '--subscription'],
  },
  'role definition create': { required: ['--role-definition'], allowed: ['--subscription'] },
  'network vnet show': { required: ['--name', '--resource-group'], allowed: ['--subscription', '--expand'] },
  'ad app federated-credential create': { required: ['--id', '--parameters'], allowed: [], placeholders: ['--parameters'] },
};

/** Flags whose value is given as a separate word; the rest of the known flags take values too, except these switches. */
const SWITCHES = new Set(['--wait', '--only-show-errors', '--verbose', '--debug', '--consent-to-permissions', '--accept-terms', '--fail-on-exist']);

export interface AzCommand {
  /** Where it came from, for messages. */
  line: string;
  words: string[];
}

export interface ShellScript {
  /** Variables in the order they are assigned, with their values as written. */
  assignments: { name: string; value: string; line: string }[];
  commands: AzCommand[];
  /** Every `$NAME` / `${NAME}` expanded, with the line it appears on and the variables defined before it. */
  uses: { name: string; line: string; definedBefore: ReadonlySet<string> }[];
  problems: string[];
}

/** Splits a shell line into words, honouring quotes; returns the variables expanded outside single quotes. */
export function shellWords(line: string): { words: string[]; expanded: string[] } {
  const words: string[] = [];
  const expanded: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === '$') {
      const match = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(line.slice(i));
      if (match) {
        expanded.push((match[1] ?? match[2]) as string);
        current = (current ?? '') + match[0];
        i += match[0].length - 1;
        continue;
      }
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      current = current ?? '';
    } else if (ch === '#' && current === undefined) {
      break;
    } else if (/\s/.test(ch)) {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${line}`);
  if (current !== undefined) words.push(current);
  return { words, expanded };
}

/** Joins continued lines and drops comments and blank lines. */
function logicalLines(script: string): string[] {
  return script
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function readShell(scripts: readonly string[]): ShellScript {
  const result: ShellScript = { assignments: [], commands: [], uses: [], problems: [] };
  const defined = new Set<string>();
  for (const line of scripts.flatMap(logicalLines)) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    let commandText = line;
    if (assignment) {
      const [, name, value] = assignment as unknown as [string, string, string];
      const substitution = /^\$\((.*)\)$/.exec(value);
      if (substitution) commandText = substitution[1] as string;
      else commandText = '';
      result.assignments.push({ name, value, line });
      if (!substitution && /\$/.test(value)) result.problems.push(`${line}: plain assignments should hold a literal or a placeholder`);
    }
    if (commandText !== '') {
      const { words, expanded } = shellWords(commandText);
      for (const name of expanded) result.uses.push({ name, line, definedBefore: new Set(defined) });
      if (words[0] !== 'az') result.problems.push(`${line}: not an az command`);
      else result.commands.push({ line, words: words.slice(1) });
    }
    if (assignment) defined.add(assignment[1] as string);
  }
  return result;
}

/** Problems with one az command against the table. */
export function checkAzCommand(command: AzCommand, table: Readonly<Record<string, CommandSpec>> = AZ_COMMANDS): string[] {
  const firstFlag = command.words.findIndex((w) => w.startsWith('-'));
  const name = command.words.slice(0, firstFlag === -1 ? undefined : firstFlag).join(' ');
  const spec = table[name];
  if (!spec) return [`${command.line}: unknown command 'az ${name}'`];
  const problems: string[] = [];
  const given = new Map<string, string | undefined>();
  const rest = firstFlag === -1 ? [] : command.words.slice(firstFlag);
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    if (!word.startsWith('--')) {
      problems.push(`${command.line}: '${word}' is ${word.startsWith('-') ? 'a short flag (write the long form)' : 'not a flag value'}`);
      continue;
    }
    const known = [...spec.required.flatMap((r) => r.split('|')), ...spec.allowed, ...GLOBAL_FLAGS];
    if (!known.includes(word)) problems.push(`${command.line}: 'az ${name}' has no flag ${word}`);
    if (given.has(word)) problems.push(`${command.line}: ${word} given twice`);
    if (SWITCHES.has(word)) {
      given.set(word, undefined);
      continue;
    }
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) problems.push(`${command.line}: ${word} has no value`);
    else i++;
    given.set(word, value);
  }
  for (const requirement of spec.required) {
    if (!requirement.split('|').some((flag) => given.has(flag))) problems.push(`${command.line}: 'az ${name}' needs ${requirement.replace('|', ' or ')}`);
  }
  for (const [flag, value] of given) {
    if (value !== undefined && /<[^>]+>/.test(value) && !(spec.placeholders ?? []).includes(flag)) {
      problems.push(`${command.line}: ${flag} holds a placeholder; define it once as a variable at the top`);
    }
  }
  return problems;
}

/** Every problem of a set of scripts: commands, flags and variables used before they are set or never used. */
export function checkShell(scripts: readonly string[]): string[] {
  const script = readShell(scripts);
  const problems = [...script.problems, ...script.commands.flatMap((c) => checkAzCommand(c))];
  for (const use of script.uses) if (!use.definedBefore.has(use.name)) problems.push(`${use.line}: $${use.name} is not set before`);
  const used = new Set(script.uses.map((u) => u.name));
  for (const { name, line } of script.assignments) if (!used.has(name)) problems.push(`${line}: ${name} is set but never used`);
  return problems;
}
