import * as assert from 'node:assert/strict';
import { checkIdentities } from '../../shared/preflight/checks/identities';
import { configWith, fullBuildVm, ids } from '../support/configFixtures';
import { fakeReader, lines, runCheck } from './preflightFixtures';

describe('preflight: identities', () => {
  it('passes when the template identity and every build VM identity exist', async () => {
    const results = await runCheck(checkIdentities, configWith('shell', fullBuildVm), fakeReader());
    assert.deepEqual(lines(results), [
      `passed: Identity ${ids.templateIdentity} exists.`,
      `passed: Identity ${ids.buildVmIdentity} exists.`,
      `passed: Identity ${ids.secondBuildVmIdentity} exists.`,
    ]);
  });

  it('fails naming the input of each identity that does not exist', async () => {
    const reader = fakeReader((w) => {
      w.identities = [ids.buildVmIdentity];
    });
    const results = await runCheck(checkIdentities, configWith('shell', fullBuildVm), reader);
    assert.deepEqual(lines(results), [
      `failed [managedIdentity]: The user-assigned identity ${ids.templateIdentity} does not exist, or the service connection may not read it. Create it or correct managedIdentity.`,
      `passed: Identity ${ids.buildVmIdentity} exists.`,
      `failed [buildVmIdentities]: The user-assigned identity ${ids.secondBuildVmIdentity} does not exist, or the service connection may not read it. Create it or correct buildVmIdentities.`,
    ]);
  });
});
