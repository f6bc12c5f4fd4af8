/**
 * The task's own phases (preflight, upload, create, build, cleanup) and how
 * long each took, for the summary's "Time per phase". Starting a phase ends
 * the one before; time is injected so tests need not wait.
 */
export type TaskPhase = 'preflight' | 'upload' | 'create' | 'build' | 'cleanup';

export interface TaskPhaseTiming {
  phase: TaskPhase;
  durationMs: number;
}

export class TaskPhases {
  private readonly done: TaskPhaseTiming[] = [];
  private current: { phase: TaskPhase; startedAt: number } | undefined;

  constructor(private readonly now: () => number) {}

  start(phase: TaskPhase): void {
    this.stop();
    this.current = { phase, startedAt: this.now() };
  }

  /** Ends the running phase, if any. */
  stop(): void {
    if (!this.current) return;
    this.done.push({ phase: this.current.phase, durationMs: this.now() - this.current.startedAt });
    this.current = undefined;
  }

  /** The finished phases in order. */
  list(): TaskPhaseTiming[] {
    return [...this.done];
  }
}
