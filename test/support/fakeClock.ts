import type { Clock } from '../../shared/core/clock';

/**
 * Time that moves only when the code under test sleeps, or when the test
 * moves `nowMs` itself. Like the real clock, a wait under an aborted signal
 * ends at once, without passing time; every other wait is recorded in `sleeps`.
 */
export class FakeClock implements Clock {
  constructor(public nowMs = Date.UTC(2025, 0, 31, 10, 0, 0)) {}
  readonly sleeps: number[] = [];
  now = (): number => this.nowMs;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    this.nowMs += ms;
  };
}
