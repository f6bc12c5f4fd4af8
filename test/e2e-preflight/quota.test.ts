import * as assert from 'node:assert/strict';
import type { ComputeUsageSeed } from '../../testkit/emulators/arm/types';
import { assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun } from './support';
import { startStage, type Stage } from '../e2e/stage';

const QUOTA = 'Build VM size and quota';

/**
 * vCPU quota and VM sizes as Compute usages and the resource SKU list
 * report them. The stand-in offers a catalog of common sizes everywhere with
 * ample quota; each scenario narrows one thing.
 */
describe('e2e preflight: build VM size and vCPU quota', function () {
  this.timeout(120_000);
  let stage: Stage;
  let location: string;
  const usage = (name: string, currentValue: number, limit: number): ComputeUsageSeed => ({ location, name, currentValue, limit });

  before(async () => {
    stage = await startStage();
    location = stage.world.location;
  });
  afterEach(() => {
    stage.azure.arm.seed({
      computeUsages: ['cores', 'standardDSv5Family', 'standardDDSv4Family'].map((name) => usage(name, 0, 350)),
      vmSkus: [{ name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCpus: 4 }],
    });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('enough regional and family quota: passes naming the size and what is free', async () => {
    stage.azure.arm.seed({ computeUsages: [usage('cores', 20, 100)] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'quota-ok', { vmSize: 'Standard_D4s_v5', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(
      linesOf(checklist, QUOTA).map((l) => `${l.mark} ${l.text}`),
      [`✓ The build VMs Standard_D4s_v5 (4 vCPUs) fit the vCPU quota in ${location} (4 needed, 80 free in the region).`],
    );
  });

  it('too little regional quota: Failed naming what is needed and what is free, nothing created', async () => {
    stage.azure.arm.seed({ computeUsages: [usage('cores', 98, 100)] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'quota-region', { vmSize: 'Standard_D4s_v5' }));
    assertFailedInPreflight(observed, 'vmSize', `The region ${location} has too little vCPU quota for the build: it needs 4 vCPUs, 2 are free (limit 100)`);
  });

  it('too little family quota: Failed naming the family', async () => {
    stage.azure.arm.seed({ computeUsages: [usage('standardDSv5Family', 10, 12)] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'quota-family', { vmSize: 'Standard_D4s_v5' }));
    assertFailedInPreflight(observed, 'vmSize', `VM family standardDSv5Family in ${location} has too little vCPU quota for the build: it needs 4 vCPUs, 2 are free (limit 12)`);
  });

  it('the default build size of a Gen2 source counts when vmSize is empty', async () => {
    stage.azure.arm.seed({ computeUsages: [usage('standardDDSv4Family', 0, 1)] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'quota-default'));
    assertFailedInPreflight(observed, 'vmSize', 'VM family standardDDSv4Family');
  });

  it('a size the region does not offer: Failed naming size and region', async () => {
    stage.azure.arm.seed({ vmSkus: [{ name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCpus: 4, locations: ['southindia'] }] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'size-absent', { vmSize: 'Standard_D4s_v5' }));
    assertFailedInPreflight(observed, 'vmSize', `VM size Standard_D4s_v5 is not offered in ${location}.`);
  });

  it('a size restricted for the subscription: Failed naming size, region and reason', async () => {
    stage.azure.arm.seed({ vmSkus: [{ name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCpus: 4, restrictedLocations: [location] }] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'size-restricted', { vmSize: 'Standard_D4s_v5' }));
    assertFailedInPreflight(observed, 'vmSize', `VM size Standard_D4s_v5 is restricted in ${location} for this subscription (NotAvailableForSubscription).`);
  });
});
