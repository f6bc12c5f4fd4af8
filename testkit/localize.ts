/**
 * Localization of the tasks, the way Azure DevOps' own tasks are localized.
 *
 *   node build/scripts/localize.js            (npm run loc)        regenerate
 *   node build/scripts/localize.js --check    (npm run loc:check)  verify, exit 1 on any problem
 *   node build/scripts/localize.js --todo     list what is missing, ready to translate
 *
 * task.json stays the English source. From it this script writes, for every
 * task folder tasks/<Name>/<Name>V<N>/:
 *   - task.loc.json: task.json with each text replaced by `ms-resource:<key>`;
 *     Azure DevOps shows the texts of the user's language from Strings/.
 *   - Strings/resources.resjson/en-US/resources.resjson: the English texts.
 * The other cultures (CULTURES) are translations committed by hand in
 * Strings/resources.resjson/<culture>/resources.resjson. At run time
 * task-lib's tl.setResourcePath(task.json) reads the messages of the agent's
 * System.Culture from the same files (`loc.messages.<key>`).
 *
 * Keys (as Microsoft forms them): loc.friendlyName, loc.description,
 * loc.helpMarkDown, loc.instanceNameFormat, loc.releaseNotes,
 * loc.group.displayName.<group>, loc.input.label.<input>,
 * loc.input.help.<input> and loc.messages.<key>. Pick list option display
 * names stay as written in task.json: Microsoft's own tasks never reference
 * resources there, and whether the service resolves `ms-resource:` inside
 * `options` is not documented, so a reference could show up raw in the editor.
 *
 * The check is strict: a culture file must have exactly the keys of en-US,
 * and a translation must keep every placeholder of the English text (`%s`
 * and `%d` in the same order, `{0}`, backticked text, `$(macros)`, URLs and
 * camelCase names such as input names and values like platformImage).
 *
 * After someone adds or changes an input or a message in task.json:
 *   1. npm run compile && node build/scripts/localize.js
 *      (regenerates task.loc.json and en-US; commit both)
 *   2. node build/scripts/localize.js --todo
 *      prints, per task and culture, the missing keys with their English text
 *      as JSON members; translate each and paste it into that culture's
 *      resources.resjson (any position: the next regeneration puts the keys
 *      in en-US order). Keys whose English text changed are not detected as
 *      such: review the translation of every text you change.
 *   3. node build/scripts/localize.js --check (or the test/l10n tests).
 * Keys that task.json no longer has are removed from every culture by step 1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './repoRoot';

/** The languages Azure DevOps ships its tasks in; en-US is generated. */
export const CULTURES = ['en-US', 'de-DE', 'es-ES', 'fr-FR', 'it-IT', 'ja-JP', 'ko-KR', 'ru-RU', 'zh-CN', 'zh-TW'] as const;
export const SOURCE_CULTURE = 'en-US';

const RESOURCE_PREFIX = 'ms-resource:';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface TaskFolder {
  /** tasks/<Name>/<Name>V<N>, absolute. */
  readonly folder: string;
  /** <Name>V<N>, for reports. */
  readonly label: string;
}

export function findTaskFolders(tasksRoot: string = path.join(repoRoot, 'tasks')): TaskFolder[] {
  const found: TaskFolder[] = [];
  for (const name of fs.readdirSync(tasksRoot).sort()) {
    const taskDir = path.join(tasksRoot, name);
    if (!fs.statSync(taskDir).isDirectory()) continue;
    for (const version of fs.readdirSync(taskDir).sort()) {
      const folder = path.join(taskDir, version);
      if (new RegExp(`^${name}V\\d+$`).test(version) && fs.existsSync(path.join(folder, 'task.json'))) {
        found.push({ folder, label: version });
      }
    }
  }
  return found;
}

export function resjsonPath(taskFolder: string, culture: string): string {
  return path.join(taskFolder, 'Strings', 'resources.resjson', culture, 'resources.resjson');
}

export function taskLocJsonPath(taskFolder: string): string {
  return path.join(taskFolder, 'task.loc.json');
}

