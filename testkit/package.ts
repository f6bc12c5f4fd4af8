/**
 * Packages the extension into a .vsix with tfx (offline):
 *   node build/scripts/package.js [--root <dir>] [--output-path <dir>] [--publisher <id>] [--id-suffix <suffix>]
 *
 * `npm run package -- --publisher myorg --id-suffix -dev` packages the same
 * files under your own Marketplace publisher (and, with a suffix, as a second
 * extension id such as `image-builder-tasks-dev`) without editing
 * vss-extension.json. IMAGE_BUILDER_PUBLISHER and IMAGE_BUILDER_ID_SUFFIX do
 * the same from the environment; the command line wins.
 *
 * tfx only WARNS about a broken task.json (bad id, missing execution target,
 * ...) and still exits 0, which would ship a task the agent cannot run. So any
 * `warning:` line from tfx fails the packaging here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './repoRoot';

export interface PackageOptions {
  /** The extension root holding vss-extension.json. */
  readonly root: string;
  readonly outputDir: string;
  /** Marketplace publisher id to package under instead of the manifest's. */
  readonly publisher?: string;
  /** Appended to the manifest's extension id, e.g. `-dev`. */
  readonly idSuffix?: string;
}

export interface PackageResult {
  readonly vsixPath: string;
  readonly bytes: number;
  /** tfx's output, colour codes removed. */
  readonly output: string;
}

export class PackagingError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'PackagingError';
  }
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\u001b\[[0-9;]*m/g;

function tfxCliPath(): string {
  return path.join(path.dirname(require.resolve('tfx-cli/package.json')), '_build', 'tfx-cli.js');
}

// What the Marketplace accepts as a publisher or extension id: letters, digits, '-' and '_' (ids also '.').
const PUBLISHER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const EXTENSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** tfx arguments that package under another publisher and id, the manifest file left untouched. */
export function identityArguments(root: string, options: Pick<PackageOptions, 'publisher' | 'idSuffix'>): string[] {
  const args: string[] = [];
  if (options.publisher !== undefined) {
    if (!PUBLISHER_ID.test(options.publisher)) {
      throw new PackagingError(`--publisher '${options.publisher}' is not a Marketplace publisher id (letters, digits, '-' and '_', starting with a letter or digit)`, '');
    }
    args.push('--publisher', options.publisher);
  }
  if (options.idSuffix !== undefined && options.idSuffix !== '') {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as { id?: unknown };
    if (typeof manifest.id !== 'string') throw new PackagingError('vss-extension.json has no id to add the suffix to', '');
    const id = `${manifest.id}${options.idSuffix}`;
    if (!EXTENSION_ID.test(id)) throw new PackagingError(`--id-suffix '${options.idSuffix}' makes '${id}', which is not an extension id (letters, digits, '.', '-' and '_')`, '');
    args.push('--extension-id', id);
  }
  return args;
}

export function packageExtension(options: PackageOptions): PackageResult {
  const root = path.resolve(options.root);
  const outputDir = path.resolve(options.outputDir);
  const identity = identityArguments(root, options);
  fs.mkdirSync(outputDir, { recursive: true });
  const run = spawnSync(
    process.execPath,
    [
      tfxCliPath(),
      'extension',
      'create',
      '--root',
      root,
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      outputDir,
      ...identity,
      '--no-prompt',
      '--no-color',
    ],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  if (run.error) throw new PackagingError(`Could not run tfx: ${run.error.message}`, '');
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.replace(ANSI_ESCAPES, '');

  const vsixPath = /^\s*-\s*VSIX:\s*(.+?)\s*$/m.exec(output)?.[1];
  const warnings = output.split(/\r?\n/).filter((line) => /^\s*warning:/i.test(line));
  if (warnings.length > 0) {
    // tfx wrote the package anyway; remove it so nobody publishes it by mistake.
    if (vsixPath) fs.rmSync(vsixPath, { force: true });
    throw new PackagingError(`tfx reported ${warnings.length} warning(s); the package is refused:\n${warnings.join('\n')}`, output);
  }
  if (run.status !== 0) throw new PackagingError(`tfx exited with ${run.status ?? run.signal}`, output);

  if (!vsixPath || !fs.existsSync(vsixPath)) throw new PackagingError('tfx did not report the .vsix it wrote', output);
  return { vsixPath, bytes: fs.statSync(vsixPath).size, output };
}

function argument(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

/** A value from the command line, else from the environment; an empty variable counts as unset. */
function setting(args: readonly string[], name: string, variable: string): string | undefined {
  return argument(args, name) ?? (process.env[variable] || undefined);
}

export function main(): void {
  const args = process.argv.slice(2);
  const root = path.resolve(argument(args, '--root') ?? repoRoot);
  const outputDir = path.resolve(argument(args, '--output-path') ?? path.join(repoRoot, 'dist'));
  const publisher = setting(args, '--publisher', 'IMAGE_BUILDER_PUBLISHER');
  const idSuffix = setting(args, '--id-suffix', 'IMAGE_BUILDER_ID_SUFFIX');
  try {
    const { vsixPath, bytes } = packageExtension({ root, outputDir, ...(publisher ? { publisher } : {}), ...(idSuffix ? { idSuffix } : {}) });
    console.log(`${vsixPath}  ${(bytes / 1024).toFixed(1)} KiB`);
  } catch (err) {
    if (err instanceof PackagingError) {
      if (err.output) process.stderr.write(err.output.endsWith('\n') ? err.output : `${err.output}\n`);
      process.stderr.write(`Packaging failed: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

