/**
 * How a task process ends without losing the end of its output. stdout to a
 * pipe is asynchronous on Linux: `process.exit()` right after the last
 * `##vso[...]` command can drop what is still queued (output variables, the
 * attachment, task.complete) when the agent reads slowly. So the task sets
 * `process.exitCode` and lets the event loop drain; if a handle keeps the
 * loop alive (an SDK socket or timer), a last-resort, unref'd timer exits
 * once everything written so far has been flushed.
 */

/** How long an idle process may linger after the task is done before it is ended. */
const LINGER_MS = 2_000;

interface Writable {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

export interface EndProcessDeps {
  streams: Writable[];
  setExitCode(code: number): void;
  exit(): void;
  /** Schedules the last resort; the returned handle must not keep the process alive. */
  schedule(callback: () => void, ms: number): void;
}

const realDeps = (): EndProcessDeps => ({
  streams: [process.stdout, process.stderr],
  setExitCode: (code) => {
    process.exitCode = code;
  },
  exit: () => process.exit(),
  schedule: (callback, ms) => {
    setTimeout(callback, ms).unref();
  },
});

/** Calls `done` once every chunk written to the streams before this call has been handed to the OS. */
function afterFlush(streams: readonly Writable[], done: () => void): void {
  let left = streams.length;
  if (left === 0) return done();
  const one = () => {
    if (--left === 0) done();
  };
  // Write callbacks run in order: an empty write's callback runs after every earlier chunk is flushed.
  for (const stream of streams) stream.write('', one);
}

/**
 * Ends the task process with `code` once its output is out: exitCode now,
 * a natural exit when the loop drains, else an exit after the output flushed.
 */
export function endProcess(code: number, deps: EndProcessDeps = realDeps(), lingerMs = LINGER_MS): void {
  deps.setExitCode(code);
  deps.schedule(() => afterFlush(deps.streams, () => deps.exit()), lingerMs);
}
