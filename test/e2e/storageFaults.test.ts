import * as assert from 'node:assert/strict';
import { startLocalAzure, type LocalAzureWithStorageFaults } from '../../testkit/emulators/localAzure';
import type { FaultSpec, RequestLogEntry } from '../../testkit/emulators/arm/types';
import type { StorageFaultSpec, StorageRequestLogEntry } from '../../testkit/emulators/storageFaultProxy';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, seedImageWorld, type ImageWorld } from '../../testkit/harness';
import { mapLimited } from '../support/limited';
import { FAST_BUILD, assertCleanup, assertNoSecrets, assertResult, listAzuriteBlobs, node20Path, requestsForTemplate, statusReadOfRun, uniqueTemplateName } from './checks';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;
type RunRequest = Parameters<typeof runImageBuilderTask>[0];

interface FaultKind {
  label: string;
  spec: Pick<FaultSpec, 'kind' | 'status' | 'retryAfterSeconds' | 'delayMs'>;
  /** How many requests of an operation of the run's own meet it (one or two). */
  count: number;
}

/** Every transient fault kind, each once or twice. */
const FAULT_KINDS: FaultKind[] = [
  { label: '429 Retry-After', spec: { kind: 'status', status: 429, retryAfterSeconds: 1 }, count: 2 },
  { label: '500', spec: { kind: 'status', status: 500 }, count: 1 },
  { label: '503', spec: { kind: 'status', status: 503 }, count: 2 },
  { label: 'connection reset', spec: { kind: 'reset' }, count: 2 },
  { label: 'slow', spec: { kind: 'slow', delayMs: 2_000 }, count: 1 },
];
const KIND_LABELS = FAULT_KINDS.map((f) => f.label).join(', ');
const shortLabel = (f: FaultKind) => f.label.split(' ')[0]!.toLowerCase();

/**
 * Storage accounts of their own per fault kind, so account-wide operations
 * (the user delegation key, ARM listKeys) meet only the run they are meant for.
 */
const faultAccount = (f: FaultKind) => `ibfault${shortLabel(f)}`;
const keyAccount = (f: FaultKind) => `ibkeys${shortLabel(f)}`;

const CONTAINER = 'imagebuilder-artifacts';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const queryHas = (name: string, value: string) => new RegExp(`(^|&)${esc(name)}=${esc(value)}(&|$)`, 'i');

interface StorageOperation {
  name: string;
  method: string;
  path: (account: string, templateName: string) => RegExp;
  query?: RegExp;
  headers?: StorageFaultSpec['headerPatterns'];
  /** Statuses of a try that went through. */
  ok: number[];
}

const artifactBlob = (account: string, templateName: string) => new RegExp(`^/${esc(account)}/${CONTAINER}/${esc(templateName)}/webapp\\.tar\\.gz$`);

