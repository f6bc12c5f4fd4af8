/**
 * A registry of child processes started by test emulators, so one 'exit' hook
 * can kill whatever is still running when the test process ends abruptly
 * (mocha bails, an uncaught error, process.exit). Orderly stops unregister.
 * The test wrapper's process-group kill is the second line of defence.
 */
import type { ChildProcess } from 'node:child_process';

const running = new Map<number, string>();
let hooked = false;

function killAllSync(): void {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

export function registerChild(child: ChildProcess, label: string): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  running.set(pid, label);
  child.once('exit', () => running.delete(pid));
  if (!hooked) {
    hooked = true;
    process.once('exit', killAllSync);
  }
}

/** Labels of the registered children still running, keyed by PID. */
export function runningChildren(): ReadonlyMap<number, string> {
  return running;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
