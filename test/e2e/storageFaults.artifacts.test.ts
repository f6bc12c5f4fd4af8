import * as assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../testkit/emulators/arm/types';
import type { StorageRequestLogEntry } from '../../testkit/emulators/storageFaultProxy';
import { mapLimited } from '../support/limited';
import { assertNoSecrets, assertResult, requestsForTemplate, uniqueTemplateName } from './checks';
import { type Run, FAULT_KINDS, KIND_LABELS, shortLabel, faultAccount, keyAccount, esc, artifactBlob, ARTIFACT_OPERATIONS, LIST_LOGS, matches, faultOf, assertFaultMet, armFaultHits, errorsOf, storageFaultStage } from './storageFaultCases';

/**
 * Storage faults end to end (artifact operations, the build log list and listKeys): with each fault kind, once or
 * twice, a run must end exactly like the run without faults (storageFaultCases.ts).
 */
describe('e2e storage faults: artifact operations, the build log list and listKeys', function () {
  this.timeout(300_000);
  const stage = storageFaultStage();

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
      beyond.account = stage.world.storageAccountName;
      stage.azure.storageProxy.clearRequests();
      stage.azure.arm.clearRequests();
      for (const op of ARTIFACT_OPERATIONS) {
        for (const r of storageRuns) stage.azure.storageProxy.injectFault(faultOf(op, r.fault, r.account, r.templateName, r.fault.count));
      }
      // Every run lists the one staging account's log container: one fault of each kind goes to
      // whichever run lists first, at most four failed tries of one request, within the retry bound.
      for (const f of FAULT_KINDS) stage.azure.storageProxy.injectFault(faultOf(LIST_LOGS, f, '', '', 1));
      // No blob data role on these accounts (storage refuses the connection's token, as for a principal
      // without Storage Blob Data Contributor), so the task uploads and signs with the key from listKeys.
      stage.azure.storageProxy.refuseBearerTokens(keyRuns.map((r) => r.account));
      for (const r of keyRuns) stage.azure.arm.injectFault({ ...r.fault.spec, method: 'POST', pathPattern: listKeysPath(r.account), count: r.fault.count });
      stage.azure.storageProxy.injectFault(faultOf(blockUpload, FAULT_KINDS[1]!, beyond.account, beyond.templateName, 50));

      const all = await Promise.all(mapLimited([...storageRuns, ...keyRuns, beyond], (r) => stage.run(r.templateName, r.account)));
      storageResults = all.slice(0, storageRuns.length);
      keyResults = all.slice(storageRuns.length, storageRuns.length + keyRuns.length);
      beyondResult = all.at(-1)!;
      storageLog = stage.azure.storageProxy.requests();
      armLog = stage.azure.arm.requests();
    });
    after(() => {
      stage.azure.storageProxy.clearFaults();
      stage.azure.storageProxy.refuseBearerTokens([]);
    });

    it(`storage faults (${KIND_LABELS}): each run Succeeded with the same outputs, nothing left, no secret`, async () => {
      for (const [i, r] of storageRuns.entries()) {
        const result = storageResults[i]!;
        stage.assertLikeBaseline(result, r.fault.label);
        assert.ok(result.log.some((l) => l.startsWith('Following the build log ')), `${r.fault.label}: the build log is followed`);
        await stage.assertNothingLeft(r.templateName);
        assertNoSecrets(result, stage.azure);
      }
      const left = stage.azure.storageProxy.pendingFaults().filter((f) => !f.pathPattern.includes(esc(beyond.templateName)));
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
        stage.assertLikeBaseline(result, what);
        assert.ok(result.log.some((l) => l.includes(`no Blob data role on '${r.account}'`)), `${what}: says it uses the account key`);
        const calls = armLog.filter((c) => c.method === 'POST' && listKeysPath(r.account).test(c.path));
        assert.equal(armFaultHits(calls, r.fault).length, r.fault.count, `${what}: met ${armFaultHits(calls, r.fault).length} times (${calls.map((c) => c.status)})`);
        assert.equal(calls.at(-1)?.status, 200, `${what}: the last try answered (${calls.map((c) => c.status)})`);
        const own = storageLog.filter((q) => q.path.startsWith(`/${r.account}/`));
        assert.ok(own.some((q) => q.auth === 'bearer' && q.status === 403), `${what}: the token was refused first`);
        assert.ok(own.some((q) => q.query['comp'] === 'blocklist' && q.auth === 'sharedKey' && q.status === 201), `${what}: uploaded with the account key`);
        assert.ok(!own.some((q) => q.query['comp'] === 'userdelegationkey'), `${what}: no user delegation key asked for`);
        assert.ok(storageLog.some((q) => q.auth === 'sas' && q.method === 'GET' && artifactBlob(r.account, r.templateName).test(q.path) && q.status === 200), `${what}: the build fetched the artifact with the key-signed SAS`);
        await stage.assertNothingLeft(r.templateName);
        assertNoSecrets(result, stage.azure);
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
      await stage.assertNothingLeft(beyond.templateName);
      assertNoSecrets(beyondResult, stage.azure);
    });
  });
});
