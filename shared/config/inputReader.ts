/** Reads raw input values with their defaults and collects every problem found. */
import { INPUT_DEFAULTS } from './defaults';
import { suppliedFilePath } from './filePaths';
import { FILE_PATH_INPUTS, type InputName } from './inputNames';
import { issue, type ConfigProblem, type Issue } from './problems';
import { parseBoolean, parseEnum, parseInteger, type IntegerRange, type Parsed } from './scalars';

/** Reads raw input values, applies defaults, and collects every problem instead of stopping at the first. */
export class InputReader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly raw: (name: InputName) => string | undefined,
    private readonly workingDirectory: string,
  ) {}

  /**
   * The value the user supplied, trimmed; undefined when empty. For filePath
   * inputs the agent turns an empty value into the working directory, so that
   * counts as not supplied, and relative paths are resolved against it.
   */
  supplied(name: InputName): string | undefined {
    if (FILE_PATH_INPUTS.includes(name)) return suppliedFilePath(this.raw(name), this.workingDirectory);
    const value = this.raw(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** The supplied value, else the input's default. */
  text(name: InputName): string | undefined {
    return this.supplied(name) ?? INPUT_DEFAULTS[name];
  }

  /**
   * True when the user set the input to something other than its default. The
   * agent fills in task.json defaults before the task starts, so a value equal
   * to the default cannot be told apart from one the user left alone; treating
   * it as not explicit keeps defaults from overriding a template file.
   */
  explicit(name: InputName): boolean {
    const value = this.supplied(name);
    return value !== undefined && value !== INPUT_DEFAULTS[name];
  }

  add(name: InputName, found: Issue): void {
    this.problems.push({ input: name, key: found.key, args: found.args });
  }

  addAll(name: InputName, found: readonly Issue[]): void {
    for (const each of found) this.add(name, each);
  }

  required(name: InputName): string | undefined {
    const value = this.text(name);
    if (value === undefined) this.add(name, issue('InputRequired'));
    return value;
  }

  private parsed<T>(name: InputName, result: Parsed<T>, fallback: T): T {
    if (result.ok) return result.value;
    this.add(name, result.issue);
    return fallback;
  }

  bool(name: InputName): boolean {
    const fallback = INPUT_DEFAULTS[name] === 'true';
    const value = this.text(name);
    return value === undefined ? fallback : this.parsed(name, parseBoolean(value), fallback);
  }

  /** Undefined when neither set nor defaulted, or when invalid (the problem is recorded). */
  int(name: InputName, range: IntegerRange): number | undefined {
    const value = this.text(name);
    return value === undefined ? undefined : this.parsed<number | undefined>(name, parseInteger(value, range), undefined);
  }

  /** An enum input that has a default; on a bad value the default stands in so parsing can go on. */
  choice<T extends string>(name: InputName, allowed: readonly T[], aliases: Readonly<Record<string, T>> = {}): T {
    const fallback = parseEnum(INPUT_DEFAULTS[name] ?? '', allowed);
    if (!fallback.ok) throw new TypeError(`Input '${name}' has no valid default among ${allowed.join(', ')}`);
    const value = this.text(name);
    return value === undefined ? fallback.value : this.parsed(name, parseEnum(value, allowed, aliases), fallback.value);
  }
}
