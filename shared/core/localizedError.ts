/**
 * The one error type whose text the user reads: a message key of task.json
 * `messages` and its arguments, plus the input the user should change and the
 * request id a support case needs, when known. Library code throws it; the
 * host formats it in the user's language (tl.loc), so no English copy of a
 * message lives in the code.
 */
/** Formats a task.json message key with util.format arguments (TaskHost.loc, tl.loc, a test's localizer). */
export type Localize = (key: string, ...args: unknown[]) => string;

export interface LocalizedErrorOptions {
  /** The task input the user has to change, when one is to blame. */
  inputName?: string;
  /** x-ms-request-id (or correlation id) of the Azure answer behind the error. */
  requestId?: string;
  cause?: unknown;
}

export class LocalizedError extends Error {
  readonly inputName?: string;
  readonly requestId?: string;

  constructor(
    readonly key: string,
    readonly args: readonly unknown[] = [],
    options: LocalizedErrorOptions = {},
  ) {
    super(`${key}: ${args.map(String).join(', ')}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LocalizedError';
    if (options.inputName !== undefined) this.inputName = options.inputName;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }

  format(loc: Localize): string {
    return loc(this.key, ...this.args);
  }
}
