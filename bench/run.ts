/**
 * `npm run bench [-- --quick]`: staging throughput and memory, task cold start,
 * live log latency and request budget, and package footprint, each next to a
 * baseline measured in the same run. Prints a table and writes
 * bench/results/latest.json. See bench/README.md.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageExtension } from '../testkit/package';
import { ensureTree } from './generateTree';
import { startBenchStorage, type BenchStorage } from './localStorage';
import type { LatencyJob, LatencyResult } from './logLatencyChild';
import type { StagingJob, StagingRunResult } from './stagingChild';
import type { TaskRunJob, TaskRunResult } from './taskRunChild';
import { makeTestCertificates } from '../testkit/certificates';
import { figure, summarize, table, type Figure } from './stats';
import { repoRoot } from '../testkit/repoRoot';

const MB = 1e6;
const MiB = 1024 * 1024;

const buildBench = path.join(repoRoot, 'build', 'bench');

interface Plan {
  mode: 'full' | 'quick';
  trees: { name: string; bytes: number; runs: number }[];
  coldStartRuns: number;
  logSeconds: number;
}

const FULL: Plan = {
  mode: 'full',
  trees: [
    { name: 'tree-100m', bytes: 100 * MB, runs: 5 },
    { name: 'tree-1g', bytes: 1024 * MiB, runs: 3 },
  ],
  coldStartRuns: 15,
  logSeconds: 20,
};

const QUICK: Plan = {
  mode: 'quick',
  trees: [
    { name: 'tree-50m', bytes: 50 * MB, runs: 3 },
    { name: 'tree-100m', bytes: 100 * MB, runs: 3 },
  ],
  coldStartRuns: 7,
  logSeconds: 8,
};

const SEED = 7;
/** Production defaults the figures are stated at. */
const POLL_INTERVAL_SECONDS = 15;
const STAGING_RSS_LIMIT_MB = 200;
/** "Flat": the peak at the largest tree at most this much above the peak at the smallest. */
const RSS_FLAT_RATIO = 1.2;

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function sizeLabel(bytes: number): string {
  return bytes >= 1000 * MB ? `${(bytes / (1024 * MiB)).toFixed(0)} GiB` : `${Math.round(bytes / MB)} MB`;
}

