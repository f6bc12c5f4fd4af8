/**
 * `npm run build` (after tsc): bundles every task under tasks/ that has a
 * src/index.ts into its folder. The bundler itself is testkit/bundle.ts, which
 * the packaging tests use too.
 */
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { bundleTask, findTaskEntries } from '../testkit/bundle';
import { repoRoot } from '../testkit/repoRoot';

async function main(): Promise<void> {
  const entries = findTaskEntries(path.join(repoRoot, 'tasks'));
  if (entries.length === 0) console.log('No task with src/index.ts under tasks/: nothing to bundle.');
  for (const { taskFolder, entry } of entries) {
    const { outFile, bytes, chunks } = await bundleTask(repoRoot, entry, taskFolder);
    for (const file of [{ outFile, bytes }, ...chunks]) {
      console.log(`${path.relative(repoRoot, file.outFile)}  ${(file.bytes / 1024).toFixed(1)} KiB`);
    }
  }
}

if (require.main === module) {
  main().catch(async (err: unknown) => {
    const failure = err as Partial<esbuild.BuildFailure>;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      for (const message of await esbuild.formatMessages(failure.errors, { kind: 'error', color: false })) process.stderr.write(message);
      process.stderr.write('Bundling failed.\n');
    } else {
      process.stderr.write(`Bundling failed: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exit(1);
  });
}
