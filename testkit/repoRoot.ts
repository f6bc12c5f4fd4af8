import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Walks up from `start` to the first folder holding package.json. Tests and tools run
 * from build/test/... and build/testkit/..., so a fixed number of `..` would break when the layout
 * of the build folder changes.
 */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
}

/** Absolute path of the repository root (the folder holding package.json). */
export const repoRoot: string = findRepoRoot(__dirname);

/** Reference data beside the repository: ../shared/specs. */
export const specsRoot: string = path.resolve(repoRoot, '..', 'shared', 'specs');
