import * as assert from 'node:assert/strict';
import type { CleanupPolicy, DistributeTarget, ImageBuilderConfig } from '../../shared/config/types';
import type { TaskOutcome } from '../../shared/core/taskHost';
import { ConsoleHost } from '../support/consoleHost';
import { REFUSED_DELETE_RETRY_MS, cleanUp, decideCleanup } from '../../shared/run/cleanup';
import { loc } from '../config/configFixtures';
import { FakeClock } from '../support/fakeClock';
import { fakeServices, type FakeScript } from './fakes';
import { baseConfig } from '../support/configFixtures';

function config(cleanup: CleanupPolicy, distribute?: DistributeTarget[]): ImageBuilderConfig {
  const c = baseConfig();
  return { ...c, cleanup, distribute: distribute ?? c.distribute };
}

const defaultVhd: DistributeTarget = { kind: 'vhd', runOutputName: 'vhd', artifactTags: {} };

describe('cleanup policy', () => {
  const cases: [CleanupPolicy, TaskOutcome, boolean, boolean, string | undefined][] = [
    // policy, outcome, delete template, delete upload, why kept
    ['always', 'Succeeded', true, true, undefined],
    ['always', 'Failed', true, true, undefined],
    ['always', 'Canceled', true, true, undefined],
    ['onSuccess', 'Succeeded', true, true, undefined],
    ['onSuccess', 'SucceededWithIssues', true, true, undefined],
    ['onSuccess', 'Failed', false, false, 'CleanupKeptForInspection'],
    ['onSuccess', 'Canceled', false, false, 'CleanupKeptForInspection'],
    ['never', 'Succeeded', false, false, 'CleanupKeptByPolicyNever'],
    ['never', 'Failed', false, false, 'CleanupKeptByPolicyNever'],
  ];
  for (const [policy, outcome, template, upload, why] of cases) {
    it(`${policy} after ${outcome}: template ${template ? 'deleted' : 'kept'}, upload ${upload ? 'deleted' : 'kept'}`, () => {
      const decision = decideCleanup(config(policy), outcome, false);
      assert.equal(decision.deleteTemplate, template);
      assert.equal(decision.deleteUpload, upload);
      assert.equal(decision.keepReason?.messageKey, why);
    });
  }

  it('keeps the template of a successful build whose VHD lives in the staging account, but not the upload', () => {
    const decision = decideCleanup(config('always', [defaultVhd]), 'Succeeded', true);
    assert.deepEqual(decision, { deleteTemplate: false, deleteUpload: true, keepReason: { messageKey: 'CleanupKeptForVhd' } });
  });

  it('deletes the template when the VHD was not produced (partial success) or the build failed', () => {
    assert.equal(decideCleanup(config('always', [defaultVhd]), 'SucceededWithIssues', false).deleteTemplate, true);
    assert.equal(decideCleanup(config('always', [defaultVhd]), 'Failed', false).deleteTemplate, true);
  });
});

describe('cleanup: what is requested and said', () => {
  async function clean(script: FakeScript, outcome: TaskOutcome, change: (c: ImageBuilderConfig) => void = () => undefined) {
    const { services, calls } = fakeServices(script);
    const lines: string[] = [];
    const host = new ConsoleHost(loc, (l) => lines.push(l));
    const c = baseConfig();
    change(c);
    const clock = new FakeClock();
    const upload = { artifact: { url: 'https://a/b', sizeBytes: 1, sha256: 'a'.repeat(64), format: 'tar.gz' as const }, remove: async () => void calls.push('removeUpload') };
    const report = await cleanUp({ host, config: c, services, created: { template: true, upload }, outcome, clock });
    return { calls, lines, report, clock };
  }

  it('accepted: the deletion is requested, not waited for, and the log says Azure finishes it in the background', async () => {
    const { calls, lines, report } = await clean({}, 'Succeeded');
    assert.deepEqual(calls.sort(), ['delete', 'removeUpload']);
    const said = lines.find((l) => /Deletion of image template proj-42-1 in resource group rg-aib requested/.test(l));
    assert.ok(said && /in the background/.test(said), lines.join('\n'));
    assert.ok(report.lines.includes(said!));
  });

  it('refused while the cancel is quick: retried until accepted', async () => {
    const { calls, lines } = await clean({ deleteAnswers: [{ kind: 'refused', reason: 'busy' }, { kind: 'refused', reason: 'busy' }, { kind: 'accepted' }] }, 'Canceled');
    assert.equal(calls.filter((c) => c === 'delete').length, 3);
    assert.ok(lines.some((l) => /requested/.test(l)) && !lines.some((l) => /Left:/.test(l)), lines.join('\n'));
  });

  it('refused past the short retry: the template is left, named, with what the next run does', async () => {
    const { calls, lines, clock } = await clean({ deleteAnswers: [{ kind: 'refused', reason: 'OperationNotAllowed: run state Canceling' }] }, 'Canceled');
    assert.ok(calls.filter((c) => c === 'delete').length >= 2, calls.join(','));
    assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) <= REFUSED_DELETE_RETRY_MS);
    assert.ok(lines.some((l) => l.startsWith('WARNING: Left: image template proj-42-1 in resource group rg-aib, still canceling') && l.includes('OperationNotAllowed')), lines.join('\n'));
    assert.ok(lines.some((l) => /next run of this task requests the deletion of proj-42-1 in resource group rg-aib/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l === 'Deleted the uploaded build artifacts.'), 'the upload is removed all the same');
  });

  it('refused with the sweep off: the user is told to delete it', async () => {
    const { lines } = await clean({ deleteAnswers: [{ kind: 'refused', reason: 'busy' }] }, 'Canceled', (c) => (c.sweepLeftovers = false));
    assert.ok(lines.some((l) => /delete image template proj-42-1 from resource group rg-aib yourself/.test(l)), lines.join('\n'));
  });

  it('already gone: said so', async () => {
    const { lines } = await clean({ deleteAnswers: [{ kind: 'gone' }] }, 'Failed');
    assert.ok(lines.includes('Deleted image template proj-42-1.'), lines.join('\n'));
  });
});
