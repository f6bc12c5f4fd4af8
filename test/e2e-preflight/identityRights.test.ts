import * as assert from 'node:assert/strict';
import type { RoleAssignmentSeed } from '../../testkit/emulators/arm/types';
import { assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, linesOf, observeRun, warningsOf } from './support';
import { startStage, type Stage } from '../e2e/stage';

const RIGHTS = 'Rights of the template identity';

/**
 * What the template's identity may do, read from its role assignments and
 * their role definitions. The stand-in gives a principal without seeded
 * assignments Contributor and Storage Blob Data Reader on the subscription;
 * seeding assignments for it makes those its only ones.
 */
describe('e2e preflight: rights of the template identity', function () {
  this.timeout(120_000);
  let stage: Stage;
  let principalId: string;
  let sub: string;
  let rgScope: string;
  let storageScope: string;

  const assign = (...roles: Array<[scope: string, role: string]>) =>
    stage.azure.arm.seed({ roleAssignments: roles.map(([scope, role]): RoleAssignmentSeed => ({ principalId, scope, role })) });

  before(async () => {
    stage = await startStage();
    principalId = stage.azure.scenario.userAssignedIdentity.principalId;
    sub = `/subscriptions/${stage.world.subscriptionId}`;
    rgScope = `${sub}/resourceGroups/${stage.world.resourceGroup}`;
    storageScope = `${rgScope}/providers/Microsoft.Storage/storageAccounts/${stage.world.storageAccountName}`;
  });
  afterEach(() => {
    assign([sub, 'Contributor'], [sub, 'Storage Blob Data Reader']);
    stage.azure.arm.seed({ permissions: [{ scope: rgScope, actions: ['*'], dataActions: ['*'] }] });
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('Contributor and Storage Blob Data Reader on the subscription: passes, naming what it checked', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'rights-ok', { artifactAccess: 'identity', preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.deepEqual(
      linesOf(checklist, RIGHTS).map((l) => `${l.mark} ${l.text}`),
      [`✓ The template identity ${stage.world.identityId} holds the roles it needs on ${stage.world.linuxGalleryImageId}, ${storageScope}.`],
    );
  });

  it('Reader only: Failed naming galleryImageId and the missing write, nothing created', async () => {
    assign([sub, 'Reader']);
    const observed = await observeRun(stage.azure, buildInputs(stage, 'rights-reader'));
    const error = assertFailedInPreflight(observed, 'galleryImageId', `may not publish to gallery image definition ${stage.world.linuxGalleryImageId}: it lacks Microsoft.Compute/galleries/images/versions/write.`);
    assert.match(error, /Assign it Contributor on the gallery/);
  });

  it('no read on the source managed image: Failed naming managedImageId', async () => {
    // Contributor on the target gallery only.
    assign([stage.world.linuxGalleryImageId.replace(/\/images\/[^/]+$/, ''), 'Contributor']);
    const observed = await observeRun(stage.azure, buildInputs(stage, 'rights-source', { sourceType: 'managedImage', managedImageId: stage.world.managedImageId }));
    assertFailedInPreflight(observed, 'managedImageId', `may not read the source image ${stage.world.managedImageId}: it lacks Microsoft.Compute/images/read.`);
  });

  it('artifactAccess identity without a Blob data role: Failed naming storageAccountName and Storage Blob Data Reader', async () => {
    assign([sub, 'Contributor']);
    const observed = await observeRun(stage.azure, buildInputs(stage, 'rights-blob', { artifactAccess: 'identity' }));
    const error = assertFailedInPreflight(observed, 'storageAccountName', `may not read the artifacts in storage account ${storageScope} (artifactAccess is identity)`);
    assert.match(error, /Assign it Storage Blob Data Reader on the account/);
  });

  it('the connection may not read role assignments: warns that the identity could not be checked, and goes on', async () => {
    stage.azure.arm.seed({ permissions: [{ scope: rgScope, actions: ['*'], notActions: ['Microsoft.Authorization/roleAssignments/read'], dataActions: ['*'] }] });
    const observed = await observeRun(stage.azure, buildInputs(stage, 'rights-unreadable', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    assert.deepEqual(linesOf(checklist, RIGHTS).map((l) => l.mark), ['!']);
    assert.ok(
      warningsOf(observed.run).some((w) => w.startsWith("Input 'managedIdentity': ") && w.includes(`The rights of the template identity ${stage.world.identityId} could not be checked`)),
      JSON.stringify(warningsOf(observed.run)),
    );
  });

  describe('the gallery region among the replication regions', () => {
    let farGalleryImage: string;
    before(() => {
      const gallery = `${rgScope}/providers/Microsoft.Compute/galleries/farGallery`;
      farGalleryImage = `${gallery}/images/app-linux`;
      stage.azure.arm.seed({
        galleries: [{ id: gallery, location: 'northeurope' }],
        galleryImages: [{ id: farGalleryImage, location: 'northeurope', osType: 'Linux', hyperVGeneration: 'V2' }],
      });
    });

    it('a gallery in another region than the replication regions: Failed naming both', async () => {
      const observed = await observeRun(stage.azure, buildInputs(stage, 'gal-region', { galleryImageId: farGalleryImage }));
      assertFailedInPreflight(
        observed,
        'replicationRegions',
        `Gallery ${farGalleryImage.replace(/\/images\/[^/]+$/, '')} is in northeurope, but replicationRegions (${stage.world.location}) does not include it`,
      );
    });

    it('replicated to the gallery region too: passes', async () => {
      const observed = await observeRun(
        stage.azure,
        buildInputs(stage, 'gal-region-ok', { galleryImageId: farGalleryImage, replicationRegions: `${stage.world.location}\nnortheurope`, preflightOnly: 'true' }),
      );
      const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
      assert.ok(
        linesOf(checklist, 'Gallery region', '✓').some((l) => l.text.includes('is replicated to the region of gallery') && l.text.includes('northeurope')),
        JSON.stringify(checklist.lines),
      );
    });
  });
});
