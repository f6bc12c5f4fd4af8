/**
 * The parts of task.json the agent reads to run a Node task, and its choice
 * of execution handler (TaskManager / TaskRunner.GetHandlerData).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type NodeHandlerName = 'Node24' | 'Node20_1' | 'Node16' | 'Node10' | 'Node';

/** The agent's handler priorities: lowest first, so the newest Node it knows wins. */
const HANDLER_PRIORITY: Readonly<Record<NodeHandlerName, number>> = {
  Node24: 101,
  Node20_1: 102,
  Node16: 103,
  Node10: 104,
  Node: 105,
};

export interface TaskInputDefinition {
  readonly name: string;
  readonly type: string;
  readonly aliases: readonly string[];
  /** As the agent holds it: a string (a JSON boolean `true` becomes "True", as .NET converts it). */
  readonly defaultValue: string;
}

export interface ExecutionDefinition {
  readonly target: string;
  readonly workingDirectory?: string;
  readonly platforms?: readonly string[];
}

export interface TaskDefinition {
  readonly id: string;
  readonly name: string;
  readonly friendlyName: string;
  readonly description: string;
  readonly author: string;
  readonly helpMarkDown: string;
  readonly version: string;
  readonly instanceNameFormat: string;
  readonly inputs: readonly TaskInputDefinition[];
  readonly outputVariables: readonly string[];
  readonly execution: Readonly<Partial<Record<string, ExecutionDefinition>>>;
}

type Json = Record<string, unknown>;

function asString(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

export function readTaskDefinition(taskDir: string): TaskDefinition {
  const file = path.join(taskDir, 'task.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  const version = (raw['version'] ?? {}) as Json;
  const inputs = ((raw['inputs'] ?? []) as Json[]).map(
    (input): TaskInputDefinition => ({
      name: asString(input['name']).trim(),
      type: asString(input['type']),
      aliases: ((input['aliases'] ?? []) as unknown[]).map(asString),
      defaultValue: asString(input['defaultValue']),
    }),
  );
  return {
    id: asString(raw['id']),
    name: asString(raw['name']),
    friendlyName: asString(raw['friendlyName']),
    description: asString(raw['description']),
    author: asString(raw['author']),
    helpMarkDown: asString(raw['helpMarkDown']),
    version: `${asString(version['Major'])}.${asString(version['Minor'])}.${asString(version['Patch'])}`,
    instanceNameFormat: asString(raw['instanceNameFormat']),
    inputs,
    outputVariables: ((raw['outputVariables'] ?? []) as Json[]).map((v) => asString(v['name'])),
    execution: (raw['execution'] ?? {}) as Record<string, ExecutionDefinition>,
  };
}

export interface ChosenHandler {
  readonly name: NodeHandlerName;
  readonly execution: ExecutionDefinition;
}

/**
 * The handler the agent would run on Linux: the Node handler with the lowest
 * priority number among those declared (Windows-only ones excluded), or the
 * one asked for, which must be declared.
 */
export function chooseHandler(definition: TaskDefinition, requested?: NodeHandlerName): ChosenHandler {
  const candidates = (Object.keys(HANDLER_PRIORITY) as NodeHandlerName[])
    .filter((name) => {
      const execution = definition.execution[name];
      if (!execution) return false;
      const platforms = execution.platforms ?? [];
      return platforms.length === 0 || platforms.some((p) => p.toLowerCase() === 'linux');
    })
    .sort((a, b) => HANDLER_PRIORITY[a] - HANDLER_PRIORITY[b]);
  if (candidates.length === 0) {
    throw new Error(`task.json of ${definition.name} declares no Node execution handler the agent can run on Linux`);
  }
  const name = requested ?? candidates[0]!;
  if (!candidates.includes(name)) {
    throw new Error(`task.json of ${definition.name} does not declare the ${name} handler (declared: ${candidates.join(', ')})`);
  }
  return { name, execution: definition.execution[name]! };
}
