import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { repoRoot } from '../../testkit/repoRoot';

/**
 * Message lookup outside the agent (tests, bench): the same task.json
 * `messages` and util.format placeholders as task-lib's tl.loc. An unknown key
 * throws instead of printing the key, so a typo fails a test rather than
 * reaching a user's log.
 */
export type Localizer = (key: string, ...args: unknown[]) => string;

export function createLocalizer(messages: Readonly<Record<string, string>>): Localizer {
  return (key, ...args) => {
    if (!Object.prototype.hasOwnProperty.call(messages, key)) {
      throw new Error(`Unknown message key '${key}': declare it in task.json messages`);
    }
    return format(messages[key] as string, ...args);
  };
}

/** The `messages` of a task.json, given its text. */
export function loadTaskMessages(taskJsonText: string): Record<string, string> {
  const task: unknown = JSON.parse(taskJsonText);
  const messages = typeof task === 'object' && task !== null ? (task as Record<string, unknown>)['messages'] : undefined;
  if (typeof messages !== 'object' || messages === null || Array.isArray(messages)) {
    throw new TypeError('task.json has no messages object');
  }
  for (const [key, text] of Object.entries(messages)) {
    if (typeof text !== 'string') throw new TypeError(`task.json message '${key}' is not a string`);
  }
  return messages as Record<string, string>;
}

/** The messages of AzureImageBuilder@1's task.json: the one copy of every user-visible text. */
export const taskMessages: Readonly<Record<string, string>> = loadTaskMessages(
  fs.readFileSync(path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1', 'task.json'), 'utf8'),
);