/** Runs a process to completion; resolves with stdout, rejects with stderr on failure. */
function run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args[0] ?? ''} exited with ${code}: ${stderr.slice(-2000)}`))));
  });
}

async function timeTarGz(root: string): Promise<number> {
  const start = process.hrtime.bigint();
  // tar -z runs gzip at its default level 6 on one core.
  await run('sh', ['-c', 'tar -czf - -C "$1" . > /dev/null', 'sh', root]);
  return seconds(start);
}

async function stageOnce(storage: BenchStorage, root: string, index: number): Promise<StagingRunResult> {
  const account = storage.azurite.userAccount;
  const job: StagingJob = {
    folder: root,
    blobEndpoint: storage.azurite.url(account.name),
    account: account.name,
    key: account.key,
    container: 'bench',
    blobName: `run-${index}.tar.gz`,
  };
  const out = await run(process.execPath, [path.join(buildBench, 'stagingChild.js'), JSON.stringify(job)], storage.childEnv);
  return JSON.parse(out) as StagingRunResult;
}

async function stagingFigures(plan: Plan, storage: BenchStorage, workDir: string, notes: string[]): Promise<Figure[]> {
  const figures: Figure[] = [];
  const peaks: { label: string; rss: number[] }[] = [];
  for (const spec of plan.trees) {
    const tree = ensureTree(workDir, spec.name, { bytes: spec.bytes, seed: SEED });
    const label = sizeLabel(spec.bytes);
    progress(`${label} tree: ${tree.files} files, ${(tree.bytes / MB).toFixed(0)} MB${tree.generatedInSeconds ? `, generated in ${tree.generatedInSeconds.toFixed(1)} s` : ' (reused)'}`);
    // Warm the page cache, so neither side pays for the first read from disk.
    await run('sh', ['-c', 'tar -cf - -C "$1" . > /dev/null', 'sh', tree.root]);
    const tarRuns: number[] = [];
    const staged: StagingRunResult[] = [];
    for (let i = 0; i < spec.runs; i++) {
      // Alternate which goes first, so drift in machine load falls on both sides.
      if (i % 2 === 0) tarRuns.push(await timeTarGz(tree.root));
      staged.push(await stageOnce(storage, tree.root, i));
      if (i % 2 === 1) tarRuns.push(await timeTarGz(tree.root));
      progress(`${label} run ${i + 1}/${spec.runs}: tar -czf ${tarRuns[tarRuns.length - 1]!.toFixed(2)} s, staging ${staged[i]!.seconds.toFixed(2)} s, peak RSS ${(staged[i]!.peakRssBytes / MiB).toFixed(0)} MiB`);
    }
    const archive = staged[0]!;
    const cpu = summarize(staged.map((s) => s.userCpuSeconds + s.systemCpuSeconds));
    figures.push(
      figure({
        id: `staging.${spec.name}.seconds`,
        label: `staging ${label} to a committed blob`,
        unit: 's',
        value: summarize(staged.map((s) => s.seconds)),
        baseline: { label: 'tar -czf', value: summarize(tarRuns) },
        target: { on: 'ratio', op: '<=', limit: 1 },
        notes:
          `${tree.files} files, ${(tree.bytes / MB).toFixed(0)} MB in; archive ${(archive.sizeBytes / MB).toFixed(0)} MB; ` +
          `throughput ${(tree.bytes / MB / summarize(staged.map((s) => s.seconds)).median).toFixed(0)} MB/s of input; ` +
          `staging process CPU ${cpu.median.toFixed(1)} s (user+system, worker threads included)`,
      }),
    );
    const rss = staged.map((s) => s.peakRssBytes / MiB);
    peaks.push({ label, rss });
    figures.push(
      figure({
        id: `staging.${spec.name}.peakRss`,
        label: `staging ${label} peak RSS`,
        unit: 'MiB',
        value: summarize(rss),
        target: { on: 'max', op: '<', limit: STAGING_RSS_LIMIT_MB },
        notes: `RSS after loading the modules, before staging: ${(archive.startRssBytes / MiB).toFixed(0)} MiB`,
      }),
    );
  }
  const small = peaks[0]!;
  const large = peaks[peaks.length - 1]!;
  figures.push(
    figure({
      id: 'staging.peakRssGrowth',
      label: `peak RSS ${large.label} vs ${small.label}`,
      unit: 'MiB',
      value: summarize(large.rss),
      baseline: { label: small.label, value: summarize(small.rss) },
      target: { on: 'ratio', op: '<=', limit: RSS_FLAT_RATIO },
      notes: 'flat: more data (ten times more in the full run) may not raise the peak by more than 20 %',
    }),
  );
  notes.push(
    'Staging runs the task\'s own uploadArchive (walk, tar writer, parallel gzip, SHA-256, block blob upload) in a child process against Azurite over HTTPS ' +
      '(throwaway CA trusted through NODE_EXTRA_CA_CERTS, shared-key auth), so client-side TLS is paid as in production; Azurite runs on the same two cores and is CPU-bound.',
  );
  return figures;
}

function dryRunEnv(work: string): NodeJS.ProcessEnv {
  const sub = '00000000-0000-0000-0000-000000000001';
  const inputs: Record<string, string> = {
    azureSubscription: 'conn',
    resourceGroup: 'rg',
    location: 'westeurope',
    managedIdentity: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ib-identity`,
    baseImage: 'Canonical:ubuntu-24_04-lts:server',
    galleryImageId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/app-linux`,
    inlineScript: 'echo baked',
    dryRun: 'true',
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AGENT_TEMPDIRECTORY: work,
    SYSTEM_DEFAULTWORKINGDIRECTORY: work,
    SYSTEM_TEAMPROJECT: 'Fabrikam',
    BUILD_BUILDID: '42',
    SYSTEM_JOBATTEMPT: '1',
  };
  // The agent hands inputs over as INPUT_<NAME>, upper case.
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

async function coldStartFigure(plan: Plan, notes: string[]): Promise<Figure> {
  const task = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1', 'index.js');
  if (!fs.existsSync(task)) throw new Error(`${task} is missing: run \`npm run build\` first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-bench-cold-'));
  try {
    const env = dryRunEnv(work);
    const taskRuns: number[] = [];
    const nodeRuns: number[] = [];
    const once = (args: string[]) => {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
      const s = seconds(start);
      if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
      return { s, stdout: r.stdout };
    };
    // One unmeasured run of each, so both start with the files in the page cache.
    once(['-e', '0']);
    const first = once([task]);
    if (!/##vso\[task\.complete result=Succeeded/.test(first.stdout)) throw new Error(`the dry run did not succeed:\n${first.stdout.slice(-3000)}`);
    for (let i = 0; i < plan.coldStartRuns; i++) {
      nodeRuns.push(once(['-e', '0']).s);
      taskRuns.push(once([task]).s);
    }
    notes.push('Cold start: the bundled AzureImageBuilder task in dry-run mode with minimal INPUT_* variables (inline script, platform image, gallery distribution), without artifacts; the baseline is `node -e 0` on the same Node.');
    return figure({
      id: 'coldStart.dryRun',
      label: 'task cold start (dry run)',
      unit: 's',
      value: summarize(taskRuns),
      baseline: { label: 'node -e 0', value: summarize(nodeRuns) },
      target: { on: 'ratio', op: '<=', limit: 3 },
      notes: `bundle ${(fs.statSync(task).size / 1024).toFixed(0)} KiB`,
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function logFigures(plan: Plan, storage: BenchStorage, notes: string[]): Promise<Figure[]> {
  const account = storage.azurite.stagingAccount;
  const speedup = 15;
  const job: LatencyJob = {
    blobEndpoint: storage.azurite.url(account.name),
    account: account.name,
    key: account.key,
    intervalSeconds: POLL_INTERVAL_SECONDS,
    speedup,
    durationSeconds: plan.logSeconds,
    lineEveryMs: 100,
  };
  const out = await run(process.execPath, [path.join(buildBench, 'logLatencyChild.js'), JSON.stringify(job)], storage.childEnv);
  const r = JSON.parse(out) as LatencyResult;
  notes.push(
    `Live log: the task's statusPoller + LogTailer + blob range reader against Azurite, time compressed ${speedup}x ` +
      `(${POLL_INTERVAL_SECONDS} s poll interval with sleeps divided by ${speedup}; ${r.simulatedBuildSeconds.toFixed(0)} s of build in ${plan.logSeconds} s). ` +
      'The template GET and the storage account listing/keys stand in for ARM in-process and are counted; storage requests are counted on the wire. ' +
      'runBuild is not driven end to end here: the figures come from the watch modules directly.',
  );
  return [
    figure({
      id: 'log.latency',
      label: `log line latency at ${POLL_INTERVAL_SECONDS} s polls`,
      unit: 's',
      value: summarize(r.latenciesSeconds),
      target: { on: 'max', op: '<=', limit: POLL_INTERVAL_SECONDS + 1 },
      notes: `${r.linesSeen} of ${r.linesWritten} lines seen (the rest were written after the last poll); poll delay is jittered by up to 10 %`,
    }),
    figure({
      id: 'log.requestsPerBuildHour',
      label: `ARM + storage requests per build hour`,
      unit: 'requests',
      value: summarize([r.requestsPerBuildHour]),
      target: { on: 'value', op: '<', limit: 600 },
      notes: `${r.polls} polls: ${r.armRequests} ARM, ${r.storageRequests} storage requests over ${r.simulatedBuildSeconds.toFixed(0)} s of build time`,
    }),
  ];
}

