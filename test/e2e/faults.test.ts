import * as assert from 'node:assert/strict';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import type { FaultSpec, RequestLogEntry } from '../../testkit/emulators/arm/types';
import { linuxGalleryInputs, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { mapLimited } from '../support/limited';
import { assertCleanup, assertNoSecrets, assertResult, node20Path, requestsForTemplate, uniqueTemplateName } from './checks';
import { startStage } from './stage';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;
type FaultKind = Pick<FaultSpec, 'kind' | 'status' | 'retryAfterSeconds' | 'delayMs'> & { label: string; count: number };

/** Every fault the ARM stand-in can inject, each for one or two requests. */
const FAULT_KINDS: FaultKind[] = [
  { label: '429 Retry-After', kind: 'status', status: 429, retryAfterSeconds: 1, count: 2 },
  { label: '500', kind: 'status', status: 500, count: 1 },
  { label: '502', kind: 'status', status: 502, count: 2 },
  { label: '503 Retry-After', kind: 'status', status: 503, retryAfterSeconds: 1, count: 1 },
  { label: '504', kind: 'status', status: 504, count: 1 },
  { label: 'connection reset', kind: 'reset', count: 2 },
  { label: 'slow', kind: 'slow', delayMs: 1_000, count: 1 },
];

interface Operation {
  name: string;
  method: string;
  /** Path pattern for a template name; `shared` when the path is not the template's own. */
  pattern: (templateName: string) => RegExp;
  shared?: boolean;
  skip?: number;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const template = (n: string) => `/providers/Microsoft\\.VirtualMachineImages/imageTemplates/${esc(n)}`;

/** Every ARM operation a gallery build with artifacts calls. */
const OPERATIONS: Operation[] = [
  { name: 'GET template (leftover check)', method: 'GET', pattern: (n) => new RegExp(`${template(n)}$`, 'i') },
  { name: 'PUT template', method: 'PUT', pattern: (n) => new RegExp(`${template(n)}$`, 'i') },
  { name: 'POST run', method: 'POST', pattern: (n) => new RegExp(`${template(n)}/run$`, 'i') },
  { name: 'GET template (watch)', method: 'GET', pattern: (n) => new RegExp(`${template(n)}$`, 'i'), skip: 2 },
  { name: 'GET runOutputs', method: 'GET', pattern: (n) => new RegExp(`${template(n)}/runOutputs$`, 'i') },
  { name: 'DELETE template', method: 'DELETE', pattern: (n) => new RegExp(`${template(n)}$`, 'i') },
  { name: 'GET operation status', method: 'GET', pattern: () => /\/providers\/Microsoft\.VirtualMachineImages\/locations\/[^/]+\/operations\//i, shared: true },
  { name: 'GET storage accounts', method: 'GET', pattern: () => /\/providers\/Microsoft\.Storage\/storageAccounts$/i, shared: true },
  { name: 'GET platform image versions', method: 'GET', pattern: () => /\/vmimage\/offers\/[^/]+\/skus\/[^/]+\/versions$/i, shared: true },
];

function outputNames(result: Run): string[] {
  return Object.keys(result.outputs).sort();
}

/** A task run of the matrix: one fault kind on every operation, or a fault beyond the retry bound. */
interface MatrixRun {
  templateName: string;
  kind?: FaultKind;
  result?: Run;
}

/**
 * Transient ARM faults on every operation the task calls: each fault kind,
 * once or twice, must end exactly like a run without faults. One run per
 * fault kind meets that fault on every operation in turn: the retry policy
 * works per request, so a fault on one request does not change what the next
 * one meets. Runs go side by side, one per core; a fault on a template's own
 * path only ever meets that template's run, and a fault on a shared path is
 * added when its run starts, so one request never meets more faults than the
 * two runs in flight added (fewer than the policy's retries).
 */
describe('e2e faults: every injected fault on every ARM operation, same result as without', function () {
  this.timeout(300_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;
  let baseline: Run;
  let log: RequestLogEntry[];
  const byKind = new Map<string, MatrixRun>();
  const throttled: MatrixRun = { templateName: uniqueTemplateName('beyond-retry-after') };
  const broken: MatrixRun = { templateName: uniqueTemplateName('beyond-retries') };

  const inputsFor = (templateName: string) => ({ ...linuxGalleryInputs(world, app), templateName });
  const specOf = (fault: FaultKind) => {
    const { label: _label, ...spec } = fault;
    return spec;
  };

  before(async () => {
    ({ azure, world, app } = await startStage());
    const templateName = uniqueTemplateName('baseline');
    baseline = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: inputsFor(templateName) });
    assertResult(baseline, 'Succeeded');
    const calls = azure.arm.requests();
    // The table above must be what the task really calls, or a fault would never be met.
    for (const op of OPERATIONS) {
      assert.ok(
        calls.some((r) => r.method === op.method && op.pattern(templateName).test(r.path)),
        `the task calls ${op.name}: ${calls.map((r) => `${r.method} ${r.path}`).join('\n')}`,
      );
    }

    azure.arm.clearRequests();
    const runs: MatrixRun[] = [];
    for (const kind of FAULT_KINDS) {
      const run: MatrixRun = { templateName: uniqueTemplateName(`fault-${kind.label.split(' ')[0]}`.toLowerCase()), kind };
      byKind.set(kind.label, run);
      runs.push(run);
      // In the table's order: the watch's skip counts the requests the leftover check let through.
      for (const op of OPERATIONS.filter((o) => !o.shared)) {
        azure.arm.injectFault({ ...specOf(kind), method: op.method, pathPattern: op.pattern(run.templateName), ...(op.skip ? { skip: op.skip } : {}) });
      }
    }
    azure.arm.injectFault({ method: 'PUT', pathPattern: new RegExp(`${template(throttled.templateName)}$`, 'i'), kind: 'status', status: 429, retryAfterSeconds: 3600, count: 1 });
    azure.arm.injectFault({ method: 'PUT', pathPattern: new RegExp(`${template(broken.templateName)}$`, 'i'), kind: 'status', status: 500, count: 50 });
    runs.push(throttled, broken);

    await Promise.all(
      mapLimited(runs, async (run) => {
        if (run.kind) {
          for (const op of OPERATIONS.filter((o) => o.shared)) {
            azure.arm.injectFault({ ...specOf(run.kind), method: op.method, pathPattern: op.pattern(run.templateName) });
          }
        }
        run.result = await runImageBuilderTask({ azure, nodePath: node20Path(), inputs: inputsFor(run.templateName), timeoutMs: 240_000 });
      }),
    );
    log = azure.arm.requests();
  });
  after(async () => {
    await azure?.stop();
  });

  /** Requests the fault met, as the stand-in marked them; a slow answer the client stopped waiting for counts too (status 0). */
  const faultHits = (entries: RequestLogEntry[], op: Operation, templateName: string, fault: FaultKind) =>
    entries.filter((r) => r.method === op.method && op.pattern(templateName).test(r.path) && r.fault === fault.kind && (fault.kind !== 'status' || r.status === fault.status));

  for (const fault of FAULT_KINDS) {
    it(`${fault.label} on every ARM operation (${OPERATIONS.map((o) => o.name).join(', ')}) -> Succeeded, same outputs, nothing left`, async () => {
      const { templateName, result } = byKind.get(fault.label)!;
      if (result!.result !== 'Succeeded') console.log(`--- ${fault.label}\n${result!.log.join('\n')}`);
      assert.equal(result!.result, 'Succeeded', `${fault.label}: ${JSON.stringify(result!.issues)}`);
      assert.deepEqual(outputNames(result!), outputNames(baseline), `${fault.label}: same outputs`);
      assert.match(result!.outputs['bake.galleryImageVersionId'] ?? '', /\/versions\/\d+\.\d+\.\d+$/);
      // Exactly as often as the faults demanded on the template's own paths, then the retries went through.
      // Operations on the same method and path (the leftover check and the watch) are counted together.
      const own = requestsForTemplate(log, templateName);
      const expected = new Map<string, { op: Operation; count: number }>();
      for (const op of OPERATIONS.filter((o) => !o.shared)) {
        const key = `${op.method} ${op.pattern(templateName).source}`;
        const entry = expected.get(key) ?? { op, count: 0 };
        entry.count += fault.count;
        expected.set(key, entry);
      }
      for (const { op, count } of expected.values()) {
        const hits = faultHits(own, op, templateName, fault);
        assert.equal(hits.length, count, `${op.name} with ${fault.label}: the fault was met ${hits.length} times`);
      }
      await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
      assertNoSecrets(result!, azure);
    });
  }

  it('every fault kind was met on each operation of a shared path (operation status, storage accounts, image versions)', () => {
    for (const op of OPERATIONS.filter((o) => o.shared)) {
      for (const fault of FAULT_KINDS) {
        const hits = faultHits(log, op, '', fault);
        assert.ok(hits.length >= fault.count, `${op.name}: ${fault.label} was met (${hits.length} times)`);
      }
    }
  });

  it('a fault beyond the retry bound (Retry-After longer than the task waits; 500 on every try): clear failure, nothing left', async () => {
    for (const [run, why] of [
      [throttled, /429/],
      [broken, /500/],
    ] as const) {
      const result = run.result!;
      assertResult(result, 'Failed');
      const errors = result.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');
      assert.match(errors, why, `the error names the ARM status: ${errors}`);
      const calls = requestsForTemplate(log, run.templateName);
      assert.ok(!calls.some((r) => r.method === 'PUT' && r.status < 300), 'no template was created');
      assert.ok(!calls.some((r) => r.method === 'POST'), 'no build was started');
      await assertCleanup(azure, run.templateName, { template: 'gone', blob: 'gone' });
      assertNoSecrets(result, azure);
    }
    const puts = requestsForTemplate(log, broken.templateName).filter((r) => r.method === 'PUT');
    assert.ok(puts.length > 1 && puts.length < 50, `retried a bounded number of times (${puts.length} tries)`);
    assert.equal(requestsForTemplate(log, throttled.templateName).filter((r) => r.method === 'PUT').length, 1, 'did not sleep out a Retry-After of an hour');
  });
});
