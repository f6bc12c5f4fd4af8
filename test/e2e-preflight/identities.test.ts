import * as assert from 'node:assert/strict';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, requireChecklist } from './support';
import { startStage, type Stage } from '../e2e/stage';

describe('e2e preflight: managed identities', function () {
  this.timeout(120_000);
  let stage: Stage;
  let identityIn: (name: string) => string;
  let buildVmIdentity: string;

  before(async () => {
    stage = await startStage();
    identityIn = (name) =>
      `/subscriptions/${stage.world.subscriptionId}/resourceGroups/${stage.world.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    buildVmIdentity = identityIn('build-vm-identity');
    stage.azure.arm.seed({ identities: [{ id: buildVmIdentity, location: stage.world.location }] });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('template identity and build VM identities exist: one passed line each', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'id-ok', { buildVmIdentities: buildVmIdentity, preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(
      linesOf(checklist, TITLES.identities).map((l) => `${l.mark} ${l.text}`),
      [`✓ Identity ${stage.world.identityId} exists.`, `✓ Identity ${buildVmIdentity} exists.`],
    );
  });

  it('a managedIdentity that does not exist: Failed naming managedIdentity, nothing created', async () => {
    const missing = identityIn('no-such-identity');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'id-missing', { managedIdentity: missing }));
    const error = assertFailedInPreflight(observed, 'managedIdentity', `The user-assigned identity ${missing} does not exist`);
    assert.match(error, /correct managedIdentity\.$/);
  });

  it('a missing build VM identity among existing ones: Failed naming buildVmIdentities, the existing one passes', async () => {
    const missing = identityIn('no-such-build-vm-identity');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'id-vm-missing', { buildVmIdentities: `${buildVmIdentity}\n${missing}` }));
    const error = assertFailedInPreflight(observed, 'buildVmIdentities', missing);
    assert.match(error, /correct buildVmIdentities\.$/);
    const checklist = requireChecklist(observed.run);
    assert.deepEqual(
      linesOf(checklist, TITLES.identities).map((l) => l.mark),
      ['✓', '✓', '✗'],
      'template identity and the existing build VM identity pass, the missing one fails',
    );
  });
});
