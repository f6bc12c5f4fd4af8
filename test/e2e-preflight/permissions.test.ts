import * as assert from 'node:assert/strict';
import type { PermissionSeed } from '../../testkit/emulators/arm/types';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, requireChecklist } from './support';
import { startStage, type Stage } from '../e2e/stage';

/**
 * What the service connection may do, as Microsoft.Authorization/permissions
 * answers it. The ARM stand-in answers per scope (the most specific seeded
 * scope at or above the one asked about) for whoever asks; the service
 * connection is the only caller of a task run, so seeding a scope is seeding
 * the connection's rights there.
 */
describe('e2e preflight: permissions of the service connection', function () {
  this.timeout(120_000);
  let stage: Stage;
  let rgScope: string;
  let storageScope: string;

  const FULL = { actions: ['*'], notActions: [], dataActions: ['*'], notDataActions: [] };
  const grant = (...seeds: PermissionSeed[]) => stage.azure.arm.seed({ permissions: seeds });

  before(async () => {
    stage = await startStage();
    rgScope = `/subscriptions/${stage.world.subscriptionId}/resourceGroups/${stage.world.resourceGroup}`;
    storageScope = `${rgScope}/providers/Microsoft.Storage/storageAccounts/${stage.world.storageAccountName}`;
  });
  afterEach(() => {
    grant({ scope: rgScope, ...FULL }, { scope: storageScope, ...FULL }, { scope: stage.world.identityId, ...FULL });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('full rights: templates, identity assignment and artifact upload with a delegation-signed link all pass', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-ok', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    const { resourceGroup, identityId, storageAccountName } = stage.world;
    assert.deepEqual(
      linesOf(checklist, TITLES.permissions).map((l) => `${l.mark} ${l.text}`),
      [
        `✓ The service connection may create, run and delete image templates in resource group ${resourceGroup}.`,
        `✓ The service connection may assign identity ${identityId} to the template.`,
        `✓ The service connection may upload to storage account ${storageAccountName} and sign the artifact link with a user delegation key.`,
      ],
    );
  });

  it('no imageTemplates/write at the resource group: Failed with the missing action, nothing created', async () => {
    grant({ scope: rgScope, actions: ['*'], notActions: ['Microsoft.VirtualMachineImages/imageTemplates/write'], dataActions: ['*'] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-no-write'));
    const error = assertFailedInPreflight(
      observed,
      'azureSubscription',
      `The service connection may not manage image templates in resource group ${stage.world.resourceGroup}: it lacks Microsoft.VirtualMachineImages/imageTemplates/write.`,
    );
    assert.ok(!error.includes('imageTemplates/delete'), `only the missing action is named: ${error}`);
    const checklist = requireChecklist(observed.run);
    assert.deepEqual(linesOf(checklist, TITLES.permissions).map((l) => l.mark), ['✗', '✓', '✓'], 'identity and storage rights are still there');
  });

  it('Reader at the resource group: Failed listing every template action it lacks', async () => {
    grant({ scope: rgScope, actions: ['*/read'] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-reader'));
    assertFailedInPreflight(
      observed,
      'azureSubscription',
      'it lacks Microsoft.VirtualMachineImages/imageTemplates/write, Microsoft.VirtualMachineImages/imageTemplates/run/action, Microsoft.VirtualMachineImages/imageTemplates/delete.',
    );
  });

  it('may not assign the template identity: Failed naming managedIdentity', async () => {
    grant({ scope: stage.world.identityId, actions: ['Microsoft.ManagedIdentity/userAssignedIdentities/read'] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-no-assign'));
    assertFailedInPreflight(observed, 'managedIdentity', 'it lacks Microsoft.ManagedIdentity/userAssignedIdentities/assign/action');
  });

  it('artifactAccess sas without listKeys and without blob data rights: Failed naming storageAccountName', async () => {
    grant({ scope: storageScope, actions: ['Microsoft.Storage/storageAccounts/read'] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-sas-none', { artifactAccess: 'sas' }));
    const error = assertFailedInPreflight(
      observed,
      'storageAccountName',
      `The service connection can neither read the keys of storage account ${stage.world.storageAccountName} nor upload and sign with its own token`,
    );
    assert.ok(error.includes('Microsoft.Storage/storageAccounts/listKeys/action'), error);
  });

  it('artifactAccess sas with listKeys only: passed, by account key', async () => {
    grant({ scope: storageScope, actions: ['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/listKeys/action'] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-sas-key', { artifactAccess: 'sas', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    const texts = linesOf(checklist, TITLES.permissions, '✓').map((l) => l.text);
    assert.ok(texts.includes(`The service connection may read the keys of storage account ${stage.world.storageAccountName} to upload and sign the artifacts.`), JSON.stringify(texts));
  });

  it('artifactAccess identity without listKeys and without blob write: Failed naming storageAccountName', async () => {
    grant({ scope: storageScope, actions: ['Microsoft.Storage/storageAccounts/read'], dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-id-none', { artifactAccess: 'identity' }));
    assertFailedInPreflight(observed, 'storageAccountName', `can neither read the keys of storage account ${stage.world.storageAccountName} nor write its blobs`);
  });

  it('artifactAccess identity with blob write: passed, by its own token', async () => {
    // Reading role assignments lets preflight check the template identity's own Blob data role too.
    grant({
      scope: storageScope,
      actions: ['Microsoft.Storage/storageAccounts/read', 'Microsoft.Authorization/roleAssignments/read'],
      dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
    });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-id-token', { artifactAccess: 'identity', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    const texts = linesOf(checklist, TITLES.permissions, '✓').map((l) => l.text);
    assert.ok(texts.includes(`The service connection may upload to storage account ${stage.world.storageAccountName} with its own token.`), JSON.stringify(texts));
  });

  it('a storage account the subscription does not have: Failed naming storageAccountName', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'perm-no-account', { storageAccountName: 'nosuchaccount' }));
    assertFailedInPreflight(observed, 'storageAccountName', `Storage account nosuchaccount is not in subscription ${stage.world.subscriptionId}`);
  });
});
