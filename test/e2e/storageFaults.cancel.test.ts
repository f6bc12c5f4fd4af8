import * as assert from 'node:assert/strict';
import { mapLimited } from '../support/limited';
import { FAST_BUILD, assertNoSecrets, requestsForTemplate, statusReadOfRun, uniqueTemplateName } from './checks';
import { FAULT_KINDS, KIND_LABELS, shortLabel, esc, armFaultHits, storageFaultStage } from './storageFaultCases';

/**
 * Storage faults end to end (the cancel request): with each fault kind, once
 * or twice, on POST .../cancel, the cancel still gets through, the run ends
 * Canceled and nothing is left (storageFaultCases.ts).
 */
describe('e2e storage faults: the cancel request', function () {
  this.timeout(300_000);
  const stage = storageFaultStage();

  describe('cancel', () => {
    it(`ARM POST .../cancel with ${KIND_LABELS}: Canceled, cancel accepted in the end, cleanup done, before the agent kills the task`, async () => {
      // Long enough customizing that the cancel lands while the build runs.
      stage.azure.arm.setScenario({ timing: { ...FAST_BUILD, customizerMs: 30_000 } });
      stage.azure.arm.clearRequests();
      const names = FAULT_KINDS.map((f) => uniqueTemplateName(`sf-cancel-${shortLabel(f)}`));
      const cancelPath = (n: string) => new RegExp(`/providers/Microsoft\\.VirtualMachineImages/imageTemplates/${esc(n)}/cancel$`, 'i');
      FAULT_KINDS.forEach((f, i) => stage.azure.arm.injectFault({ ...f.spec, method: 'POST', pathPattern: cancelPath(names[i]!), count: f.count }));
      const results = await Promise.all(
        mapLimited(names, (templateName) => stage.run(templateName, stage.world.storageAccountName, { cancel: { on: statusReadOfRun(stage.azure, templateName) } })),
      );
      stage.azure.arm.setScenario({ timing: FAST_BUILD });
      const armLog = stage.azure.arm.requests();
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
        await stage.assertNothingLeft(names[i]!);
        assertNoSecrets(result, stage.azure);
      }
    });
  });
});