function footprintFigures(notes: string[]): Figure[] {
  const figures: Figure[] = [];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-bench-vsix-'));
  try {
    const packaged = packageExtension({ root: repoRoot, outputDir: out });
    figures.push(
      figure({
        id: 'footprint.vsix',
        label: '.vsix size',
        unit: 'MB',
        value: summarize([packaged.bytes / MB]),
        target: { on: 'value', op: '<', limit: 3 },
      }),
    );
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  const tasksRoot = path.join(repoRoot, 'tasks');
  for (const name of fs.readdirSync(tasksRoot).sort()) {
    for (const version of fs.existsSync(path.join(tasksRoot, name)) ? fs.readdirSync(path.join(tasksRoot, name)).sort() : []) {
      const folder = path.join(tasksRoot, name, version);
      if (!fs.existsSync(path.join(folder, 'index.js'))) continue;
      // index.js and the bundles it loads lazily (testkit/bundle.ts), e.g. runBuild.js.
      for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.js')).sort()) {
        const id = file === 'index.js' ? version : `${version}/${file}`;
        figures.push(figure({ id: `footprint.bundle.${id}`, label: `${id} bundle`, unit: 'MB', value: summarize([fs.statSync(path.join(folder, file)).size / MB]) }));
      }
    }
  }
  notes.push('Footprint: the .vsix as scripts/package.ts makes it with tfx (MB = 10^6 bytes), and each task bundle (index.js, and the build-run bundle it loads only for a real run).');
  return figures;
}

