/** A service connection that cannot be used as it is, as a localized error naming its input. */
import { LocalizedError } from '../core/localizedError';

/**
 * The host formats it from task.json `messages` (key and arguments; the first
 * argument is always the input name).
 */
export class ServiceConnectionError extends LocalizedError {
  override readonly name = 'ServiceConnectionError';
  declare readonly inputName: 'azureSubscription';

  constructor(
    readonly messageKey: string,
    readonly messageArgs: readonly string[],
  ) {
    super(messageKey, messageArgs, { inputName: 'azureSubscription' });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
