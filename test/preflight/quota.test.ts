import * as assert from 'node:assert/strict';
import { checkQuota, DEFAULT_BUILD_VM_SIZE } from '../../shared/preflight/checks/quota';
import type { ComputeUsage } from '../../shared/preflight/types';
import { configWith, ids, LOCATION, managedImageSource } from '../support/configFixtures';
import { fakeReader, lines, runCheck } from './preflightFixtures';

const setUsage = (usages: ComputeUsage[], name: string, currentValue: number, limit: number) => {
  const u = usages.find((x) => x.name === name);
  assert.ok(u, name);
  Object.assign(u, { currentValue, limit });
};

describe('preflight: build VM size and vCPU quota', () => {
  const sized = (vmSize?: string, vnet?: { subnetId: string; containerInstanceSubnetId?: string; proxyVmSize?: string }) =>
    configWith('shell', (c) => {
      if (vmSize) c.buildVm.vmSize = vmSize;
      if (vnet) c.buildVm.vnet = vnet;
    });

  it('passes with enough regional and family quota, naming the sizes and vCPUs', async () => {
    assert.deepEqual(lines(await runCheck(checkQuota, sized('Standard_D4s_v5'), fakeReader())), [
      `passed: The build VMs Standard_D4s_v5 (4 vCPUs) fit the vCPU quota in ${LOCATION} (4 needed, 90 free in the region).`,
    ]);
  });

  it('uses the service default size of the source generation when vmSize is empty', async () => {
    // The Ubuntu source of the fixtures is generation 2.
    assert.match(lines(await runCheck(checkQuota, sized(), fakeReader()))[0] ?? '', new RegExp(`^passed: The build VMs ${DEFAULT_BUILD_VM_SIZE.V2} \\(2 vCPUs\\)`));
    const gen1 = configWith('shell', (c) => (c.source = managedImageSource()));
    const reader = fakeReader((w) => (w.managedImages[0]!.hyperVGeneration = 'V1'));
    assert.match(lines(await runCheck(checkQuota, gen1, reader))[0] ?? '', new RegExp(`^passed: The build VMs ${DEFAULT_BUILD_VM_SIZE.V1} \\(1 vCPU\\)`));
  });

  it('counts the proxy VM (Standard_A1_v2 by default) when a subnet is used without a container instance', async () => {
    const [line] = lines(await runCheck(checkQuota, sized('Standard_D4s_v5', { subnetId: ids.subnet }), fakeReader()));
    assert.match(line ?? '', /Standard_D4s_v5 \(4 vCPUs\), Standard_A1_v2 \(1 vCPU\) fit the vCPU quota .* \(5 needed/);
    const [withAci] = lines(await runCheck(checkQuota, sized('Standard_D4s_v5', { subnetId: ids.subnet, containerInstanceSubnetId: ids.aciSubnet }), fakeReader()));
    assert.doesNotMatch(withAci ?? '', /Standard_A1_v2/);
  });

  it('fails when the region has too few free vCPUs, saying what is needed and what is free', async () => {
    const reader = fakeReader((w) => setUsage(w.usages[LOCATION]!, 'cores', 97, 100));
    assert.deepEqual(lines(await runCheck(checkQuota, sized('Standard_D4s_v5'), reader)), [
      `failed [vmSize]: The region ${LOCATION} has too little vCPU quota for the build: it needs 4 vCPUs, 3 are free (limit 100) for Standard_D4s_v5 (4 vCPUs). Free vCPUs in the region or request a higher Total Regional vCPUs quota.`,
    ]);
  });

  it('fails when the family has too few free vCPUs, naming the family', async () => {
    const reader = fakeReader((w) => setUsage(w.usages[LOCATION]!, 'standardDSv5Family', 8, 10));
    assert.deepEqual(lines(await runCheck(checkQuota, sized('Standard_D4s_v5'), reader)), [
      `failed [vmSize]: VM family standardDSv5Family in ${LOCATION} has too little vCPU quota for the build: it needs 4 vCPUs, 2 are free (limit 10) for Standard_D4s_v5 (4 vCPUs). Request more quota for that family, or choose a size of another family.`,
    ]);
  });

  it('names the proxy VM size when its family is short', async () => {
    const reader = fakeReader((w) => setUsage(w.usages[LOCATION]!, 'standardAv2Family', 0, 0));
    const [line] = lines(await runCheck(checkQuota, sized('Standard_D4s_v5', { subnetId: ids.subnet }), reader));
    assert.match(line ?? '', /^failed \[proxyVmSize\]: VM family standardAv2Family .* needs 1 vCPUs, 0 are free \(limit 0\) for Standard_A1_v2/);
  });

  it('fails for a size the region does not offer, naming size and region', async () => {
    assert.deepEqual(lines(await runCheck(checkQuota, sized('Standard_NC96ads_A100_v4'), fakeReader())), [
      `failed [vmSize]: VM size Standard_NC96ads_A100_v4 is not offered in ${LOCATION}. Choose a size the region offers (\`az vm list-skus --location <region> --resource-type virtualMachines -o table\`) and set vmSize.`,
    ]);
  });

  it('fails for a size restricted for the subscription', async () => {
    const reader = fakeReader((w) => (w.vmSizes[LOCATION]!.find((s) => s.name === 'Standard_D4s_v5')!.locationRestrictions = ['NotAvailableForSubscription']));
    assert.deepEqual(lines(await runCheck(checkQuota, sized('standard_d4s_v5'), reader)), [
      `failed [vmSize]: VM size standard_d4s_v5 is restricted in ${LOCATION} for this subscription (NotAvailableForSubscription). Choose another size for vmSize, or ask Azure support to enable it.`,
    ]);
  });
});