/** Figure groups `--only` selects from, e.g. `npm run bench -- --only cancel,skip`. */
const GROUPS = ['footprint', 'coldstart', 'log', 'staging', 'skip', 'cancel', 'preflight'] as const;
type Group = (typeof GROUPS)[number];

function selectedGroups(argv: readonly string[]): ReadonlySet<Group> {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return new Set(GROUPS);
  const value = argv[at]!.includes('=') ? argv[at]!.slice('--only='.length) : (argv[at + 1] ?? '');
  const names = value.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  const unknown = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--only takes a comma separated list of ${GROUPS.join(', ')}; got '${value}'`);
  return new Set(names as Group[]);
}

/**
 * Whole task runs through the agent stand-in (bench/taskRunChild.ts), in a
 * child that trusts the stand-ins' throwaway CA from its start.
 */
async function taskRunFigures(plan: Plan, groups: ReadonlySet<Group>, workDir: string, notes: string[]): Promise<Figure[]> {
  const wanted = (['skip', 'cancel', 'preflight'] as const).filter((g) => groups.has(g));
  if (wanted.length === 0) return [];
  const tree = wanted.includes('skip') ? ensureTree(workDir, 'tree-100m', { bytes: 100 * MB, seed: SEED }) : undefined;
  const job: TaskRunJob = {
    groups: wanted,
    ...(tree ? { treeRoot: tree.root } : {}),
    skipRuns: plan.mode === 'full' ? 5 : 3,
    cancelRuns: plan.mode === 'full' ? 3 : 2,
    preflightRuns: plan.mode === 'full' ? 5 : 3,
  };
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-bench-tls-'));
  let result: TaskRunResult;
  try {
    const tls = makeTestCertificates(tlsDir);
    const env = { ...process.env, IB_TEST_TLS_DIR: tls.dir, NODE_EXTRA_CA_CERTS: tls.caPath };
    const out = await run(process.execPath, [path.join(buildBench, 'taskRunChild.js'), JSON.stringify(job)], env);
    result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as TaskRunResult;
  } finally {
    fs.rmSync(tlsDir, { recursive: true, force: true });
  }
  notes.push(...result.notes);
  const figures: Figure[] = [];
  if (result.skipSeconds && result.digestSeconds) {
    const label = tree ? sizeLabel(tree.bytes) : 'app';
    figures.push(
      figure({ id: 'skip.run', label: `skipped run, ${label} artifacts (step start to end)`, unit: 's', value: summarize(result.skipSeconds), target: { on: 'value', op: '<', limit: 10 } }),
      figure({ id: 'skip.digest', label: `content digest of ${label} artifacts`, unit: 's', value: summarize(result.digestSeconds) }),
    );
  }
  if (result.buildEndToTaskEndSeconds && result.cancelToTaskEndSeconds) {
    figures.push(
      figure({ id: 'cancel.buildEnd', label: 'build end to task end (delete takes 139 s)', unit: 's', value: summarize(result.buildEndToTaskEndSeconds), target: { on: 'max', op: '<=', limit: 15 } }),
      figure({ id: 'cancel.cancelEnd', label: 'cancel to task end (Canceling 180 s, delete 139 s)', unit: 's', value: summarize(result.cancelToTaskEndSeconds), target: { on: 'max', op: '<=', limit: 7.5 } }),
    );
  }
  if (result.preflightSeconds) {
    figures.push(
      figure({ id: 'preflight.checks', label: 'preflight, all checks side by side (checklist time)', unit: 's', value: summarize(result.preflightSeconds), target: { on: 'max', op: '<=', limit: 1 } }),
    );
  }
  return figures;
}

async function main(): Promise<void> {
  const plan = process.argv.includes('--quick') ? QUICK : FULL;
  const groups = selectedGroups(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const workDir = path.join(repoRoot, 'bench', 'work');
  fs.mkdirSync(workDir, { recursive: true });
  const notes: string[] = [];
  const figures: Figure[] = [];

  progress(`${plan.mode} run on ${os.cpus().length} cores, Node ${process.version}`);
  if (groups.has('footprint')) {
    progress('footprint');
    figures.push(...footprintFigures(notes));
  }
  if (groups.has('coldstart')) {
    progress('cold start');
    figures.push(await coldStartFigure(plan, notes));
  }

  if (groups.has('log') || groups.has('staging')) {
    const storage = await startBenchStorage();
    try {
      if (groups.has('log')) {
        progress('live log latency');
        figures.push(...(await logFigures(plan, storage, notes)));
      }
      if (groups.has('staging')) {
        progress('staging');
        figures.push(...(await stagingFigures(plan, storage, workDir, notes)));
      }
    } finally {
      await storage.stop();
    }
  }
  if (groups.has('skip') || groups.has('cancel') || groups.has('preflight')) {
    progress(`task runs through the agent stand-in: ${['skip', 'cancel', 'preflight'].filter((g) => groups.has(g as Group)).join(', ')}`);
    figures.push(...(await taskRunFigures(plan, groups, workDir, notes)));
  }

  const result = {
    mode: plan.mode,
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round(seconds(started)),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / (1024 * MiB)),
      loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
      tar: execFileSync('tar', ['--version'], { encoding: 'utf8' }).split('\n')[0],
    },
    figures,
    notes,
  };
  const text = table(figures);
  process.stdout.write(`\n${text}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  const failed = figures.filter((f) => f.pass === false);
  process.stdout.write(`\n${figures.filter((f) => f.pass !== undefined).length - failed.length} targets met, ${failed.length} missed; ${result.durationSeconds} s\n`);
  const resultsDir = path.join(repoRoot, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  // A selection of figures is not a full result: it goes to a file of its own.
  const selection = groups.size === GROUPS.length ? '' : `-only-${[...groups].join('-')}`;
  fs.writeFileSync(path.join(resultsDir, `${plan.mode === 'full' ? 'latest' : 'latest-quick'}${selection}.json`), JSON.stringify(result, null, 2) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
