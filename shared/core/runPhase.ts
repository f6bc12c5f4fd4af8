/** The phases of an image template's build run, as the watch reports them and the summary lists them. */

/** A phase is a run state, refined by its sub-state while running ("Running/Customizing"). */
export interface Phase {
  runState: string;
  runSubState?: string;
}

/** Time spent in one phase, in the order the phases were seen. */
export interface PhaseDuration {
  phase: Phase;
  startedAt: number;
  durationMs: number;
}

export function phaseLabel(phase: Phase): string {
  return phase.runSubState && phase.runState === 'Running' ? `${phase.runState}/${phase.runSubState}` : phase.runState;
}
