import * as assert from 'node:assert/strict';
import { checkRegions } from '../../shared/preflight/checks/regions';
import { configWith, galleryTarget, managedImageTarget, SUBSCRIPTION } from '../support/configFixtures';
import { fakeReader, lines, runCheck } from './preflightFixtures';

describe('preflight: regions', () => {
  it('passes when the build location and every target region exist in the subscription', async () => {
    const config = configWith('shell', (c) => {
      c.distribute = [galleryTarget({ targetRegions: [{ name: 'westeurope' }, { name: 'northeurope', replicaCount: 2 }] }), managedImageTarget({ location: 'eastus' })];
    });
    assert.deepEqual(lines(await runCheck(checkRegions, config, fakeReader())), ['passed: Regions westeurope, northeurope, eastus exist in the subscription.']);
  });

  it('fails naming the input of each region the subscription does not have', async () => {
    const config = configWith('shell', (c) => {
      c.distribute = [galleryTarget({ targetRegions: [{ name: 'westeurope' }, { name: 'westeurop' }] }), managedImageTarget({ location: 'mars' })];
    });
    assert.deepEqual(lines(await runCheck(checkRegions, config, fakeReader())), [
      `failed [replicationRegions]: 'westeurop' (replicationRegions) is not a region of subscription ${SUBSCRIPTION}. \`az account list-locations --query "[].name" -o tsv\` lists the valid names.`,
      `failed [managedImageLocation]: 'mars' (managedImageLocation) is not a region of subscription ${SUBSCRIPTION}. \`az account list-locations --query "[].name" -o tsv\` lists the valid names.`,
    ]);
  });
});
