/**
 * Figures of whole task runs, measured through the agent stand-in running the
 * bundled task against the local stand-ins for Azure. Runs in a child process
 * that trusts the stand-ins' throwaway CA (bench/run.ts starts it):
 *
 * - skip:   a second run with the same inputs and skipUnchanged over a
 *           generated artifact tree, from the step's start to its end, and the
 *           content digest of the tree alone (what such a run mostly does).
 * - cancel: against the ARM stand-in playing recorded durations, with the
 *           delete (139 s) and Canceling (180 s) real-length: from the build's
 *           end to the task's end, and from the agent's cancel to the task's end.
 * - preflight: a preflightOnly run of a typical gallery build with artifacts:
 *           the time of all checks side by side, as the checklist reports it.
 *
 * Prints one JSON line: TaskRunResult.
 */
import * as path from 'node:path';
import { contentDigest } from '../shared/staging/contentDigest';
import { RECORDED_TIMING, scaledTiming } from '../testkit/emulators/arm/recorded';
import { startLocalAzure, type LocalAzure } from '../testkit/emulators/localAzure';
import { FAST_BUILD, linuxGalleryInputs, makeAppFolder, node20Path, runImageBuilderTask, seedImageWorld, uniqueTemplateName, type ImageWorld } from '../testkit/harness';

export interface TaskRunJob {
  groups: Array<'skip' | 'cancel' | 'preflight'>;
  /** The artifact tree for the skip figure. */
  treeRoot?: string;
  skipRuns: number;
  cancelRuns: number;
  preflightRuns: number;
}

export interface TaskRunResult {
  skipSeconds?: number[];
  digestSeconds?: number[];
  buildEndToTaskEndSeconds?: number[];
  cancelToTaskEndSeconds?: number[];
  preflightSeconds?: number[];
  notes: string[];
}

const secondsSince = (start: number) => (Date.now() - start) / 1000;

async function skipFigures(azure: LocalAzure, world: ImageWorld, job: TaskRunJob, out: TaskRunResult): Promise<void> {
  const root = job.treeRoot ?? makeAppFolder();
  // A definition of its own, so "the newest version" is this figure's.
  const definition = world.linuxGalleryImageId.replace(/\/images\/[^/]+$/, '/images/bench-skip');
  azure.arm.seed({ galleryImages: [{ id: definition, location: world.location, osType: 'Linux', hyperVGeneration: 'V2' }] });
  const inputs = { ...linuxGalleryInputs(world, root), galleryImageId: definition, skipUnchanged: 'true' };
  const first = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...inputs, templateName: uniqueTemplateName('bench-first') }, timeoutMs: 600_000 });
  if (first.result !== 'Succeeded') throw new Error(`the first run did not succeed: ${first.result}\n${first.log.slice(-30).join('\n')}`);
  out.skipSeconds = [];
  out.digestSeconds = [];
  for (let i = 0; i < job.skipRuns; i++) {
    const started = Date.now();
    const again = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...inputs, templateName: uniqueTemplateName('bench-skip') }, timeoutMs: 600_000 });
    out.skipSeconds.push(secondsSince(started));
    if (again.outputs['bake.buildSkipped'] !== 'true') throw new Error(`run ${i + 2} built instead of skipping:\n${again.log.slice(-30).join('\n')}`);
    const hashStart = Date.now();
    await contentDigest(root);
    out.digestSeconds.push(secondsSince(hashStart));
  }
  out.notes.push(
    `Skipped run: ${path.basename(root)} (${job.treeRoot ? 'generated tree' : 'small app'}); the first run builds and tags the version, then each further run with the same inputs is timed from the agent starting the step to its exit (preflight on, sign-in, latest pinned, content digest, the newest version read; no upload, no template). "content digest" is the hashing alone, in process.`,
  );
}

