/** Whether the build artifacts path names something on the agent. */
import * as fs from 'node:fs';

/**
 * Whether the build artifacts path names something on the agent, following a
 * symbolic link as packing does. Only "not there" counts as missing (a broken
 * link included); any other failure to look is left for staging to report
 * with its own cause.
 */
export function packagePathExists(packagePath: string): boolean {
  try {
    fs.statSync(packagePath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}
