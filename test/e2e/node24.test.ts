import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { node24Path } from '../../testkit/agent/nodeBinaries';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, runImageBuilderTask, type ImageWorld, type SignInScheme } from '../../testkit/harness';
import { mapLimited } from '../support/limited';
import { FAST_BUILD, assertCleanup, assertNoSecrets, assertResult, requestsForTemplate, statusReadOfRun, uniqueTemplateName } from './checks';
import { startStage } from './stage';

/** The same bundle on Node 24: a full build per sign-in scheme, and a cancel. */
describe('e2e on Node 24: every sign-in scheme and cancel', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;

  before(async () => {
    assert.match(execFileSync(node24Path, ['--version'], { encoding: 'utf8' }), /^v24\./, 'the Node 24 binary is Node 24');
    ({ azure, world, app } = await startStage());
  });
  after(async () => {
    await azure?.stop();
  });

  const schemes: SignInScheme[] = ['secret', 'certificate', 'federated', 'managedIdentity'];
  it(`${schemes.join(', ')}: each builds, publishes outputs, cleans up, leaks nothing`, async () => {
    const names = schemes.map((s) => uniqueTemplateName(`node24-${s.toLowerCase()}`));
    const results = await Promise.all(
      mapLimited(schemes, (scheme, i) => runImageBuilderTask({ azure, scheme, nodePath: node24Path, inputs: { ...linuxGalleryInputs(world, app), templateName: names[i]! } })),
    );
    for (const [i, result] of results.entries()) {
      assertResult(result, 'Succeeded');
      assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', /\/versions\/\d+\.\d+\.\d+$/, schemes[i]);
      assert.ok(requestsForTemplate(azure.arm.requests(), names[i]!).some((r) => r.method === 'PUT' && r.status < 300));
      await assertCleanup(azure, names[i]!, { template: 'gone', blob: 'gone' });
      assertNoSecrets(result, azure);
    }
  });

  it('cancel mid-build: cancel sent, cleanup done, Canceled before the agent escalates', async () => {
    const templateName = uniqueTemplateName('node24-cancel');
    azure.arm.setScenario({ timing: { ...FAST_BUILD, customizerMs: 30_000 } });
    const result = await runImageBuilderTask({
      azure,
      nodePath: node24Path,
      inputs: { ...linuxGalleryInputs(world, app), templateName },
      cancel: { on: statusReadOfRun(azure, templateName) },
    });
    azure.arm.setScenario({ timing: FAST_BUILD });
    assertResult(result, 'Canceled');
    assert.match(result.stdout, /##vso\[task\.complete result=Canceled;?\]/);
    assert.equal(result.signal, null, 'ended on its own');
    assert.equal(result.escalated, undefined, 'the agent did not have to escalate to SIGTERM');
    assert.ok(requestsForTemplate(azure.arm.requests(), templateName).some((r) => r.method === 'POST' && /\/cancel$/i.test(r.path)), 'cancel sent');
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'gone' });
    assertNoSecrets(result, azure);
  });
});
