import { LocalizedError } from '../core/localizedError';

/**
 * Staging cannot go on (no such account, no rights). Formatted by the host
 * from task.json `messages`; the first argument is the input concerned, and
 * the English message keeps it readable without localisation.
 */
export class StagingError extends LocalizedError {
  override readonly name = 'StagingError';

  constructor(
    readonly inputName: string,
    key: string,
    args: readonly string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(key, [inputName, ...args], options);
    this.message = message;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
