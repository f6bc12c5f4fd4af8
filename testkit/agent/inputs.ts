/**
 * Turns a step's inputs (as written in YAML) into the values the agent hands
 * the task: aliases resolved to names (the server does this when it compiles
 * the pipeline), task.json defaults, trimming, `$(var)` expansion, and
 * rooting of `filePath` inputs (TaskRunner.TranslateFilePathInput).
 */
import * as path from 'node:path';
import type { TaskDefinition, TaskInputDefinition } from './taskDefinition';
import type { VariableStore } from './variables';

function findInput(definition: TaskDefinition, key: string): TaskInputDefinition | undefined {
  const wanted = key.trim().toLowerCase();
  return definition.inputs.find(
    (input) => input.name.toLowerCase() === wanted || input.aliases.some((alias) => alias.toLowerCase() === wanted),
  );
}

/**
 * @returns values keyed by input NAME. Throws when a key is neither a name nor
 * an alias, or when a name and its alias are both given: the pipeline would
 * not compile then, so the step would never reach an agent.
 */
export function resolveInputs(
  definition: TaskDefinition,
  given: Readonly<Record<string, string>>,
  variables: VariableStore,
  rootDirectory: string,
): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const input of definition.inputs) inputs[input.name] = input.defaultValue.trim();

  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(given)) {
    const input = findInput(definition, key);
    if (!input) throw new Error(`Step input '${key}' is not an input or alias of task ${definition.name}`);
    const earlier = seen.get(input.name);
    if (earlier !== undefined) {
      throw new Error(`Step inputs '${earlier}' and '${key}' both set input '${input.name}' of task ${definition.name}`);
    }
    seen.set(input.name, key);
    inputs[input.name] = (value ?? '').trim();
  }

  for (const name of Object.keys(inputs)) inputs[name] = variables.expand(inputs[name]!);

  for (const input of definition.inputs) {
    if (input.type.toLowerCase() !== 'filepath') continue;
    const value = inputs[input.name] ?? '';
    // An empty filePath becomes the root itself: that is why tl.filePathSupplied exists.
    inputs[input.name] = path.isAbsolute(value) ? path.resolve(value) : path.resolve(rootDirectory, value);
  }
  return inputs;
}

/** Endpoint ids referenced by connectedService inputs (comma lists allowed), lower-case. */
export function referencedEndpointIds(definition: TaskDefinition, inputs: Readonly<Record<string, string>>): string[] {
  const ids: string[] = [];
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  for (const input of definition.inputs) {
    if (!input.type.toLowerCase().startsWith('connectedservice:')) continue;
    for (const raw of (inputs[input.name] ?? '').split(',')) {
      const id = raw.trim();
      if (id.length === 0) continue;
      if (!guid.test(id) || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(id)) {
        throw new Error(`Input '${input.name}' references service connection '${id}', which could not be found`);
      }
      ids.push(id.toLowerCase());
    }
  }
  return ids;
}