function readJson(file: string): JsonObject {
  let text = fs.readFileSync(file, 'utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return JSON.parse(text) as JsonObject;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stable text of a generated file: two-space JSON, LF, final newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The texts of a task.json and the task.loc.json that points at them, built
 * in one walk so the two cannot disagree on a key.
 */
export function localizeTaskJson(task: JsonObject): { resources: Record<string, string>; taskLoc: JsonObject } {
  const resources: Record<string, string> = {};
  const ref = (key: string, text: Json | undefined): Json | undefined => {
    if (typeof text !== 'string') return text;
    if (Object.prototype.hasOwnProperty.call(resources, key)) throw new Error(`Duplicate localization key ${key}`);
    resources[key] = text;
    return `${RESOURCE_PREFIX}${key}`;
  };
  const taskLoc: JsonObject = JSON.parse(JSON.stringify(task)) as JsonObject;
  delete taskLoc['$schema'];
  for (const field of ['friendlyName', 'helpMarkDown', 'description', 'instanceNameFormat', 'releaseNotes']) {
    if (typeof task[field] === 'string') taskLoc[field] = ref(`loc.${field}`, task[field]) as Json;
  }
  const groups = taskLoc['groups'];
  if (Array.isArray(groups)) {
    for (const group of groups) {
      if (isObject(group)) group['displayName'] = ref(`loc.group.displayName.${String(group['name'])}`, group['displayName']) as Json;
    }
  }
  const inputs = taskLoc['inputs'];
  if (Array.isArray(inputs)) {
    for (const input of inputs) {
      if (!isObject(input)) continue;
      const name = String(input['name']);
      if ('label' in input) input['label'] = ref(`loc.input.label.${name}`, input['label']) as Json;
      if ('helpMarkDown' in input) input['helpMarkDown'] = ref(`loc.input.help.${name}`, input['helpMarkDown']) as Json;
    }
  }
  const messages = taskLoc['messages'];
  if (isObject(messages)) {
    for (const key of Object.keys(messages)) messages[key] = ref(`loc.messages.${key}`, messages[key]) as Json;
  }
  return { resources, taskLoc };
}

/** The generated files of one task folder, path -> content. */
export function generatedFiles(taskFolder: string): Map<string, string> {
  const { resources, taskLoc } = localizeTaskJson(readJson(path.join(taskFolder, 'task.json')));
  return new Map([
    [taskLocJsonPath(taskFolder), formatJson(taskLoc)],
    [resjsonPath(taskFolder, SOURCE_CULTURE), formatJson(resources)],
  ]);
}

/** English resources of a task, from task.json (not from the generated file, which may be stale). */
export function englishResources(taskFolder: string): Record<string, string> {
  return localizeTaskJson(readJson(path.join(taskFolder, 'task.json'))).resources;
}

export function readResjson(file: string): Record<string, string> {
  const json = readJson(file);
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    if (typeof value !== 'string') throw new Error(`${file}: ${key} is not a string`);
    strings[key] = value;
  }
  return strings;
}

/** `%s`, `%d`, ... : util.format fills them by position, so their order is part of the meaning. */
const PRINTF = /%[sdifjoOc%]/g;
/**
 * Text a translation must carry unchanged, in any order: .NET-style
 * placeholders, backticked code (input names, commands, values), pipeline
 * macros, URLs and camelCase identifiers (input names, values such as
 * platformImage or spnKey) written without backticks.
 */
const VERBATIM = [
  /\{\d+\}/g,
  /`[^`]+`/g,
  /\$\([^)\s]+\)/g,
  /https?:\/\/[^\s)"'`<>]*[^\s)"'`<>.,;:]/g,
  /(?<![A-Za-z0-9_`/.$-])[a-z]+[A-Z][A-Za-z0-9]*(?![A-Za-z0-9_`-])/g,
];

