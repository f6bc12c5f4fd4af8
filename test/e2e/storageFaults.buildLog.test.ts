import * as assert from 'node:assert/strict';
import type { StorageRequestLogEntry } from '../../testkit/emulators/storageFaultProxy';
import { FAST_BUILD, assertNoSecrets, uniqueTemplateName } from './checks';
import { type Run, FAULT_KINDS, KIND_LABELS, READ_LOG, matches, faultOf, assertFaultMet, streamedLogLines, TWO_POLL_BUILD, storageFaultStage } from './storageFaultCases';

/**
 * Storage faults end to end (ranged build log reads): with each fault kind, once or
 * twice, a run must end exactly like the run without faults (storageFaultCases.ts).
 */
describe('e2e storage faults: ranged build log reads', function () {
  this.timeout(300_000);
  const stage = storageFaultStage();

  describe(`alone: ${KIND_LABELS} on ranged build log reads`, () => {
    const templateName = uniqueTemplateName('sf-log');
    let result: Run;
    let storageLog: StorageRequestLogEntry[] = [];

    before(async () => {
      stage.azure.arm.setScenario({ timing: TWO_POLL_BUILD });
      stage.azure.storageProxy.clearRequests();
      // One run meets every kind, one after another: at most four failed tries of one read, within the retry bound.
      for (const f of FAULT_KINDS) stage.azure.storageProxy.injectFault(faultOf(READ_LOG, f, '', '', 1));
      result = await stage.run(templateName, stage.world.storageAccountName);
      storageLog = stage.azure.storageProxy.requests();
    });
    after(() => {
      stage.azure.storageProxy.clearFaults();
      stage.azure.arm.setScenario({ timing: FAST_BUILD });
    });

    it('Succeeded with the same outputs, the whole build log streamed exactly once, nothing left, no secret', async () => {
      stage.assertLikeBaseline(result, 'build log faults');
      assert.deepEqual(stage.azure.storageProxy.pendingFaults(), [], 'every injected fault was met');
      const lines = streamedLogLines(result);
      // A failed read retried from the wrong offset would drop or repeat lines.
      assert.equal(lines.length, streamedLogLines(stage.baseline).length, `streamed ${lines.length} log lines, the baseline ${streamedLogLines(stage.baseline).length}`);
      assert.equal(lines.filter((l) => l.startsWith('Done exporting Packer logs')).length, 1, "the log's last line streamed once");
      assert.ok(!result.log.some((l) => /build log is no longer available|cannot be read/i.test(l)), 'the log view did not give up');
      assert.ok(result.logs.length >= 1, 'customization.log attached');
      await stage.assertNothingLeft(templateName);
      assertNoSecrets(result, stage.azure);
    });

    it(`${READ_LOG.name}: ${KIND_LABELS} met once each, each failure followed by a try that went through`, () => {
      for (const f of FAULT_KINDS) assertFaultMet(READ_LOG, f, storageLog.filter(matches(READ_LOG, '', '')), 1, f.label);
    });
  });
});
