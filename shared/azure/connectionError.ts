/**
 * A service connection that cannot be used as it is. It carries the task.json
 * message key and its arguments so the host can localise it, and an English
 * message so it is readable where no localisation is loaded (tests, the local runner).
 */
export class ServiceConnectionError extends Error {
  override readonly name = 'ServiceConnectionError';
  /** The task input that selects the connection. */
  readonly inputName = 'azureSubscription';

  constructor(
    readonly messageKey: string,
    readonly messageArgs: readonly string[],
    message: string,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
