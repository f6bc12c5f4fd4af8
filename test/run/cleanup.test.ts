import * as assert from 'node:assert/strict';
import type { CleanupPolicy, DistributeTarget, ImageBuilderConfig } from '../../shared/config/types';
import type { TaskOutcome } from '../../shared/host/types';
import { decideCleanup } from '../../shared/run/cleanup';
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
