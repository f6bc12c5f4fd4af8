import * as assert from 'node:assert/strict';
import { checkIdentityRights, covers } from '../../shared/preflight/checks/identityRights';
import { artifactsFor, configWith, galleryVersionSource, ids, managedImageSource, managedImageTarget, SUBSCRIPTION } from '../support/configFixtures';
import { fakeReader, lines, ROLES, runCheck, STORAGE_ACCOUNT_ID, TEMPLATE_PRINCIPAL } from './preflightFixtures';

const GALLERY = ids.galleryDefinition.replace(/\/images\/[^/]+$/, '');
const RG_IMAGES = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-images`;

const assigned = (...pairs: Array<[string, { id: string }]>) =>
  fakeReader((w) => (w.roleAssignments[TEMPLATE_PRINCIPAL] = pairs.map(([scope, role]) => ({ scope, roleDefinitionId: role.id }))));

describe('preflight: rights of the template identity', () => {
  it('passes with Contributor on the subscription, listing the scopes it checked', async () => {
    const config = configWith('shell', (c) => (c.source = managedImageSource()));
    assert.deepEqual(lines(await runCheck(checkIdentityRights, config, fakeReader())), [
      `passed: The template identity ${ids.templateIdentity} holds the roles it needs on ${ids.sourceManagedImage}, ${ids.galleryDefinition}.`,
    ]);
  });

  it('fails when the identity may not write image versions into the gallery, naming the actions and the scope', async () => {
    const reader = assigned([RG_IMAGES, ROLES.reader]);
    assert.deepEqual(lines(await runCheck(checkIdentityRights, configWith('shell', () => undefined), reader)), [
      `failed [galleryImageId]: The template identity ${ids.templateIdentity} may not publish to gallery image definition ${ids.galleryDefinition}: it lacks Microsoft.Compute/galleries/images/versions/write. Assign it Contributor on the gallery or its resource group (or a custom role with these actions) and run again.`,
    ]);
  });

  it('fails when the identity may not read the source gallery image version', async () => {
    // Contributor on the target gallery only: the source gallery's version is out of reach.
    const reader = assigned([`${GALLERY}/images/app`, ROLES.contributor]);
    const config = configWith('shell', (c) => (c.source = galleryVersionSource()));
    const found = lines(await runCheck(checkIdentityRights, config, reader));
    assert.deepEqual(found, [
      `failed [galleryImageVersionId]: The template identity ${ids.templateIdentity} may not read the source image ${ids.sourceGalleryVersion}: it lacks Microsoft.Compute/galleries/read, Microsoft.Compute/galleries/images/read, Microsoft.Compute/galleries/images/versions/read. Assign it Reader (or a role with these actions) on the image or its resource group and run again.`,
    ]);
  });

  it('checks the resource group of a managed image target', async () => {
    const reader = assigned([`/subscriptions/${SUBSCRIPTION}`, ROLES.reader]);
    const config = configWith('shell', (c) => (c.distribute = [managedImageTarget()]));
    assert.deepEqual(lines(await runCheck(checkIdentityRights, config, reader)), [
      `failed [imageIdForDistribute]: The template identity ${ids.templateIdentity} may not create managed images in ${RG_IMAGES}: it lacks Microsoft.Compute/images/write, Microsoft.Compute/images/delete. Assign it Contributor on that resource group (or a custom role with these actions) and run again.`,
    ]);
  });

  it('with artifactAccess identity needs Storage Blob Data Reader on the account', async () => {
    const reader = assigned([`/subscriptions/${SUBSCRIPTION}`, ROLES.contributor]);
    const config = configWith('shell', (c) => (c.artifacts = artifactsFor('shell', 'identity')));
    assert.deepEqual(lines(await runCheck(checkIdentityRights, config, reader)), [
      `failed [storageAccountName]: The template identity ${ids.templateIdentity} may not read the artifacts in storage account ${STORAGE_ACCOUNT_ID} (artifactAccess is identity): it lacks Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read. Assign it Storage Blob Data Reader on the account and run again.`,
    ]);
    const withReader = assigned([`/subscriptions/${SUBSCRIPTION}`, ROLES.contributor], [STORAGE_ACCOUNT_ID, ROLES.blobReader]);
    assert.match(lines(await runCheck(checkIdentityRights, config, withReader))[0] ?? '', /^passed: /);
    // With a SAS the identity does not read the blob.
    const sas = configWith('shell', (c) => (c.artifacts = artifactsFor('shell', 'sas')));
    assert.match(lines(await runCheck(checkIdentityRights, sas, reader))[0] ?? '', /^passed: /);
  });

  it('warns that the rights could not be checked when role assignments may not be read', async () => {
    const reader = fakeReader((w) => w.roleAssignmentsForbidden.push(`/subscriptions/${SUBSCRIPTION}`.toLowerCase()));
    assert.deepEqual(lines(await runCheck(checkIdentityRights, configWith('shell', () => undefined), reader)), [
      `warning [managedIdentity]: The rights of the template identity ${ids.templateIdentity} could not be checked: the service connection may not read role assignments at ${ids.galleryDefinition}. Make sure the identity may read the source, write the image and read the artifacts.`,
    ]);
  });

  it('leaves a missing identity (or one without principal) to the identities check', async () => {
    const reader = fakeReader((w) => (w.principalIds = {}));
    assert.deepEqual(await runCheck(checkIdentityRights, configWith('shell', () => undefined), reader), []);
    assert.equal(reader.count('listRoleAssignments'), 0);
  });

  it('an assignment applies at its scope and below, a management group everywhere', () => {
    assert.ok(covers(RG_IMAGES, ids.galleryDefinition));
    assert.ok(covers(`${RG_IMAGES}/`, RG_IMAGES.toUpperCase()));
    assert.ok(!covers(`${RG_IMAGES}2`, ids.galleryDefinition));
    assert.ok(!covers(ids.galleryDefinition, RG_IMAGES));
    assert.ok(covers('/providers/Microsoft.Management/managementGroups/root', ids.galleryDefinition));
    assert.ok(covers('/', ids.galleryDefinition));
  });
});

describe('preflight: rights of the template identity where only some scopes can be read', () => {
  it('reports what it found at the readable scopes and warns about the others', async () => {
    const reader = fakeReader((w) => {
      w.roleAssignments[TEMPLATE_PRINCIPAL] = [{ scope: `/subscriptions/${SUBSCRIPTION}`, roleDefinitionId: ROLES.reader.id }];
      w.roleAssignmentsForbidden.push(ids.sourceManagedImage.toLowerCase());
    });
    const config = configWith('shell', (c) => (c.source = managedImageSource()));
    assert.deepEqual(
      lines(await runCheck(checkIdentityRights, config, reader)).map((l) => l.replace(/:.*/, '')),
      ['failed [galleryImageId]', 'warning [managedIdentity]'],
    );
  });
});
