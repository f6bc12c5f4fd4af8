/**
 * Preflight scenarios through the agent stand-in: one run of the bundled task
 * against the local stand-ins, read back as the checklist it printed, the
 * issues it raised, and what it asked of ARM and Azurite while it ran.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import type { RequestLogEntry } from '../../testkit/emulators/arm/types';
import { linuxGalleryInputs, runImageBuilderTask, type TaskRunRequest } from '../../testkit/harness';
import { node20Path, uniqueTemplateName } from '../e2e/checks';
import type { Stage } from '../e2e/stage';

export type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;

/** A Linux gallery build with artifacts under a name of its own. */
export function buildInputs(stage: Stage, prefix: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...linuxGalleryInputs(stage.world, stage.app),
    templateName: uniqueTemplateName(prefix),
    ...overrides,
  };
}

export interface ObservedRun {
  run: Run;
  templateName: string;
  /** ARM requests made during the run (the log is cleared before it). */
  requests: RequestLogEntry[];
  /** Blobs (`account/container/name`) that appeared in Azurite during the run. */
  newBlobs: string[];
  /** Containers (`account/container`) that appeared in Azurite during the run. */
  newContainers: string[];
}

/** Containers and blobs of every Azurite account (the user's, the staging one and any extra). */
async function storageContents(azure: LocalAzure): Promise<{ blobs: string[]; containers: string[] }> {
  const blobs: string[] = [];
  const containers: string[] = [];
  for (const account of azure.azurite.accounts) {
    const service = new BlobServiceClient(azure.azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));
    for await (const container of service.listContainers()) {
      containers.push(`${account.name}/${container.name}`);
      for await (const blob of service.getContainerClient(container.name).listBlobsFlat()) blobs.push(`${account.name}/${container.name}/${blob.name}`);
    }
  }
  return { blobs, containers };
}

/** Runs the bundled task through the agent stand-in and records what it did to the stand-ins. */
export async function observeRun(
  azure: LocalAzure,
  inputs: Record<string, string>,
  extra: Omit<TaskRunRequest, 'azure' | 'inputs'> = {},
): Promise<ObservedRun> {
  const before = await storageContents(azure);
  azure.arm.clearRequests();
  const run = await runImageBuilderTask({ azure, nodePath: node20Path(), timeoutMs: 120_000, ...extra, inputs });
  const requests = azure.arm.requests();
  const after = await storageContents(azure);
  return {
    run,
    templateName: inputs['templateName'] ?? '',
    requests,
    newBlobs: after.blobs.filter((b) => !before.blobs.includes(b)),
    newContainers: after.containers.filter((c) => !before.containers.includes(c)),
  };
}

export type Mark = '✓' | '!' | '✗';

export interface ChecklistLine {
  mark: Mark;
  /** The check's title (Resource providers, Source image, ...). */
  title: string;
  text: string;
}

export interface Checklist {
  passed: number;
  warnings: number;
  failed: number;
  elapsedSeconds: number;
  lines: ChecklistLine[];
}

const TITLE = /Preflight checks: (\d+) passed, (\d+) warnings, (\d+) failed \((\d+(?:\.\d+)?) s\)/;
const LINE = /^\s*([✓!✗]) ([^:]+): (.*)$/;

/** The checklist the task printed, or undefined when it printed none. */
export function checklistOf(run: Run): Checklist | undefined {
  const start = run.log.findIndex((l) => TITLE.test(l));
  if (start < 0) return undefined;
  const m = TITLE.exec(run.log[start] ?? '');
  assert.ok(m);
  const lines: ChecklistLine[] = [];
  for (const raw of run.log.slice(start + 1)) {
    const l = LINE.exec(raw);
    if (!l) break;
    lines.push({ mark: l[1] as Mark, title: l[2] ?? '', text: l[3] ?? '' });
  }
  return { passed: Number(m[1]), warnings: Number(m[2]), failed: Number(m[3]), elapsedSeconds: Number(m[4]), lines };
}

/** The checklist, which must be there. */
export function requireChecklist(run: Run): Checklist {
  const checklist = checklistOf(run);
  if (!checklist) console.log(run.log.join('\n'));
  assert.ok(checklist, 'the task printed a preflight checklist');
  assert.equal(checklist.lines.length, checklist.passed + checklist.warnings + checklist.failed, 'one checklist line per counted finding');
  return checklist;
}

/** Checklist lines of one check (by title) with the given mark. */
export function linesOf(checklist: Checklist, title: string, mark?: Mark): ChecklistLine[] {
  return checklist.lines.filter((l) => l.title === title && (mark === undefined || l.mark === mark));
}

