/**
 * Test wrapper: makes a throwaway certificate authority and a localhost
 * certificate, runs mocha with that CA trusted, and afterwards stops every
 * process the tests started.
 *
 * Why a wrapper: NODE_EXTRA_CA_CERTS is read once at Node startup, so the
 * certificate must exist before the test process starts. And why a process
 * group: mocha runs in its own group, so emulators started by tests (Azurite,
 * task runs) are in it too and can be stopped together even when a test fails
 * or mocha itself crashes before its hooks run.
 *
 * .mocharc.json sets `parallel: true`: each test file runs in a mocha worker,
 * a child process of mocha and so in the same process group; the workers
 * inherit the environment, certificate variables included.
 *
 * .mocharc.json lists the end-to-end folders first: their files are the
 * longest (a minute and more), and mocha hands files to workers in that order,
 * so none of them starts last and keeps the run going alone.
 *
 * .mocharc.json sets `exit: true`: after the last test mocha exits even if a
 * handle is still open (a full run was seen waiting on an idle child of a
 * library after all tests had passed), and this wrapper then stops whatever
 * is left in the group and names it, instead of CI waiting for its limit.
 *
 * Usage: node build/scripts/runTests.js [mocha args...]
 * Without arguments mocha uses .mocharc.json.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTestCertificates } from '../testkit/certificates';
import { repoRoot } from '../testkit/repoRoot';

/** PIDs still in a process group, read from /proc (Linux); empty where /proc is not available. */
function membersOfGroup(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      const group = Number(fields[2]);
      if (group === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group.
  }
}

function groupAlive(pgid: number): boolean {
  if (fs.existsSync('/proc')) return membersOfGroup(pgid).length > 0;
  return signalGroup(pgid, 0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SIGTERM the group, give it a moment, then SIGKILL what is left. Returns the PIDs found left over. */
async function stopGroup(pgid: number): Promise<number[]> {
  const leftovers = membersOfGroup(pgid);
  if (!signalGroup(pgid, 'SIGTERM')) return leftovers;
  for (let i = 0; i < 30 && groupAlive(pgid); i++) await sleep(100);
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    for (let i = 0; i < 20 && groupAlive(pgid); i++) await sleep(100);
  }
  return leftovers;
}

/** Mocha options that take a value as the next argument (so that value is not a spec path). */
const OPTIONS_WITH_VALUE = new Set([
  '--config', '--package', '--grep', '-g', '--fgrep', '-f', '--timeout', '-t', '--slow', '-s', '--reporter', '-R',
  '--reporter-option', '--reporter-options', '-O', '--require', '-r', '--ui', '-u', '--retries', '--jobs', '-j',
  '--ignore', '--exclude', '--extension', '--file', '--spec', '--watch-files', '--watch-ignore', '--node-option', '-n',
]);

function positionalSpecs(args: readonly string[]): string[] {
  const specs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return [...specs, ...args.slice(i + 1)];
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    specs.push(arg);
  }
  return specs;
}

function hasOption(args: readonly string[], ...names: string[]): boolean {
  return args.some((a) => names.includes(a) || names.some((n) => n.startsWith('--') && a.startsWith(`${n}=`)));
}

/** Mocha workers per core: see mochaInvocation. */
const WORKERS_PER_CORE = 2;

export interface MochaInvocation {
  args: string[];
}

/**
 * Mocha adds the spec of .mocharc.json to the files named on the command line, so
 * `runTests.js build/test/x.test.js` would run every test. When files are named, run
 * with a copy of the configuration that has no spec.
 *
 * With `parallel` on, each test file runs in a worker: two workers per core
 * (os.availableParallelism()), no more workers than files named. Two, because
 * the suite mostly waits: end-to-end files wait on the task's status polls and
 * retry back-offs while their task processes sleep (a full run with one worker
 * per core kept the cores about 40% busy). Each file caps its own task
 * processes at the number of cores (test/support/limited.ts).
 */
export function mochaInvocation(repoRoot: string, args: readonly string[], tempDir: string, cores: number = os.availableParallelism()): MochaInvocation {
  const rcPath = path.join(repoRoot, '.mocharc.json');
  const explicitConfig = hasOption(args, '--config');
  const rc = !explicitConfig && fs.existsSync(rcPath) ? (JSON.parse(fs.readFileSync(rcPath, 'utf8')) as Record<string, unknown>) : {};
  const specs = positionalSpecs(args);
  const out = [...args];
  if (specs.length > 0 && !explicitConfig && fs.existsSync(rcPath)) {
    const narrowed = { ...rc };
    delete narrowed.spec;
    const narrowedPath = path.join(tempDir, 'mocharc.json');
    fs.writeFileSync(narrowedPath, JSON.stringify(narrowed));
    out.unshift('--config', narrowedPath);
  }
  const parallel = (rc.parallel === true || hasOption(args, '--parallel', '-p')) && !hasOption(args, '--no-parallel');
  if (!parallel) return { args: out };
  const given = args.some((a) => a === '--jobs' || a === '-j' || a.startsWith('--jobs='));
  if (!given) {
    const workers = WORKERS_PER_CORE * cores;
    out.push('--jobs', String(Math.max(1, Math.min(workers, specs.length > 0 ? specs.length : workers))));
  }
  return { args: out };
}

async function main(): Promise<number> {
  const mochaBin = path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-test-tls-'));
  try {
    const tls = makeTestCertificates(tlsDir);
    const mocha = mochaInvocation(repoRoot, process.argv.slice(2), tlsDir);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      IB_TEST_TLS_DIR: tls.dir,
      NODE_EXTRA_CA_CERTS: tls.caPath,
    };
    const child = spawn(process.execPath, [mochaBin, ...mocha.args], {
      cwd: repoRoot,
      env,
      stdio: 'inherit',
      detached: true, // own process group (and session): see the header comment
    });
    const pgid = child.pid;
    if (pgid === undefined) throw new Error('mocha did not start');

    const forward = (signal: NodeJS.Signals) => () => {
      signalGroup(pgid, signal);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);

    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, s) => resolve([c, s]));
    });
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);

    const leftovers = await stopGroup(pgid);
    if (leftovers.length > 0) {
      process.stderr.write(`runTests: stopped ${leftovers.length} process(es) left running by the tests: ${leftovers.join(', ')}\n`);
    }
    if (signal) {
      process.stderr.write(`runTests: mocha ended by ${signal}\n`);
      return 128 + (os.constants.signals[signal] ?? 0);
    }
    return code ?? 1;
  } finally {
    fs.rmSync(tlsDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`runTests: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
