import * as assert from 'node:assert/strict';
import { checkResourceProviders } from '../../shared/preflight/checks/resourceProviders';
import { configWith, fullBuildVm, SUBSCRIPTION } from '../support/configFixtures';
import { fakeReader, lines, runCheck } from './preflightFixtures';

describe('preflight: resource providers', () => {
  it('passes when the providers the build needs are registered, and reads Network only for a private network', async () => {
    const reader = fakeReader();
    const results = await runCheck(checkResourceProviders, configWith('shell', () => undefined), reader);
    assert.deepEqual(lines(results), [
      'passed: Resource provider Microsoft.VirtualMachineImages is registered.',
      'passed: Resource provider Microsoft.Compute is registered.',
      'passed: Resource provider Microsoft.Storage is registered.',
    ]);
    assert.deepEqual(reader.calls.map((c) => c.args[0]), ['Microsoft.VirtualMachineImages', 'Microsoft.Compute', 'Microsoft.Storage']);
  });

  it('fails naming the subnet input and the az command when Network or ContainerInstance is not registered', async () => {
    const reader = fakeReader((w) => {
      w.providers['Microsoft.Network'] = 'NotRegistered';
      delete w.providers['Microsoft.ContainerInstance'];
    });
    const results = await runCheck(checkResourceProviders, configWith('shell', fullBuildVm), reader);
    assert.deepEqual(lines(results).slice(3), [
      `failed [vnetSubnetId]: Resource provider Microsoft.Network is not registered in subscription ${SUBSCRIPTION} (state: NotRegistered). Register it once with \`az provider register --namespace Microsoft.Network --subscription ${SUBSCRIPTION}\` and run again when it reports Registered.`,
      `failed [containerInstanceSubnetId]: Resource provider Microsoft.ContainerInstance is not registered in subscription ${SUBSCRIPTION} (state: NotRegistered). Register it once with \`az provider register --namespace Microsoft.ContainerInstance --subscription ${SUBSCRIPTION}\` and run again when it reports Registered.`,
    ]);
  });

  it('fails for an unregistered Image Builder provider and warns while one is registering', async () => {
    const reader = fakeReader((w) => {
      w.providers['Microsoft.VirtualMachineImages'] = 'Unregistering';
      w.providers['Microsoft.Storage'] = 'Registering';
    });
    const results = await runCheck(checkResourceProviders, configWith('shell', () => undefined), reader);
    assert.deepEqual(lines(results), [
      `failed [azureSubscription]: Resource provider Microsoft.VirtualMachineImages is not registered in subscription ${SUBSCRIPTION} (state: Unregistering). Register it once with \`az provider register --namespace Microsoft.VirtualMachineImages --subscription ${SUBSCRIPTION}\` and run again when it reports Registered.`,
      'passed: Resource provider Microsoft.Compute is registered.',
      `warning [azureSubscription]: Resource provider Microsoft.Storage is still registering in subscription ${SUBSCRIPTION}; the build fails unless it is Registered by the time the build starts. \`az provider show --namespace Microsoft.Storage --subscription ${SUBSCRIPTION} --query registrationState\` shows its state.`,
    ]);
  });
});