async function cancelFigures(azure: LocalAzure, world: ImageWorld, job: TaskRunJob, out: TaskRunResult): Promise<void> {
  const app = makeAppFolder();
  // Recorded phases scaled down so a build takes seconds; the delete and the cancel as recorded,
  // longer than anything measured here, so a figure under them shows the task does not wait.
  const base = { ...scaledTiming(RECORDED_TIMING, 0.01), deleteMs: RECORDED_TIMING.deleteMs, cancelMs: RECORDED_TIMING.cancelMs };
  out.buildEndToTaskEndSeconds = [];
  out.cancelToTaskEndSeconds = [];
  for (let i = 0; i < job.cancelRuns; i++) {
    azure.arm.setScenario({ timing: base });
    const templateName = uniqueTemplateName('bench-end');
    const result = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: { ...linuxGalleryInputs(world, app), templateName }, timeoutMs: 600_000 });
    const taskEnd = Date.now();
    if (result.result !== 'Succeeded') throw new Error(`the build did not succeed: ${result.result}`);
    const template = azure.arm.state().imageTemplates.find((t) => t.name === templateName);
    const endTime = template?.lastRunStatus?.['endTime'];
    if (typeof endTime !== 'string') throw new Error('the stand-in no longer shows the build end (the delete finished early?)');
    out.buildEndToTaskEndSeconds.push((taskEnd - Date.parse(endTime)) / 1000);

    // Customizing as long as recorded, so the cancel lands in it.
    azure.arm.setScenario({ timing: { ...base, customizerMs: RECORDED_TIMING.customizerMs } });
    let cancelAt = 0;
    const canceled = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName: uniqueTemplateName('bench-cancel') },
      cancel: {
        whenLine: (line) => {
          if (cancelAt === 0 && /Customizing/.test(line) && !line.startsWith('##[')) cancelAt = Date.now();
          return cancelAt !== 0;
        },
      },
      timeoutMs: 600_000,
    });
    const canceledEnd = Date.now();
    if (canceled.result !== 'Canceled' || cancelAt === 0) throw new Error(`the cancel run ended ${canceled.result}`);
    if (canceled.escalated) throw new Error(`the agent had to send ${canceled.escalated}`);
    out.cancelToTaskEndSeconds.push((canceledEnd - cancelAt) / 1000);
  }
  out.notes.push(
    `Build end to task end: the stand-in plays the recorded phases scaled to 1 % (a build of seconds) and the delete at its recorded 139 s; the figure is from the run's endTime in the stand-in to the task's exit, poll lag (2 s interval) included. Cancel to task end: the agent stand-in sends SIGINT when the task prints Customizing (recorded 60 s); Canceling lasts its recorded 180 s and the delete 139 s, both longer than the figure.`,
  );
}

/** The checklist's title line: "Preflight checks: 9 passed, 0 warnings, 0 failed (0.4 s)". */
const CHECKLIST_TITLE = /Preflight checks: \d+ passed, \d+ warnings, \d+ failed \((\d+(?:\.\d+)?) s\)/;

async function preflightFigures(azure: LocalAzure, world: ImageWorld, job: TaskRunJob, out: TaskRunResult): Promise<void> {
  const app = makeAppFolder();
  out.preflightSeconds = [];
  for (let i = 0; i < job.preflightRuns; i++) {
    const result = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName: uniqueTemplateName('bench-preflight'), preflightOnly: 'true' },
    });
    const title = result.log.map((l) => CHECKLIST_TITLE.exec(l)).find((m) => m !== null);
    if (result.result !== 'Succeeded' || !title) throw new Error(`the preflight run ended ${result.result}:\n${result.log.slice(-30).join('\n')}`);
    out.preflightSeconds.push(Number(title[1]));
  }
  out.notes.push(
    'Preflight: a preflightOnly run of a Linux gallery build with artifacts against the local stand-ins; the figure is the checklist time the task prints (every check side by side), to be well under the shortest poll interval (2 s).',
  );
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as TaskRunJob;
  const out: TaskRunResult = { notes: [] };
  const azure = await startLocalAzure({ buildTiming: FAST_BUILD });
  try {
    const world = seedImageWorld(azure);
    if (job.groups.includes('skip')) await skipFigures(azure, world, job, out);
    if (job.groups.includes('cancel')) await cancelFigures(azure, world, job, out);
    if (job.groups.includes('preflight')) await preflightFigures(azure, world, job, out);
  } finally {
    await azure.stop();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
