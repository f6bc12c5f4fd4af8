/** Why staging the build artifacts cannot go on, as a localized error naming the input. */
import { LocalizedError } from '../core/localizedError';

/**
 * Staging cannot go on (no such account, no rights). Formatted by the host
 * from task.json `messages`; the first argument is the input concerned.
 */
export class StagingError extends LocalizedError {
  override readonly name = 'StagingError';
  declare readonly inputName: string;

  constructor(inputName: string, key: string, args: readonly string[], options?: { cause?: unknown }) {
    super(key, [inputName, ...args], { ...options, inputName });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
