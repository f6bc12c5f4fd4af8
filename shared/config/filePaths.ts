/** What a filePath input names, telling an unset value from the agent's working folder. */
import * as path from 'node:path';

/**
 * The absolute path a filePath input names, or undefined when it names none.
 * The agent roots filePath inputs, so an empty value arrives as the working
 * directory itself; relative values (tests) are resolved
 * against the working directory. Pure: no file system access.
 */
export function suppliedFilePath(value: string | undefined, workingDirectory: string): string | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  const root = path.resolve(workingDirectory);
  const resolved = path.resolve(root, trimmed);
  return path.relative(root, resolved) === '' ? undefined : resolved;
}
