/**
 * Bundles each agent task into one CommonJS file inside its task folder, so
 * the .vsix ships bundles instead of node_modules. Run after tsc:
 *   node build/scripts/bundle.js
 *
 * A task folder is tasks/<Name>/<Name>V<N>/ with src/index.ts; folders without
 * one (agentless tasks, tasks still being written) are skipped.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TaskEntry {
  /** tasks/<Name>/<Name>V<N>, absolute. */
  readonly taskFolder: string;
  /** Its src/index.ts. */
  readonly entry: string;
}

export interface BundleResult {
  readonly taskFolder: string;
  readonly outFile: string;
  readonly bytes: number;
  /** Bundles of the task's lazily loaded modules, beside index.js. */
  readonly chunks: { readonly outFile: string; readonly bytes: number }[];
}

/**
 * An ESM dependency calls createRequire(import.meta.url); in a CommonJS bundle
 * import.meta is empty, so it is defined from __filename instead.
 */
const IMPORT_META_URL_BANNER = "const __importMetaUrl=require('url').pathToFileURL(__filename).href;";

export function findTaskEntries(tasksRoot: string): TaskEntry[] {
  const entries: TaskEntry[] = [];
  if (!fs.existsSync(tasksRoot)) return entries;
  for (const name of fs.readdirSync(tasksRoot).sort()) {
    const taskDir = path.join(tasksRoot, name);
    if (!fs.statSync(taskDir).isDirectory()) continue;
    for (const versionName of fs.readdirSync(taskDir).sort()) {
      if (!new RegExp(`^${name}V\\d+$`).test(versionName)) continue;
      const taskFolder = path.join(taskDir, versionName);
      const entry = path.join(taskFolder, 'src', 'index.ts');
      if (fs.existsSync(entry)) entries.push({ taskFolder, entry });
    }
  }
  return entries;
}

/**
 * task-lib 5 keeps its own messages, with their translations, in
 * lib-resource.js, which the bundle includes; lib.json beside index.js is the
 * same English list for tools that look for it. Its Strings/ folder is NOT
 * copied: the task folder's Strings/resources.resjson/<culture>/ holds the
 * task's own committed translations, which tl.setResourcePath(task.json)
 * reads for the agent's System.Culture (scripts/localize.ts), and task-lib's
 * files of the same name would overwrite them.
 */
export function copyTaskLibResources(repoRoot: string, taskFolder: string): void {
  const taskLib = path.join(repoRoot, 'node_modules', 'azure-pipelines-task-lib');
  fs.copyFileSync(path.join(taskLib, 'lib.json'), path.join(taskFolder, 'lib.json'));
}

/**
 * Start-up cost is mostly V8 compiling the bundle, and the Azure SDKs are most
 * of it. The task's own code loads such parts with `await import('../scripts/x.js')`;
 * each of those becomes a bundle of its own beside index.js, compiled only
 * when a run gets there (a dry run or an input error never does).
 */
function lazyChunksPlugin(chunks: Set<string>): esbuild.Plugin {
  return {
    name: 'lazy-chunks',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const source = path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        if (!fs.existsSync(source)) return undefined;
        chunks.add(source);
        return { path: `./${path.basename(source, '.ts')}.js`, external: true };
      });
    },
  };
}

const COMMON_OPTIONS: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  define: { 'import.meta.url': '__importMetaUrl' },
  // import() of a lazy chunk becomes require(): Node would otherwise load the
  // chunk through its ES module loader, which first scans all 1.8 MB of it to
  // guess its module format and its exports (about 0.17 s of CPU per run).
  supported: { 'dynamic-import': false },
  banner: { js: IMPORT_META_URL_BANNER },
  logLevel: 'silent',
  metafile: true,
};

/** task-lib keeps its state on `global`; a second copy in a chunk would not see the first one's inputs. */
function assertNoTaskLib(metafile: esbuild.Metafile, outFile: string): void {
  const copy = Object.keys(metafile.inputs).find((input) => input.includes('node_modules/azure-pipelines-task-lib/'));
  if (copy) throw new Error(`${outFile} is loaded lazily but contains ${copy}: only the entry bundle may include azure-pipelines-task-lib`);
}

/** Bundles `entry` into `<outDir>/index.js` (plus its lazy chunks) with task-lib's resources beside it. Throws on any esbuild error. */
export async function bundleTask(repoRoot: string, entry: string, outDir: string): Promise<BundleResult> {
  const outFile = path.join(outDir, 'index.js');
  const lazy = new Set<string>();
  const result = await esbuild.build({
    ...COMMON_OPTIONS,
    entryPoints: [entry],
    outfile: outFile,
    plugins: [lazyChunksPlugin(lazy)],
    absWorkingDir: repoRoot,
  });
  for (const warning of await esbuild.formatMessages(result.warnings, { kind: 'warning' })) process.stderr.write(warning);
  const chunks: { outFile: string; bytes: number }[] = [];
  for (const source of lazy) {
    const chunkFile = path.join(outDir, `${path.basename(source, '.ts')}.js`);
    const chunk = await esbuild.build({
      ...COMMON_OPTIONS,
      entryPoints: [source],
      outfile: chunkFile,
      plugins: [lazyChunksPlugin(lazy)],
      absWorkingDir: repoRoot,
    });
    for (const warning of await esbuild.formatMessages(chunk.warnings, { kind: 'warning' })) process.stderr.write(warning);
    assertNoTaskLib(chunk.metafile!, chunkFile);
    chunks.push({ outFile: chunkFile, bytes: fs.statSync(chunkFile).size });
  }
  copyTaskLibResources(repoRoot, outDir);
  return { taskFolder: outDir, outFile, bytes: fs.statSync(outFile).size, chunks };
}
