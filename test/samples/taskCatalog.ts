/** The tasks of this extension, read from tasks/<Name>/<Name>V<major>/task.json, by `Name@major`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';

export interface CatalogTask {
  reference: string;
  folder: string;
  runsOn: string[];
  /** Input name (and each alias), lower-cased, to the input name. */
  inputNames: Map<string, string>;
  outputVariables: Set<string>;
  defaults: Map<string, string>;
}

export type TaskCatalog = ReadonlyMap<string, CatalogTask>;

interface TaskJson {
  name: string;
  version: { Major: number };
  runsOn?: string[];
  inputs?: Array<{ name: string; aliases?: string[]; defaultValue?: string | boolean }>;
  outputVariables?: Array<{ name: string }>;
}

export function taskFromJson(folder: string, json: TaskJson): CatalogTask {
  const inputNames = new Map<string, string>();
  const defaults = new Map<string, string>();
  for (const input of json.inputs ?? []) {
    inputNames.set(input.name.toLowerCase(), input.name);
    for (const alias of input.aliases ?? []) inputNames.set(alias.toLowerCase(), input.name);
    if (input.defaultValue !== undefined) defaults.set(input.name, String(input.defaultValue));
  }
  return {
    reference: `${json.name}@${json.version.Major}`,
    folder,
    runsOn: json.runsOn ?? ['Agent', 'DeploymentGroup'],
    inputNames,
    outputVariables: new Set((json.outputVariables ?? []).map((o) => o.name)),
    defaults,
  };
}

export function loadTaskCatalog(root: string = repoRoot): TaskCatalog {
  const catalog = new Map<string, CatalogTask>();
  const tasksDir = path.join(root, 'tasks');
  for (const name of fs.readdirSync(tasksDir)) {
    for (const version of fs.readdirSync(path.join(tasksDir, name))) {
      const file = path.join(tasksDir, name, version, 'task.json');
      if (!fs.existsSync(file)) continue;
      const task = taskFromJson(path.dirname(file), JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson);
      catalog.set(task.reference.toLowerCase(), task);
    }
  }
  return catalog;
}
