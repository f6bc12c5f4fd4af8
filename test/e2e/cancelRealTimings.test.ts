import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { RECORDED_TIMING } from '../../testkit/emulators/arm/recorded';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { FAST_BUILD, artifactBlobsOf, assertNoSecrets, assertResult, deletionOf, node20Path, requestsForTemplate, templatesNamed, uniqueTemplateName } from './checks';
import { startStage } from './stage';

/**
 * A pipeline cancel against the stand-in playing what real Azure recorded:
 * the build stays Canceling for minutes after the cancel (204) and a delete
 * runs for 139 s. The task must report Canceled before the agent escalates
 * to SIGTERM, having sent the cancel and the delete and said what is left.
 */
describe('e2e cancel on recorded Azure timings', function () {
  this.timeout(120_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;

  before(async () => {
    ({ azure, world, app } = await startStage());
    // Customizing lasts a recorded minute so the cancel lands in it; cancel and delete last as recorded.
    azure.arm.setScenario({ timing: { ...FAST_BUILD, customizerMs: RECORDED_TIMING.customizerMs, cancelMs: RECORDED_TIMING.cancelMs, deleteMs: RECORDED_TIMING.deleteMs } });
  });
  after(async () => {
    await azure?.stop();
  });

  for (const answer of ['accept', 'conflict'] as const) {
    it(`DELETE while Canceling answered '${answer}': Canceled without SIGTERM, cancel and delete sent, what is left said by name`, async () => {
      azure.arm.setScenario({ deleteWhileCanceling: answer });
      const templateName = uniqueTemplateName(`cancel-real-${answer}`);
      // The event: the task's status line saying the build reached Customizing.
      let sawCustomizing = false;
      const result = await runImageBuilderTask({
        azure,
        nodePath: node20Path(),
        inputs: { ...linuxGalleryInputs(world, app), templateName },
        cancel: { whenLine: (line) => (sawCustomizing ||= /Customizing/.test(line) && !line.startsWith('##[')) },
      });
      assert.ok(sawCustomizing, 'the cancel came on the status line');
      assertResult(result, 'Canceled');
      assert.equal(result.commandedResult, 'Canceled', 'the task itself reported Canceled');
      assert.equal(result.escalated, undefined, 'the agent never had to send SIGTERM');
      assert.equal(result.signal, null, 'the task exited on its own');

      const calls = requestsForTemplate(azure.arm.requests(), templateName);
      const cancel = calls.find((r) => r.method === 'POST' && /\/cancel$/i.test(r.path));
      assert.equal(cancel?.status, 204, 'POST .../cancel answered as recorded');
      const deletes = calls.filter((r) => r.method === 'DELETE');
      assert.ok(deletes.length >= 1, 'DELETE sent');
      assert.ok(Date.parse(deletes[0]!.startedAt) >= Date.parse(cancel!.startedAt), 'the delete came after the cancel');

      const log = result.log.join('\n');
      const rg = world.resourceGroup;
      const [template] = templatesNamed(azure, templateName);
      if (answer === 'accept') {
        assert.ok(deletes.every((r) => r.status === 202));
        assert.equal(deletionOf(azure, templateName), 'requested', 'the stand-in is still canceling, with the deletion queued');
        assert.equal(template?.lastRunStatus?.['runState'], 'Canceling');
        assert.ok(log.includes(`Deletion of image template ${templateName} in resource group ${rg} requested: Azure finishes it in the background`), log);
      } else {
        assert.ok(deletes.every((r) => r.status === 409), 'every DELETE refused while canceling');
        assert.equal(deletionOf(azure, templateName), 'present');
        assert.equal(template?.lastRunStatus?.['runState'], 'Canceling', 'left canceling');
        assert.ok(
          result.issues.some((i) => i.type === 'warning' && i.message.startsWith(`Left: image template ${templateName} in resource group ${rg}, still canceling`)),
          JSON.stringify(result.issues),
        );
        assert.ok(log.includes(`The next run of this task requests the deletion of ${templateName} in resource group ${rg} once Azure has finished canceling it`), log);
      }
      assert.deepEqual(await artifactBlobsOf(azure, templateName), [], 'the uploaded artifacts are deleted');
      // One summary tab for the step, ending with cleanup's account.
      assert.equal(result.summaries.length, 1, `one summary tab: ${JSON.stringify(result.summaries)}`);
      const summary = result.summaries[0]!;
      const markdown = fs.readFileSync(summary, 'utf8');
      assert.match(markdown, /Canceled/);
      assert.ok(markdown.includes(answer === 'accept' ? 'requested' : 'still canceling'), markdown);
      assertNoSecrets(result, azure);
    });
  }
});
