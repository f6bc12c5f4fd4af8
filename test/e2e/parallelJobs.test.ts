import * as assert from 'node:assert/strict';
import { RECORDED_TIMING } from '../../testkit/emulators/arm/recorded';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, makeAppFolder, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { FAST_BUILD, artifactBlobsOf, assertNoSecrets, assertResult, deletionOf, node20Path, requestsForTemplate, templatesNamed } from './checks';
import { startStage } from './stage';

/**
 * Two jobs of one pipeline run (same build id and attempt, different
 * System.JobId) bake side by side into one resource group with the default
 * template name. Deletes last as recorded (139 s), so the runs also show that
 * a finished build does not wait for its template's deletion.
 */
describe('e2e parallel jobs of one run', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;

  before(async () => {
    ({ azure, world } = await startStage({ buildTiming: { ...FAST_BUILD, deleteMs: RECORDED_TIMING.deleteMs } }));
  });
  after(async () => {
    await azure?.stop();
  });

  it('each job gets its own default template, both succeed, each deletes only its own and ends while Azure is still deleting it', async () => {
    const jobs = [
      { jobId: '11111111-1111-4111-8111-111111111111', taskInstanceId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' },
      { jobId: '22222222-2222-4222-8222-222222222222', taskInstanceId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' },
    ];
    const inputs = linuxGalleryInputs(world, makeAppFolder());
    delete inputs['templateName'];
    const results = await Promise.all(
      jobs.map((job) =>
        runImageBuilderTask({
          azure,
          nodePath: node20Path(),
          inputs,
          variables: { 'System.JobId': job.jobId, 'Build.BuildId': '5150', 'System.JobAttempt': '1' },
          taskInstanceId: job.taskInstanceId,
        }),
      ),
    );
    const names = results.map((r) => r.outputs['bake.templateName'] ?? '');
    for (const [i, result] of results.entries()) {
      assertResult(result, 'Succeeded');
      assert.match(names[i]!, /^ib-ImageFactory-5150-1-[0-9a-f]{8}$/, 'the default name with the step key');
      assertNoSecrets(result, azure);
    }
    assert.notEqual(names[0], names[1], 'the two jobs used different templates');

    const requests = azure.arm.requests();
    for (const [i, name] of names.entries()) {
      const other = names[1 - i]!;
      const calls = requestsForTemplate(requests, name);
      assert.equal(calls.filter((r) => r.method === 'PUT').length, 1, `${name} created once`);
      assert.equal(calls.filter((r) => r.method === 'DELETE').length, 1, `${name} deleted once`);
      // The run ended, Azure is still deleting: the task requested the deletion and did not wait.
      assert.equal(deletionOf(azure, name), 'requested', `${name}: deletion still in progress after the run ended`);
      assert.equal(templatesNamed(azure, name)[0]?.provisioningState, 'Deleting');
      const log = results[i]!.log.join('\n');
      assert.ok(log.includes(`Deletion of image template ${name} in resource group ${world.resourceGroup} requested: Azure finishes it in the background`), log);
      // The task's own lines only: the stand-in keeps every template's build log in one shared staging
      // account (real Azure gives each template its own), so the streamed build log may show the other's.
      const ownLines = withoutBuildLog(results[i]!.log);
      assert.deepEqual(ownLines.filter((l) => l.includes(other)), [], `job ${i + 1} never mentions the other job's template`);
      assert.deepEqual(await artifactBlobsOf(azure, name), []);
      const tags = (templatesNamed(azure, name)[0]?.submitted['tags'] ?? {}) as Record<string, string>;
      assert.equal(tags['createdBy'], 'AzureImageBuilder@1');
      assert.equal(tags['imageBuilderStep'], name.slice(-8), 'the step key tag matches the name');
    }
  });
});

/** The log without the streamed build-log lines, which the task prints inside `Build log: ...` groups. */
function withoutBuildLog(log: readonly string[]): string[] {
  let inBuildLog = false;
  return log.filter((l) => {
    if (l.startsWith('##[group]Build log: ')) inBuildLog = true;
    else if (l === '##[endgroup]') inBuildLog = false;
    else return !inBuildLog;
    return false;
  });
}
