import * as os from 'node:os';

/**
 * How many task processes a test file runs side by side: one per core. A task
 * run spends most of its time waiting (status polls, retry back-offs), so
 * runs side by side finish sooner; more than the cores would only make each
 * run slower when they all start at once.
 */
export const TASK_PROCESSES = Math.max(1, os.availableParallelism());

/**
 * Maps items through an async function with at most `limit` calls in flight,
 * in the items' order; the results keep that order. Each result is settled on
 * its own, so callers can await one item's result as soon as it is ready.
 */
export function mapLimited<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, limit: number = TASK_PROCESSES): Promise<R>[] {
  const results: Promise<R>[] = [];
  let running = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    running -= 1;
    queue.shift()?.();
  };
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (running < limit) {
        running += 1;
        resolve();
      } else {
        queue.push(() => {
          running += 1;
          resolve();
        });
      }
    });
  items.forEach((item, index) => {
    const result = acquire().then(async () => {
      try {
        return await fn(item, index);
      } finally {
        release();
      }
    });
    // A caller that awaits this result later still sees the rejection; until then it is not "unhandled".
    result.catch(() => undefined);
    results.push(result);
  });
  return results;
}
