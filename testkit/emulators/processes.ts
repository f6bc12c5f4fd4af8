/**
 * A registry of child processes started by test emulators, so one 'exit' hook
 * can kill whatever is still running when the test process ends abruptly
 * (mocha bails, an uncaught error, process.exit). Orderly stops unregister.
 * The test wrapper's process-group kill is the second line of defence.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

const running = new Map<number, { label: string; cleanup?: () => void }>();
let hooked = false;

function killAllSync(): void {
  for (const [pid, { cleanup }] of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    try {
      cleanup?.();
    } catch {
      // best effort while the process exits
    }
  }
  running.clear();
}

/** cleanup runs synchronously after the kill at exit (e.g. removing the child's data folder). */
export function registerChild(child: ChildProcess, label: string, cleanup?: () => void): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  running.set(pid, cleanup ? { label, cleanup } : { label });
  child.once('exit', () => running.delete(pid));
  if (!hooked) {
    hooked = true;
    process.once('exit', killAllSync);
  }
}

/** Labels of the registered children still running, keyed by PID. */
export function runningChildren(): ReadonlyMap<number, string> {
  return new Map([...running].map(([pid, { label }]) => [pid, label]));
}

/** Whether a process runs. A zombie (ended, not yet reaped by whoever adopted it) does not count. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: the signal check is all there is
  }
}

/** SIGTERM, wait up to graceMs for the exit, then SIGKILL and wait for that. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
  ]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
