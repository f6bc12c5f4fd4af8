/** The shape of input problems: a task.json message key, its arguments and the input to fix. */
import type { Localize } from '../core/localizedError';
import type { InputName } from './inputNames';
import type { ImageBuilderConfig } from './types';

/**
 * What is wrong with a value, as a task.json message key plus its arguments,
 * before it is tied to an input. Small parsers return these so they stay
 * independent of input names.
 */
export interface Issue {
  /** Key in task.json `messages`. Its text takes the input name as the first %s. */
  key: string;
  /** The arguments that follow the input name. */
  args: unknown[];
}

/** One invalid input value or combination, naming the input the user has to fix. */
export interface ConfigProblem extends Issue {
  input: InputName;
}

export type ParseResult =
  | { ok: true; config: ImageBuilderConfig; warnings?: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

export function issue(key: string, ...args: unknown[]): Issue {
  return { key, args };
}

export function formatProblem(problem: ConfigProblem, loc: Localize): string {
  return loc(problem.key, problem.input, ...problem.args);
}