export const TITLES = {
  providers: 'Resource providers',
  identities: 'Managed identities',
  source: 'Source image',
  gallery: 'Gallery image definitions',
  regions: 'Regions',
  templateName: 'Template name',
  permissions: 'Permissions of the service connection',
} as const;

export const errorsOf = (run: Run): string[] => run.issues.filter((i) => i.type === 'error').map((i) => i.message);
export const warningsOf = (run: Run): string[] => run.issues.filter((i) => i.type === 'warning').map((i) => i.message);

/** The error issues that name the input, as the preflight report words them. */
export function errorsNaming(run: Run, input: string): string[] {
  return errorsOf(run).filter((m) => m.startsWith(`Input '${input}': `));
}

/** Every request that touched an image template with a method that changes something. */
export function templateWrites(requests: RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && /\/providers\/microsoft\.virtualmachineimages\/imagetemplates\//i.test(r.path));
}

function describeRequests(requests: RequestLogEntry[]): string {
  return JSON.stringify(requests.map((r) => `${r.method} ${r.path}`));
}

/**
 * Passes and returns the text of the one error issue naming `input`. Checks
 * that the task failed in preflight: the checklist counts the failure (how
 * long the checks take is a benchmark figure, `npm run bench -- --only
 * preflight`, not a test's), nothing was created (no write
 * of any kind to ARM, so no template PUT, run POST or DELETE) and nothing was
 * uploaded (no new container or blob in the user's account).
 */
export function assertFailedInPreflight(observed: ObservedRun, input: string, mustContain: RegExp | string): string {
  const { run } = observed;
  if (run.result !== 'Failed') console.log(run.log.join('\n'));
  assert.equal(run.result, 'Failed', `task result; issues: ${JSON.stringify(run.issues)}`);
  const checklist = requireChecklist(run);
  assert.ok(checklist.failed >= 1, 'the checklist counts a failed check');
  const named = errorsNaming(run, input);
  assert.ok(named.length >= 1, `an error issue names input '${input}'; errors: ${JSON.stringify(errorsOf(run))}`);
  const matching = named.filter((m) => (typeof mustContain === 'string' ? m.includes(mustContain) : mustContain.test(m)));
  assert.ok(matching.length >= 1, `an error issue naming '${input}' says ${String(mustContain)}; got ${JSON.stringify(named)}`);
  assert.ok(
    errorsOf(run).some((m) => /Preflight found \d+ problem\(s\) that would fail the build\. Nothing was created or uploaded\./.test(m)),
    `the task's verdict says preflight stopped it; errors: ${JSON.stringify(errorsOf(run))}`,
  );
  assertNothingCreated(observed);
  return matching[0] ?? '';
}

/** No write to ARM (template PUT, run POST, DELETE, listKeys ...) and no upload to Azurite during the run. */
export function assertNothingCreated(observed: ObservedRun): void {
  assert.deepEqual(templateWrites(observed.requests), [], `no PUT, POST or DELETE on image templates; requests: ${describeRequests(observed.requests)}`);
  const writes = observed.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  assert.deepEqual(writes, [], `preflight only reads; writes: ${describeRequests(writes)}`);
  assert.deepEqual(observed.newBlobs, [], 'nothing uploaded to storage');
  assert.deepEqual(observed.newContainers, [], 'no container created in storage');
}

/** preflightOnly: the checks ran and the task stopped after them with the given result. */
export function assertStoppedAfterPreflight(observed: ObservedRun, result: 'Succeeded' | 'SucceededWithIssues'): Checklist {
  const { run } = observed;
  if (run.result !== result) console.log(run.log.join('\n'));
  assert.equal(run.result, result, `task result; issues: ${JSON.stringify(run.issues)}`);
  const checklist = requireChecklist(run);
  assert.equal(checklist.failed, 0, 'no check failed');
  assertNothingCreated(observed);
  return checklist;
}

/** The run's summary tab texts (the Markdown files it attached as summaries). */
export function summaryTexts(run: Run): string[] {
  return run.summaries.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
}

/** ARM GETs of a provider's registration. */
export function providerReads(requests: RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((r) => r.method === 'GET' && /^\/subscriptions\/[^/]+\/providers\/[^/]+$/i.test(r.path));
}

/** ARM GETs of Microsoft.Authorization/permissions at any scope. */
export function permissionReads(requests: RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((r) => r.method === 'GET' && /\/providers\/Microsoft\.Authorization\/permissions$/i.test(r.path));
}
