/**
 * Time, injectable so tests need not wait: the one clock of the watch, the
 * cleanup and the leftover handling.
 */
export interface Clock {
  now(): number;
  /**
   * Resolves after `ms`, or early (never rejects) as soon as `signal` aborts:
   * a caller that can be cancelled checks `signal.aborted` after the wait.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
