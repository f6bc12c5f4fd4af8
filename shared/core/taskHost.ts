/**
 * The seam between the pure library and whatever runs it.
 *
 * The pipeline task implements it with azure-pipelines-task-lib
 * (shared/edge/taskLibHost.ts, the only module that imports task-lib);
 * tests implement it in plain Node. Library code never
 * writes to stdout or reads process.env itself.
 */

/** The agent's task results. Note `Canceled` with one "l": that is what the agent accepts. */
export type TaskOutcome = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled';

export interface TaskHost {
  /** A user-visible message from task.json `messages`, formatted with util.format placeholders. */
  loc(key: string, ...args: unknown[]): string;
  info(line: string): void;
  debug(line: string): void;
  /** A warning issue (yellow in the pipeline log, counted in the summary). */
  warning(message: string): void;
  /** An error issue; does not by itself fail the task. */
  error(message: string): void;
  /** Collapsible section in the pipeline log. */
  beginGroup(title: string): void;
  endGroup(): void;
  /** Registers a value the log must mask from now on. */
  setSecret(value: string): void;
  /** Sets an output variable (`isOutput=true`). */
  setOutput(name: string, value: string): void;
  setProgress(percent: number, description: string): void;
  /** Attaches a Markdown file as a tab on the run summary. */
  uploadSummary(path: string): void;
  /** Attaches a file to the run's logs. */
  uploadLog(path: string): void;
  /** Attaches a file to the run (task.addattachment). */
  addAttachment(type: string, name: string, path: string): void;
  /** A directory the task may write temporary files to. */
  tempDirectory(): string;
  /** Records the final result; the last call wins. */
  complete(outcome: TaskOutcome, message: string): void;
}