/** What a translation of `english` must keep: the ordered printf sequence and the sorted verbatim parts. */
export function placeholders(english: string): { printf: string[]; verbatim: string[] } {
  const withoutCode = english.replace(/`[^`]+`/g, ' ');
  return {
    printf: english.match(PRINTF) ?? [],
    verbatim: VERBATIM.flatMap((pattern, index) => {
      // camelCase words inside backticks or URLs are covered by those; search the rest only.
      const text = index === 4 ? withoutCode.replace(VERBATIM[3]!, ' ').replace(/\$\([^)\s]+\)/g, ' ') : english;
      return text.match(pattern) ?? [];
    }).sort(),
  };
}

/** Why `translated` is not a faithful carrier of `english`'s placeholders, or undefined. */
export function placeholderProblem(english: string, translated: string): string | undefined {
  const expected = placeholders(english);
  const printf = translated.match(PRINTF) ?? [];
  if (printf.join(' ') !== expected.printf.join(' ')) {
    return `placeholders ${expected.printf.join(' ') || '(none)'} expected in this order, found ${printf.join(' ') || '(none)'}`;
  }
  const missing = [...expected.verbatim];
  for (const part of missing.slice()) {
    if (translated.includes(part)) missing.splice(missing.indexOf(part), 1);
  }
  if (missing.length > 0) return `must keep ${missing.map((m) => JSON.stringify(m)).join(', ')} unchanged`;
  const extra = VERBATIM.slice(0, 3).flatMap((pattern) => translated.match(pattern) ?? []).filter((part) => !english.includes(part));
  if (extra.length > 0) return `adds ${extra.map((m) => JSON.stringify(m)).join(', ')}, which the English text does not have`;
  return undefined;
}

export interface Problem {
  readonly task: string;
  readonly culture?: string;
  readonly key?: string;
  readonly message: string;
}

/** Every localization problem of one task folder; empty when all is in order. */
export function checkTask(task: TaskFolder): Problem[] {
  const problems: Problem[] = [];
  for (const [file, content] of generatedFiles(task.folder)) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current !== content) {
      problems.push({
        task: task.label,
        message: `${path.relative(repoRoot, file)} is ${current === undefined ? 'missing' : 'stale'}: run node build/scripts/localize.js`,
      });
    }
  }
  const english = englishResources(task.folder);
  for (const culture of CULTURES.filter((c) => c !== SOURCE_CULTURE)) {
    const file = resjsonPath(task.folder, culture);
    if (!fs.existsSync(file)) {
      problems.push({ task: task.label, culture, message: `${path.relative(repoRoot, file)} is missing` });
      continue;
    }
    const translated = readResjson(file);
    for (const key of Object.keys(english)) {
      if (!(key in translated)) problems.push({ task: task.label, culture, key, message: 'missing' });
    }
    for (const [key, text] of Object.entries(translated)) {
      if (!(key in english)) {
        problems.push({ task: task.label, culture, key, message: 'not in task.json (run node build/scripts/localize.js to remove it)' });
        continue;
      }
      const problem = placeholderProblem(english[key]!, text);
      if (problem) problems.push({ task: task.label, culture, key, message: problem });
    }
  }
  return problems;
}

export function formatProblem(problem: Problem): string {
  return [problem.task, problem.culture, problem.key].filter(Boolean).join(' ') + `: ${problem.message}`;
}

/**
 * Writes task.loc.json and en-US, and rewrites each translation in en-US key
 * order without the keys task.json no longer has (translations themselves are
 * kept as they are; missing ones are left for a translator, see --todo).
 */
export function regenerate(task: TaskFolder): string[] {
  const written: string[] = [];
  const write = (file: string, content: string): void => {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    written.push(file);
  };
  for (const [file, content] of generatedFiles(task.folder)) write(file, content);
  const english = englishResources(task.folder);
  for (const culture of CULTURES.filter((c) => c !== SOURCE_CULTURE)) {
    const file = resjsonPath(task.folder, culture);
    if (!fs.existsSync(file)) continue;
    const translated = readResjson(file);
    const ordered: Record<string, string> = {};
    for (const key of Object.keys(english)) if (key in translated) ordered[key] = translated[key]!;
    write(file, formatJson(ordered));
  }
  return written;
}

/** The missing translations of a task, per culture, as JSON members carrying the English text. */
export function todo(task: TaskFolder): Map<string, Record<string, string>> {
  const english = englishResources(task.folder);
  const missing = new Map<string, Record<string, string>>();
  for (const culture of CULTURES.filter((c) => c !== SOURCE_CULTURE)) {
    const file = resjsonPath(task.folder, culture);
    const translated = fs.existsSync(file) ? readResjson(file) : {};
    const keys = Object.keys(english).filter((key) => !(key in translated));
    if (keys.length > 0) missing.set(culture, Object.fromEntries(keys.map((key) => [key, english[key]!])));
  }
  return missing;
}

export function main(): void {
  const args = process.argv.slice(2);
  const tasks = findTaskFolders();
  if (args.includes('--check')) {
    const problems = tasks.flatMap(checkTask);
    for (const problem of problems) console.error(formatProblem(problem));
    if (problems.length > 0) {
      console.error(`${problems.length} localization problem(s).`);
      process.exit(1);
    }
    console.log(`Localization of ${tasks.length} task(s) in ${CULTURES.length} cultures is complete.`);
  } else if (args.includes('--todo')) {
    for (const task of tasks) {
      for (const [culture, entries] of todo(task)) {
        console.log(`// ${path.relative(repoRoot, resjsonPath(task.folder, culture))}: ${Object.keys(entries).length} to translate`);
        console.log(JSON.stringify(entries, null, 2).slice(2, -2));
      }
    }
  } else {
    for (const task of tasks) for (const file of regenerate(task)) console.log(`wrote ${path.relative(repoRoot, file)}`);
  }
}

