/**
 * Storage faults end to end, shared by the storageFaults.*.test files. The
 * storage fault proxy stands between the task and Azurite, and the ARM
 * stand-in hands out its URL as every account's blob endpoint, so the
 * simulated build's own storage traffic (log appends, artifact download, log
 * cleanup) goes through the proxy too: every fault is scoped to a request only
 * the task makes. The fault kinds and the storage operations the task calls
 * are tabled here; each test file runs one part with stand-ins of its own.
 */
import * as assert from 'node:assert/strict';
import type { LocalAzureWithStorageFaults } from '../../testkit/emulators/localAzure';
import type { FaultSpec, RequestLogEntry } from '../../testkit/emulators/arm/types';
import type { StorageFaultSpec, StorageRequestLogEntry } from '../../testkit/emulators/storageFaultProxy';
import { linuxGalleryInputs, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { FAST_BUILD, assertCleanup, assertResult, listAzuriteBlobs, node20Path, uniqueTemplateName } from './checks';
import { startStage } from './stage';

export type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;
type RunRequest = Parameters<typeof runImageBuilderTask>[0];

export interface FaultKind {
  label: string;
  spec: Pick<FaultSpec, 'kind' | 'status' | 'retryAfterSeconds' | 'delayMs'>;
  /** How many requests of an operation of the run's own meet it (one or two). */
  count: number;
}

/** Every transient fault kind, each once or twice. */
export const FAULT_KINDS: FaultKind[] = [
  { label: '429 Retry-After', spec: { kind: 'status', status: 429, retryAfterSeconds: 1 }, count: 2 },
  { label: '500', spec: { kind: 'status', status: 500 }, count: 1 },
  { label: '503', spec: { kind: 'status', status: 503 }, count: 2 },
  { label: 'connection reset', spec: { kind: 'reset' }, count: 2 },
  { label: 'slow', spec: { kind: 'slow', delayMs: 2_000 }, count: 1 },
];
export const KIND_LABELS = FAULT_KINDS.map((f) => f.label).join(', ');
export const shortLabel = (f: FaultKind) => f.label.split(' ')[0]!.toLowerCase();

/**
 * Storage accounts of their own per fault kind, so account-wide operations
 * (the user delegation key, ARM listKeys) meet only the run they are meant for.
 */
export const faultAccount = (f: FaultKind) => `ibfault${shortLabel(f)}`;
export const keyAccount = (f: FaultKind) => `ibkeys${shortLabel(f)}`;

const CONTAINER = 'imagebuilder-artifacts';
export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const queryHas = (name: string, value: string) => new RegExp(`(^|&)${esc(name)}=${esc(value)}(&|$)`, 'i');

export interface StorageOperation {
  name: string;
  method: string;
  path: (account: string, templateName: string) => RegExp;
  query?: RegExp;
  headers?: StorageFaultSpec['headerPatterns'];
  /** Statuses of a try that went through. */
  ok: number[];
}

export const artifactBlob = (account: string, templateName: string) => new RegExp(`^/${esc(account)}/${CONTAINER}/${esc(templateName)}/webapp\\.tar\\.gz$`);

/** The storage operations of the artifact upload and its cleanup, in the user's account. */
export const ARTIFACT_OPERATIONS: StorageOperation[] = [
  // createIfNotExists: 409 is "already there", which the task takes as done.
  { name: 'container create', method: 'PUT', path: (a) => new RegExp(`^/${esc(a)}/${CONTAINER}$`), query: queryHas('restype', 'container'), ok: [201, 409] },
  { name: 'block upload', method: 'PUT', path: artifactBlob, query: queryHas('comp', 'block'), ok: [201] },
  { name: 'block list commit', method: 'PUT', path: artifactBlob, query: queryHas('comp', 'blocklist'), ok: [201] },
  { name: 'user delegation key', method: 'POST', path: (a) => new RegExp(`^/${esc(a)}/?$`), query: queryHas('comp', 'userdelegationkey'), ok: [200] },
  { name: 'blob delete', method: 'DELETE', path: artifactBlob, ok: [202] },
];

/**
 * The build log list, in the staging account every build of the ARM stand-in
 * logs to. The task lists the whole container; the service's own cleanup lists
 * one run's prefix, which must not be met.
 */
export const LIST_LOGS: StorageOperation = {
  name: 'build log list',
  method: 'GET',
  path: () => /^\/ibstaging\/packerlogs$/,
  query: /^(?!.*(^|&)prefix=).*(^|&)comp=list(&|$)/i,
  ok: [200],
};

/** A read of the build log from an offset: it was read before and is read on from where that stopped. */
export const READ_LOG: StorageOperation = {
  name: 'ranged build log read',
  method: 'GET',
  path: () => /^\/ibstaging\/packerlogs\/[^/]+\/customization\.log$/,
  headers: { 'x-ms-range': /^bytes=[1-9]\d*-/ },
  // 416: nothing appended since the last read.
  ok: [206, 416],
};

export const matches = (op: StorageOperation, account: string, templateName: string) => (r: StorageRequestLogEntry) =>
  r.method === op.method && op.path(account, templateName).test(r.path) && (!op.query || op.query.test(new URLSearchParams(r.query).toString()));

export const faultOf = (op: StorageOperation, fault: FaultKind, account: string, templateName: string, count: number): StorageFaultSpec => ({
  ...fault.spec,
  method: op.method,
  pathPattern: op.path(account, templateName),
  ...(op.query ? { queryPattern: op.query } : {}),
  ...(op.headers ? { headerPatterns: op.headers } : {}),
  count,
});

/**
 * The requests of an operation that met the fault: `expected` of them, each
 * answered as the fault says, and each failed one followed by a try of the
 * same request that went through.
 */
export function assertFaultMet(op: StorageOperation, fault: FaultKind, requests: StorageRequestLogEntry[], expected: number, what: string): void {
  const hits = requests.filter((r) => r.fault === fault.spec.kind && (fault.spec.kind !== 'status' || r.status === fault.spec.status));
  assert.equal(hits.length, expected, `${what}: ${op.name} met ${fault.label} ${hits.length} times`);
  for (const hit of hits) {
    if (fault.spec.kind === 'slow') {
      // The proxy's own test shows a slow fault holds the answer; here it matters that the task waited for it.
      assert.ok(op.ok.includes(hit.status), `${what}: ${op.name} held, then answered ${hit.status}`);
      continue;
    }
    assert.equal(hit.status, fault.spec.kind === 'status' ? fault.spec.status : 0, `${what}: ${op.name} answered`);
    const later = requests.slice(requests.indexOf(hit) + 1);
    assert.ok(
      later.some((r) => r.path === hit.path && op.ok.includes(r.status)),
      `${what}: ${op.name} retried after ${hit.status}: ${requests.map((r) => `${r.status}${r.fault ? `(${r.fault})` : ''}`).join(' ')}`,
    );
  }
}

/** ARM requests that met the fault, as the ARM stand-in logs them: a held answer that came, a status as injected, or a reset (status 0). */
export function armFaultHits(calls: RequestLogEntry[], fault: FaultKind): RequestLogEntry[] {
  return calls.filter(
    (r) => r.fault === fault.spec.kind && (fault.spec.kind === 'reset' ? r.status === 0 : fault.spec.kind === 'status' ? r.status === fault.spec.status : r.status < 300),
  );
}

export const outputNames = (result: Run) => Object.keys(result.outputs).sort();
/** Lines of customization.log the task streamed into its own log (shown without the Packer prefix). */
export const streamedLogLines = (result: Run) => result.log.filter((l) => /azure-arm|^Done exporting Packer logs/.test(l));
export const errorsOf = (result: Run) => result.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');

/** Customizing spans more than one poll (every 2 s), so the task reads the growing log on from an offset. */
export const TWO_POLL_BUILD = { ...FAST_BUILD, customizerMs: 3_000 };

/** The stand-ins of one storage-fault file, set up by storageFaultStage's hooks. */
export interface StorageFaultStage {
  azure: LocalAzureWithStorageFaults;
  world: ImageWorld;
  /** The run without faults that every faulted run must end like. */
  baseline: Run;
  run(templateName: string, account: string, extra?: Partial<RunRequest>): Promise<Run>;
  /** No template and no blob named after it in any account. */
  assertNothingLeft(templateName: string): Promise<void>;
  assertLikeBaseline(result: Run, what: string): void;
}

/**
 * Registers the hooks of a storage-fault describe block: the stand-ins with
 * the storage fault proxy and an account of its own per fault kind, and a
 * baseline run that proves the operation tables above are what the task
 * really calls (or a fault would never be met).
 */
export function storageFaultStage(): StorageFaultStage {
  let azure: LocalAzureWithStorageFaults;
  let world: ImageWorld;
  let app: string;
  let baseline: Run;

  const inputsFor = (templateName: string, account: string) => ({ ...linuxGalleryInputs(world, app), templateName, storageAccountName: account });
  const run = (templateName: string, account: string, extra: Partial<RunRequest> = {}) =>
    runImageBuilderTask({ azure, nodePath: node20Path(), inputs: inputsFor(templateName, account), timeoutMs: 240_000, ...extra });

  /** No template and no blob named after it in any account. */
  async function assertNothingLeft(templateName: string): Promise<void> {
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
    const blobs = (await listAzuriteBlobs(azure)).filter((b) => b.name.toLowerCase().includes(templateName.toLowerCase()));
    assert.deepEqual(blobs, [], `no blob of ${templateName} is left`);
  }

  function assertLikeBaseline(result: Run, what: string): void {
    if (result.result !== 'Succeeded') console.log(`--- ${what}\n${result.log.join('\n')}`);
    assert.equal(result.result, 'Succeeded', `${what}: ${JSON.stringify(result.issues)}`);
    assert.deepEqual(outputNames(result), outputNames(baseline), `${what}: same outputs`);
    assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', /\/versions\/\d+\.\d+\.\d+$/, what);
  }

  before(async () => {
    const accounts = FAULT_KINDS.flatMap((f) => [faultAccount(f), keyAccount(f)]);
    ({ azure, world, app } = await startStage({ storageFaults: true, storageAccountNames: accounts }));
    const rg = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}`;
    azure.arm.seed({ storageAccounts: accounts.map((a) => ({ id: `${rg}/providers/Microsoft.Storage/storageAccounts/${a}`, location: world.location })) });

    const templateName = uniqueTemplateName('sf-baseline');
    baseline = await run(templateName, world.storageAccountName);
    assertResult(baseline, 'Succeeded');
    const calls = azure.storageProxy.requests();
    // The tables above must be what the task really calls, or a fault would never be met
    // (the ranged read needs a longer build; the build log scenario proves it is met).
    for (const op of [...ARTIFACT_OPERATIONS, LIST_LOGS]) {
      assert.ok(
        calls.some((r) => matches(op, world.storageAccountName, templateName)(r) && op.ok.includes(r.status)),
        `the task calls ${op.name}:\n${calls.map((r) => `${r.method} ${r.path} ${new URLSearchParams(r.query).toString()} ${r.status}`).join('\n')}`,
      );
    }
    assert.ok(streamedLogLines(baseline).length > 10, 'the baseline streams the build log');
    await assertNothingLeft(templateName);
  });
  after(async () => {
    await azure?.stop();
  });

  return {
    get azure() {
      return azure;
    },
    get world() {
      return world;
    },
    get baseline() {
      return baseline;
    },
    run,
    assertNothingLeft,
    assertLikeBaseline,
  };
}
