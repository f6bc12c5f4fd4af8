import * as assert from 'node:assert/strict';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, requireChecklist } from './support';
import { startStage, type Stage } from '../e2e/stage';

type State = 'Registered' | 'NotRegistered' | 'Registering';

describe('e2e preflight: resource providers', function () {
  this.timeout(120_000);
  let stage: Stage;
  let subnetId: string;
  let aciSubnetId: string;

  const register = (namespace: string, registrationState: State) =>
    stage.azure.arm.seed({ providers: [{ subscriptionId: stage.world.subscriptionId, namespace, registrationState }] });

  before(async () => {
    stage = await startStage();
    const vnet = `/subscriptions/${stage.world.subscriptionId}/resourceGroups/${stage.world.resourceGroup}/providers/Microsoft.Network/virtualNetworks/build-vnet`;
    subnetId = `${vnet}/subnets/build`;
    aciSubnetId = `${vnet}/subnets/aci`;
  });
  afterEach(() => {
    for (const ns of ['Microsoft.VirtualMachineImages', 'Microsoft.Network', 'Microsoft.ContainerInstance']) register(ns, 'Registered');
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('Microsoft.VirtualMachineImages not registered: Failed in seconds, the error gives the register command, nothing created', async () => {
    register('Microsoft.VirtualMachineImages', 'NotRegistered');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'prov-vmi-off'));
    const error = assertFailedInPreflight(observed, 'azureSubscription', 'az provider register --namespace Microsoft.VirtualMachineImages');
    assert.match(error, new RegExp(`--subscription ${stage.world.subscriptionId}`));
    assert.match(error, /state: NotRegistered/);
    const checklist = requireChecklist(observed.run);
    assert.equal(linesOf(checklist, TITLES.providers, '✗').length, 1, 'only the unregistered provider fails');
  });

  it('every needed provider registered: one passed line each, and no Network or ContainerInstance without subnets', async () => {
    // Unregistered but not needed without a subnet: must not be checked at all.
    register('Microsoft.Network', 'NotRegistered');
    register('Microsoft.ContainerInstance', 'NotRegistered');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'prov-ok', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(
      linesOf(checklist, TITLES.providers).map((l) => `${l.mark} ${l.text}`),
      ['Microsoft.VirtualMachineImages', 'Microsoft.Compute', 'Microsoft.Storage'].map((ns) => `✓ Resource provider ${ns} is registered.`),
    );
  });

  it('Microsoft.Network is checked when vnetSubnetId is given: not registered -> Failed naming vnetSubnetId', async () => {
    register('Microsoft.Network', 'NotRegistered');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'prov-net-off', { vnetSubnetId: subnetId }));
    assertFailedInPreflight(observed, 'vnetSubnetId', 'az provider register --namespace Microsoft.Network');
  });

  it('Microsoft.Network registered with vnetSubnetId: passed line; ContainerInstance still not checked', async () => {
    register('Microsoft.ContainerInstance', 'NotRegistered');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'prov-net-on', { vnetSubnetId: subnetId, preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    const texts = linesOf(checklist, TITLES.providers).map((l) => l.text);
    assert.ok(texts.includes('Resource provider Microsoft.Network is registered.'), JSON.stringify(texts));
    assert.ok(!texts.some((t) => t.includes('Microsoft.ContainerInstance')), JSON.stringify(texts));
  });

  it('Microsoft.ContainerInstance is checked when containerInstanceSubnetId is given: not registered -> Failed naming containerInstanceSubnetId', async () => {
    register('Microsoft.ContainerInstance', 'NotRegistered');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'prov-aci-off', { vnetSubnetId: subnetId, containerInstanceSubnetId: aciSubnetId }));
    assertFailedInPreflight(observed, 'containerInstanceSubnetId', 'az provider register --namespace Microsoft.ContainerInstance');
  });

  it('Microsoft.ContainerInstance registered with containerInstanceSubnetId: passed line', async () => {
    const observed = await observeRun(
      stage.azure,
      buildInputs(stage, 'prov-aci-on', { vnetSubnetId: subnetId, containerInstanceSubnetId: aciSubnetId, preflightOnly: 'true' }),
    );
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    const texts = linesOf(checklist, TITLES.providers, '✓').map((l) => l.text);
    assert.ok(texts.includes('Resource provider Microsoft.ContainerInstance is registered.'), JSON.stringify(texts));
    assert.ok(texts.includes('Resource provider Microsoft.Network is registered.'), JSON.stringify(texts));
  });

  it('a provider still registering is a warning, not a failure (preflightOnly ends SucceededWithIssues)', async () => {
    register('Microsoft.VirtualMachineImages', 'Registering');
    const observed = await observeRun(stage.azure, buildInputs(stage, 'prov-registering', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    const warned = linesOf(checklist, TITLES.providers, '!');
    assert.equal(warned.length, 1);
    assert.match(warned[0]?.text ?? '', /Microsoft\.VirtualMachineImages is still registering/);
  });
});
