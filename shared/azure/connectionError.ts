import { LocalizedError } from '../core/localizedError';

/**
 * A service connection that cannot be used as it is. The host formats it
 * from task.json `messages` (key and arguments; the first argument is always
 * the input name); the English message keeps it readable where no
 * localisation is loaded (tests, logs of the local runner).
 */
export class ServiceConnectionError extends LocalizedError {
  override readonly name = 'ServiceConnectionError';
  /** The task input that selects the connection. */
  readonly inputName = 'azureSubscription';

  constructor(
    readonly messageKey: string,
    readonly messageArgs: readonly string[],
    message: string,
  ) {
    super(messageKey, messageArgs);
    this.message = message;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
