import * as assert from 'node:assert/strict';
import type { StorageAccountSeed } from '../../testkit/emulators/arm/types';
import { assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, TITLES, warningsOf } from './support';
import { startStage, type Stage } from '../e2e/stage';

/** Titles of the checks this file is about (the others are in support.ts). */
const STORAGE = 'Artifact storage';

/**
 * The artifact storage account locked down the ways enterprises do it: no
 * shared key access, a firewall that denies by default, no public network
 * access. The ARM stand-in reports the account's settings (Azurite itself
 * does not enforce them), so each shape is caught by preflight alone, in
 * seconds, before anything is uploaded or created.
 */
describe('e2e preflight: locked-down artifact storage', function () {
  this.timeout(120_000);
  let stage: Stage;
  let accountId: string;
  let subnetId: string;

  const account = (seed: Omit<StorageAccountSeed, 'id'>) => stage.azure.arm.seed({ storageAccounts: [{ id: accountId, ...seed }] });

  before(async () => {
    stage = await startStage();
    const rg = `/subscriptions/${stage.world.subscriptionId}/resourceGroups/${stage.world.resourceGroup}`;
    accountId = `${rg}/providers/Microsoft.Storage/storageAccounts/${stage.world.storageAccountName}`;
    subnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/build-vnet/subnets/build`;
  });
  afterEach(() => {
    account({});
    stage.azure.arm.seed({ permissions: [{ scope: accountId, actions: ['*'], dataActions: ['*'] }] });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('shared key access disabled, the connection holds a Blob data role: passes, signing with a user delegation key', async () => {
    account({ allowSharedKeyAccess: false });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'sk-off-role', { artifactAccess: 'sas', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    const name = stage.world.storageAccountName;
    assert.ok(
      linesOf(checklist, TITLES.permissions, '✓').some((l) => l.text === `The service connection may upload to storage account ${name} and sign the artifact link with a user delegation key.`),
      JSON.stringify(checklist.lines),
    );
    assert.deepEqual(
      linesOf(checklist, STORAGE).map((l) => `${l.mark} ${l.text}`),
      [
        `✓ Storage account ${name} does not allow shared key access: the task uploads with the service connection's token and signs the artifact link with a user delegation key, never with an account key.`,
        `✓ Storage account ${name} accepts connections from public networks.`,
      ],
    );
  });

  it('shared key access disabled, the connection may only list keys: Failed naming the role and the scope, nothing uploaded', async () => {
    account({ allowSharedKeyAccess: false });
    stage.azure.arm.seed({ permissions: [{ scope: accountId, actions: ['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/listKeys/action'] }] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'sk-off-norole', { artifactAccess: 'sas' }));
    const error = assertFailedInPreflight(observed, 'storageAccountName', `Storage account ${stage.world.storageAccountName} does not allow shared key access`);
    assert.ok(error.includes(`Storage Blob Data Contributor (or Storage Blob Data Owner) at ${accountId} or above`), error);
    assert.ok(error.includes('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'), error);
  });

  it('denies by default with the build subnet listed: warns about the agent only, the subnet passes', async () => {
    account({ networkAcls: { defaultAction: 'Deny', virtualNetworkRules: [subnetId], ipRules: ['203.0.113.7'] } });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'deny-listed', { vnetSubnetId: subnetId, preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    const name = stage.world.storageAccountName;
    assert.deepEqual(
      linesOf(checklist, STORAGE).map((l) => l.mark),
      ['!', '✓'],
    );
    assert.equal(linesOf(checklist, STORAGE, '✓')[0]?.text, `Storage account ${name} allows the build subnet ${subnetId}.`);
    const warnings = warningsOf(observed.run);
    assert.ok(
      warnings.some((w) => w.startsWith("Input 'storageAccountName': ") && w.includes('allows only the IP addresses 203.0.113.7') && w.includes('self-hosted agent')),
      JSON.stringify(warnings),
    );
  });

  it('denies by default with the build subnet not listed: warns naming the subnet and what to add', async () => {
    account({ networkAcls: { defaultAction: 'Deny', virtualNetworkRules: [`${subnetId}-other`] } });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'deny-unlisted', { vnetSubnetId: subnetId, preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    assert.deepEqual(linesOf(checklist, STORAGE).map((l) => l.mark), ['!', '!']);
    const warnings = warningsOf(observed.run);
    assert.ok(
      warnings.some((w) => w.startsWith("Input 'vnetSubnetId': ") && w.includes(`the build subnet ${subnetId} is not among its virtual network rules`) && w.includes('Add the subnet')),
      JSON.stringify(warnings),
    );
    assert.ok(warnings.some((w) => w.includes('allows no IP address') && w.includes('self-hosted agent')), JSON.stringify(warnings));
  });

  it('denies by default and the build uses no subnet: warns that the build VM is outside any allowed network', async () => {
    account({ networkAcls: { defaultAction: 'Deny', virtualNetworkRules: [subnetId] } });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'deny-nosubnet', { preflightOnly: 'true' }));
    assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    const warnings = warningsOf(observed.run);
    assert.ok(
      warnings.some((w) => w.startsWith("Input 'vnetSubnetId': ") && w.includes('the build VM runs outside any network the account allows')),
      JSON.stringify(warnings),
    );
  });

  it('public network access disabled: warns that only private endpoints reach it, for the agent and the build VM', async () => {
    account({ publicNetworkAccess: 'Disabled' });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'private-only', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    assert.deepEqual(linesOf(checklist, STORAGE).map((l) => l.mark), ['!', '!']);
    const warnings = warningsOf(observed.run);
    assert.ok(warnings.some((w) => w.includes('has public network access disabled') && w.includes('This agent must run in a network with a private endpoint')), JSON.stringify(warnings));
    assert.ok(warnings.some((w) => w.startsWith("Input 'vnetSubnetId': ") && w.includes('Set vnetSubnetId to a subnet that reaches a private endpoint')), JSON.stringify(warnings));
  });
});
