/**
 * An error whose text lives in task.json `messages`. Library code throws it
 * with a key and arguments; the host formats it in the user's language.
 */
export class LocalizedError extends Error {
  constructor(
    readonly key: string,
    readonly args: readonly unknown[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${key}: ${args.map(String).join(', ')}`, options);
    this.name = 'LocalizedError';
  }

  format(loc: (key: string, ...args: unknown[]) => string): string {
    return loc(this.key, ...this.args);
  }
}