/** The storage operations of the artifact upload and its cleanup, in the user's account. */
const ARTIFACT_OPERATIONS: StorageOperation[] = [
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
const LIST_LOGS: StorageOperation = {
  name: 'build log list',
  method: 'GET',
  path: () => /^\/ibstaging\/packerlogs$/,
  query: /^(?!.*(^|&)prefix=).*(^|&)comp=list(&|$)/i,
  ok: [200],
};

/** A read of the build log from an offset: it was read before and is read on from where that stopped. */
const READ_LOG: StorageOperation = {
  name: 'ranged build log read',
  method: 'GET',
  path: () => /^\/ibstaging\/packerlogs\/[^/]+\/customization\.log$/,
  headers: { 'x-ms-range': /^bytes=[1-9]\d*-/ },
  // 416: nothing appended since the last read.
  ok: [206, 416],
};

const matches = (op: StorageOperation, account: string, templateName: string) => (r: StorageRequestLogEntry) =>
  r.method === op.method && op.path(account, templateName).test(r.path) && (!op.query || op.query.test(new URLSearchParams(r.query).toString()));

const faultOf = (op: StorageOperation, fault: FaultKind, account: string, templateName: string, count: number): StorageFaultSpec => ({
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
function assertFaultMet(op: StorageOperation, fault: FaultKind, requests: StorageRequestLogEntry[], expected: number, what: string): void {
  const hits = requests.filter((r) => r.fault === fault.spec.kind && (fault.spec.kind !== 'status' || r.status === fault.spec.status));
  assert.equal(hits.length, expected, `${what}: ${op.name} met ${fault.label} ${hits.length} times`);
  for (const hit of hits) {
    if (fault.spec.kind === 'slow') {
      assert.ok(hit.durationMs >= (fault.spec.delayMs ?? 0) && op.ok.includes(hit.status), `${what}: ${op.name} held ${hit.durationMs} ms, then answered ${hit.status}`);
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

/** ARM requests that met the fault, as the ARM stand-in logs them (reset = status 0). */
function armFaultHits(calls: RequestLogEntry[], fault: FaultKind): RequestLogEntry[] {
  return calls.filter((r) =>
    fault.spec.kind === 'reset' ? r.status === 0 : fault.spec.kind === 'status' ? r.status === fault.spec.status : r.durationMs >= (fault.spec.delayMs ?? 0) && r.status < 300,
  );
}

const outputNames = (result: Run) => Object.keys(result.outputs).sort();
/** Lines of customization.log the task streamed into its own log (shown without the Packer prefix). */
const streamedLogLines = (result: Run) => result.log.filter((l) => /azure-arm|^Done exporting Packer logs/.test(l));
const errorsOf = (result: Run) => result.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');

/** Customizing spans more than one poll (every 2 s), so the task reads the growing log on from an offset. */
const TWO_POLL_BUILD = { ...FAST_BUILD, customizerMs: 3_000 };

/**
 * Storage faults end to end. The storage fault proxy stands between the task
 * and Azurite, and the ARM stand-in hands out its URL as every account's blob
 * endpoint, so the simulated build's own storage traffic (log appends,
 * artifact download, log cleanup) goes through the proxy too: every fault
 * below is scoped to a request only the task makes.
 *
 * Every build of the ARM stand-in logs to the same staging account, where in
 * Azure each template has a staging account of its own; the task follows the
 * newest log in it, so a run beside others may follow another run's log.
 * The build log scenarios therefore run alone.
 */
describe('e2e storage faults: every fault kind on every storage operation, same result as without', function () {
  this.timeout(300_000);
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
    azure = await startLocalAzure({ buildTiming: FAST_BUILD, storageFaults: true, storageAccountNames: accounts });
    world = seedImageWorld(azure);
    const rg = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}`;
    azure.arm.seed({ storageAccounts: accounts.map((a) => ({ id: `${rg}/providers/Microsoft.Storage/storageAccounts/${a}`, location: world.location })) });
    app = makeAppFolder();

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

  describe('side by side: each fault kind on every artifact operation and on the build log list, ARM listKeys faults, a fault beyond the retry bound', () => {
    const storageRuns = FAULT_KINDS.map((f) => ({ fault: f, account: faultAccount(f), templateName: uniqueTemplateName(`sf-${shortLabel(f)}`) }));
    const keyRuns = FAULT_KINDS.map((f) => ({ fault: f, account: keyAccount(f), templateName: uniqueTemplateName(`sf-keys-${shortLabel(f)}`) }));
    const beyond = { account: '', templateName: uniqueTemplateName('sf-beyond') };
    const blockUpload = ARTIFACT_OPERATIONS.find((o) => o.name === 'block upload')!;
    const listKeysPath = (account: string) => new RegExp(`/providers/Microsoft\\.Storage/storageAccounts/${esc(account)}/listKeys$`, 'i');
    let storageResults: Run[] = [];
    let keyResults: Run[] = [];
    let beyondResult: Run;
    let storageLog: StorageRequestLogEntry[] = [];
    let armLog: RequestLogEntry[] = [];

    before(async () => {
      beyond.account = world.storageAccountName;
      azure.storageProxy.clearRequests();
      azure.arm.clearRequests();
      for (const op of ARTIFACT_OPERATIONS) {
        for (const r of storageRuns) azure.storageProxy.injectFault(faultOf(op, r.fault, r.account, r.templateName, r.fault.count));
      }
      // Every run lists the one staging account's log container: one fault of each kind goes to
      // whichever run lists first, at most four failed tries of one request, within the retry bound.
      for (const f of FAULT_KINDS) azure.storageProxy.injectFault(faultOf(LIST_LOGS, f, '', '', 1));
      // No blob data role on these accounts (storage refuses the connection's token, as for a principal
      // without Storage Blob Data Contributor), so the task uploads and signs with the key from listKeys.
      azure.storageProxy.refuseBearerTokens(keyRuns.map((r) => r.account));
      for (const r of keyRuns) azure.arm.injectFault({ ...r.fault.spec, method: 'POST', pathPattern: listKeysPath(r.account), count: r.fault.count });
      azure.storageProxy.injectFault(faultOf(blockUpload, FAULT_KINDS[1]!, beyond.account, beyond.templateName, 50));

      const all = await Promise.all(mapLimited([...storageRuns, ...keyRuns, beyond], (r) => run(r.templateName, r.account)));
      storageResults = all.slice(0, storageRuns.length);
      keyResults = all.slice(storageRuns.length, storageRuns.length + keyRuns.length);
      beyondResult = all.at(-1)!;
      storageLog = azure.storageProxy.requests();
      armLog = azure.arm.requests();
    });
    after(() => {
      azure.storageProxy.clearFaults();
      azure.storageProxy.refuseBearerTokens([]);
    });

    it(`storage faults (${KIND_LABELS}): each run Succeeded with the same outputs, nothing left, no secret`, async () => {
      for (const [i, r] of storageRuns.entries()) {
        const result = storageResults[i]!;
        assertLikeBaseline(result, r.fault.label);
        assert.ok(result.log.some((l) => l.startsWith('Following the build log ')), `${r.fault.label}: the build log is followed`);
        await assertNothingLeft(r.templateName);
        assertNoSecrets(result, azure);
      }
      const left = azure.storageProxy.pendingFaults().filter((f) => !f.pathPattern.includes(esc(beyond.templateName)));
      assert.deepEqual(left, [], 'every injected fault was met');
    });

    for (const op of ARTIFACT_OPERATIONS) {
      it(`${op.name}: ${KIND_LABELS} met as often as injected, each failure followed by a try that went through`, () => {
        for (const r of storageRuns) assertFaultMet(op, r.fault, storageLog.filter(matches(op, r.account, r.templateName)), r.fault.count, r.fault.label);
      });
    }

    it(`${LIST_LOGS.name}: ${KIND_LABELS} met once each, each failure followed by a try that went through`, () => {
      for (const f of FAULT_KINDS) assertFaultMet(LIST_LOGS, f, storageLog.filter(matches(LIST_LOGS, '', '')), 1, f.label);
    });

    it(`ARM listKeys on the account-key path (no blob data role): ${KIND_LABELS} -> Succeeded, uploaded and signed with the key, nothing left`, async () => {
      for (const [i, r] of keyRuns.entries()) {
        const result = keyResults[i]!;
        const what = `listKeys with ${r.fault.label}`;
        assertLikeBaseline(result, what);
        assert.ok(result.log.some((l) => l.includes(`no Blob data role on '${r.account}'`)), `${what}: says it uses the account key`);
        const calls = armLog.filter((c) => c.method === 'POST' && listKeysPath(r.account).test(c.path));
        assert.equal(armFaultHits(calls, r.fault).length, r.fault.count, `${what}: met ${armFaultHits(calls, r.fault).length} times (${calls.map((c) => c.status)})`);
        assert.equal(calls.at(-1)?.status, 200, `${what}: the last try answered (${calls.map((c) => c.status)})`);
        const own = storageLog.filter((q) => q.path.startsWith(`/${r.account}/`));
        assert.ok(own.some((q) => q.auth === 'bearer' && q.status === 403), `${what}: the token was refused first`);
        assert.ok(own.some((q) => q.query['comp'] === 'blocklist' && q.auth === 'sharedKey' && q.status === 201), `${what}: uploaded with the account key`);
        assert.ok(!own.some((q) => q.query['comp'] === 'userdelegationkey'), `${what}: no user delegation key asked for`);
        assert.ok(storageLog.some((q) => q.auth === 'sas' && q.method === 'GET' && artifactBlob(r.account, r.templateName).test(q.path) && q.status === 200), `${what}: the build fetched the artifact with the key-signed SAS`);
        await assertNothingLeft(r.templateName);
        assertNoSecrets(result, azure);
      }
    });

    it('a storage fault beyond the retry bound (500 on every block upload): clear failure naming it, no template, no blob', async () => {
      assertResult(beyondResult, 'Failed');
      const errors = errorsOf(beyondResult);
      assert.match(errors, /500|InternalError|internal error/i, `the error names the storage failure: ${errors}`);
      const tries = storageLog.filter(matches(blockUpload, beyond.account, beyond.templateName));
      assert.ok(tries.length > 1 && tries.length < 50 && tries.every((t) => t.status === 500), `retried a bounded number of times (${tries.length} tries)`);
      assert.ok(!storageLog.some((q) => q.query['comp'] === 'blocklist' && q.path.includes(beyond.templateName)), 'no block list committed');
      const arm = requestsForTemplate(armLog, beyond.templateName);
      assert.ok(!arm.some((q) => q.method === 'PUT'), 'no template was created');
      assert.ok(!arm.some((q) => q.method === 'POST'), 'no build was started');
      await assertNothingLeft(beyond.templateName);
      assertNoSecrets(beyondResult, azure);
    });
  });

  describe(`alone: ${KIND_LABELS} on ranged build log reads`, () => {
    const templateName = uniqueTemplateName('sf-log');
    let result: Run;
    let storageLog: StorageRequestLogEntry[] = [];

    before(async () => {
      azure.arm.setScenario({ timing: TWO_POLL_BUILD });
      azure.storageProxy.clearRequests();
      // One run meets every kind, one after another: at most four failed tries of one read, within the retry bound.
      for (const f of FAULT_KINDS) azure.storageProxy.injectFault(faultOf(READ_LOG, f, '', '', 1));
      result = await run(templateName, world.storageAccountName);
      storageLog = azure.storageProxy.requests();
    });
    after(() => {
      azure.storageProxy.clearFaults();
      azure.arm.setScenario({ timing: FAST_BUILD });
    });

    it('Succeeded with the same outputs, the whole build log streamed exactly once, nothing left, no secret', async () => {
      assertLikeBaseline(result, 'build log faults');
      assert.deepEqual(azure.storageProxy.pendingFaults(), [], 'every injected fault was met');
      const lines = streamedLogLines(result);
      // A failed read retried from the wrong offset would drop or repeat lines.
      assert.equal(lines.length, streamedLogLines(baseline).length, `streamed ${lines.length} log lines, the baseline ${streamedLogLines(baseline).length}`);
      assert.equal(lines.filter((l) => l.startsWith('Done exporting Packer logs')).length, 1, "the log's last line streamed once");
      assert.ok(!result.log.some((l) => /build log is no longer available|cannot be read/i.test(l)), 'the log view did not give up');
      assert.ok(result.logs.length >= 1, 'customization.log attached');
      await assertNothingLeft(templateName);
      assertNoSecrets(result, azure);
    });

    it(`${READ_LOG.name}: ${KIND_LABELS} met once each, each failure followed by a try that went through`, () => {
      for (const f of FAULT_KINDS) assertFaultMet(READ_LOG, f, storageLog.filter(matches(READ_LOG, '', '')), 1, f.label);
    });
  });

  describe('cancel', () => {
    it(`ARM POST .../cancel with ${KIND_LABELS}: Canceled, cancel accepted in the end, cleanup done, before the agent kills the task`, async () => {
      // Long enough customizing that the cancel lands while the build runs.
      azure.arm.setScenario({ timing: { ...FAST_BUILD, customizerMs: 30_000 } });
      azure.arm.clearRequests();
      const names = FAULT_KINDS.map((f) => uniqueTemplateName(`sf-cancel-${shortLabel(f)}`));
      const cancelPath = (n: string) => new RegExp(`/providers/Microsoft\\.VirtualMachineImages/imageTemplates/${esc(n)}/cancel$`, 'i');
      FAULT_KINDS.forEach((f, i) => azure.arm.injectFault({ ...f.spec, method: 'POST', pathPattern: cancelPath(names[i]!), count: f.count }));
      const results = await Promise.all(
        mapLimited(names, (templateName) => run(templateName, world.storageAccountName, { cancel: { on: statusReadOfRun(azure, templateName) } })),
      );
      azure.arm.setScenario({ timing: FAST_BUILD });
      const armLog = azure.arm.requests();
      for (const [i, f] of FAULT_KINDS.entries()) {
        const result = results[i]!;
        const what = `cancel with ${f.label}`;
        if (result.result !== 'Canceled') console.log(`--- ${what}\n${result.log.join('\n')}`);
        assert.equal(result.result, 'Canceled', `${what}: ${JSON.stringify(result.issues)}`);
        assert.match(result.stdout, /##vso\[task\.complete result=Canceled;?\]/, `${what}: the task itself reports Canceled`);
        // SIGINT, 7.5 s, SIGTERM, 2.5 s, kill. Without faults the task ends before SIGTERM
        // (failures.test.ts); seconds of throttled cancel requests may take it past SIGTERM, which it rides out.
        assert.equal(result.signal, null, `${what}: ended on its own, not killed`);
        assert.notEqual(result.escalated, 'SIGKILL', `${what}: the agent did not have to kill the task`);
        const calls = requestsForTemplate(armLog, names[i]!).filter((r) => r.method === 'POST' && cancelPath(names[i]!).test(r.path));
        assert.equal(armFaultHits(calls, f).length, f.count, `${what}: met ${armFaultHits(calls, f).length} times (${calls.map((c) => c.status)})`);
        const last = calls.at(-1)?.status ?? 0;
        assert.ok(last >= 200 && last < 300, `${what}: the cancel was accepted in the end (${calls.map((c) => c.status)})`);
        assert.ok(result.log.some((l) => /Azure accepted the cancel/.test(l)), `${what}: the task says Azure accepted the cancel`);
        assert.ok(requestsForTemplate(armLog, names[i]!).some((r) => r.method === 'DELETE'), `${what}: template deleted`);
        await assertNothingLeft(names[i]!);
        assertNoSecrets(result, azure);
      }
    });
  });
});
