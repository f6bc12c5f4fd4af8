import * as assert from 'node:assert/strict';
import { startLocalAzure, type LocalAzure } from '../emulators/localAzure';
import type { FaultSpec, RequestLogEntry } from '../emulators/arm/types';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, seedImageWorld, type ImageWorld } from './harness';
import { FAST_BUILD, assertCleanup, assertNoSecrets, assertResult, node20Path, requestsForTemplate, uniqueTemplateName } from './checks';

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
  { label: 'slow', kind: 'slow', delayMs: 2_000, count: 1 },
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

/**
 * Transient ARM faults on every operation the task calls: each fault kind,
 * once or twice, must end exactly like a run without faults. Runs of one
 * operation go side by side; a fault on a template's own path only ever
 * meets that template's run.
 */
describe('e2e faults: every injected fault on every ARM operation, same result as without', function () {
  this.timeout(300_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;
  let baseline: Run;

  const inputsFor = (templateName: string) => ({ ...linuxGalleryInputs(world, app), templateName });

  before(async () => {
    azure = await startLocalAzure({ buildTiming: FAST_BUILD });
    world = seedImageWorld(azure);
    app = makeAppFolder();
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
  });
  after(async () => {
    await azure?.stop();
  });

  /** Requests the fault met; a slow answer the client stopped waiting for counts too (status 0). */
  const faultHits = (log: RequestLogEntry[], op: Operation, templateName: string, fault: FaultKind) =>
    log.filter((r) => r.method === op.method && op.pattern(templateName).test(r.path) && (fault.kind === 'reset' ? r.status === 0 : fault.kind === 'status' ? r.status === fault.status : r.durationMs >= (fault.delayMs ?? 0) || r.status === 0));

  for (const op of OPERATIONS) {
    it(`${op.name}: ${FAULT_KINDS.map((f) => f.label).join(', ')} -> Succeeded, same outputs, nothing left`, async () => {
      azure.arm.clearRequests();
      const names = FAULT_KINDS.map((f) => uniqueTemplateName(`fault-${f.label.split(' ')[0]}`.toLowerCase()));
      FAULT_KINDS.forEach((fault, i) => {
        const { label: _label, ...spec } = fault;
        azure.arm.injectFault({ ...spec, method: op.method, pathPattern: op.pattern(names[i]!), ...(op.skip ? { skip: op.skip } : {}) });
      });
      const results = await Promise.all(names.map((templateName) => runImageBuilderTask({ azure, nodePath: node20Path(), inputs: inputsFor(templateName), timeoutMs: 240_000 })));
      const log = azure.arm.requests();
      for (const [i, fault] of FAULT_KINDS.entries()) {
        const result = results[i]!;
        const templateName = names[i]!;
        if (result.result !== 'Succeeded') console.log(`--- ${op.name} / ${fault.label}\n${result.log.join('\n')}`);
        assert.equal(result.result, 'Succeeded', `${op.name} with ${fault.label}: ${JSON.stringify(result.issues)}`);
        assert.deepEqual(outputNames(result), outputNames(baseline), `${op.name} with ${fault.label}: same outputs`);
        assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', /\/versions\/\d+\.\d+\.\d+$/);
        if (!op.shared) {
          // Exactly as often as the fault demanded, then the retry went through.
          const hits = faultHits(requestsForTemplate(log, templateName), op, templateName, fault);
          assert.equal(hits.length, fault.count, `${op.name} with ${fault.label}: the fault was met ${hits.length} times`);
        }
        await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
        assertNoSecrets(result, azure);
      }
      if (op.shared) {
        for (const fault of FAULT_KINDS) {
          const hits = faultHits(log, op, '', fault);
          assert.ok(hits.length >= fault.count, `${op.name}: ${fault.label} was met (${hits.length} times)`);
        }
      }
    });
  }

  it('a fault beyond the retry bound (Retry-After longer than the task waits; 500 on every try): clear failure, nothing left', async () => {
    azure.arm.clearRequests();
    const throttled = uniqueTemplateName('beyond-retry-after');
    const broken = uniqueTemplateName('beyond-retries');
    azure.arm.injectFault({ method: 'PUT', pathPattern: new RegExp(`${template(throttled)}$`, 'i'), kind: 'status', status: 429, retryAfterSeconds: 3600, count: 1 });
    azure.arm.injectFault({ method: 'PUT', pathPattern: new RegExp(`${template(broken)}$`, 'i'), kind: 'status', status: 500, count: 50 });
    const [a, b] = await Promise.all(
      [throttled, broken].map((templateName) => runImageBuilderTask({ azure, nodePath: node20Path(), inputs: inputsFor(templateName), timeoutMs: 240_000 })),
    );
    for (const [result, templateName, why] of [
      [a!, throttled, /429/],
      [b!, broken, /500/],
    ] as const) {
      assertResult(result, 'Failed');
      const errors = result.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');
      assert.match(errors, why, `the error names the ARM status: ${errors}`);
      const calls = requestsForTemplate(azure.arm.requests(), templateName);
      assert.ok(!calls.some((r) => r.method === 'PUT' && r.status < 300), 'no template was created');
      assert.ok(!calls.some((r) => r.method === 'POST'), 'no build was started');
      await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
      assertNoSecrets(result, azure);
    }
    const puts = requestsForTemplate(azure.arm.requests(), broken).filter((r) => r.method === 'PUT');
    assert.ok(puts.length > 1 && puts.length < 50, `retried a bounded number of times (${puts.length} tries)`);
    assert.equal(requestsForTemplate(azure.arm.requests(), throttled).filter((r) => r.method === 'PUT').length, 1, 'did not sleep out a Retry-After of an hour');
  });
});
