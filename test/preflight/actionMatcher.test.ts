import * as assert from 'node:assert/strict';
import { isActionAllowed, isDataActionAllowed, matchesActionPattern } from '../../shared/preflight/actionMatcher';
import type { PermissionSet } from '../../shared/preflight/types';

const set = (actions: string[], notActions: string[] = [], dataActions: string[] = [], notDataActions: string[] = []): PermissionSet => ({
  actions,
  notActions,
  dataActions,
  notDataActions,
});

describe('RBAC action matching', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', 'Microsoft.VirtualMachineImages/imageTemplates/write', true],
    ['Microsoft.VirtualMachineImages/*', 'Microsoft.VirtualMachineImages/imageTemplates/run/action', true],
    ['Microsoft.VirtualMachineImages/imageTemplates/*', 'Microsoft.VirtualMachineImages/imageTemplates/write', true],
    ['*/read', 'Microsoft.Compute/images/read', true],
    ['*/read', 'Microsoft.Compute/images/write', false],
    ['Microsoft.Compute/*/read', 'Microsoft.Compute/galleries/images/versions/read', true],
    ['microsoft.virtualmachineimages/IMAGETEMPLATES/write', 'Microsoft.VirtualMachineImages/imageTemplates/write', true],
    ['Microsoft.VirtualMachineImages/imageTemplates/write', 'Microsoft.VirtualMachineImages/imageTemplates/writeX', false],
    ['Microsoft.VirtualMachineImages/imageTemplates/write', 'Microsoft.VirtualMachineImages/imageTemplates', false],
    // A dot in a pattern is a dot, not "any character".
    ['Microsoft.Storage/*', 'MicrosoftXStorage/storageAccounts/listKeys/action', false],
    ['Microsoft.Storage/storageAccounts/*/action', 'Microsoft.Storage/storageAccounts/listKeys/action', true],
  ];
  for (const [pattern, operation, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${operation}`, () => {
      assert.equal(matchesActionPattern(pattern, operation), expected);
    });
  }

  it('lets notActions of a role remove only from that role', () => {
    const write = 'Microsoft.VirtualMachineImages/imageTemplates/write';
    assert.equal(isActionAllowed([set(['*'], ['Microsoft.VirtualMachineImages/*'])], write), false);
    assert.equal(isActionAllowed([set(['*'], ['Microsoft.VirtualMachineImages/*']), set(['Microsoft.VirtualMachineImages/imageTemplates/*'])], write), true);
    assert.equal(isActionAllowed([], write), false);
  });

  it('keeps control-plane actions and data actions apart', () => {
    const blobRead = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
    assert.equal(isDataActionAllowed([set(['*'])], blobRead), false);
    assert.equal(isDataActionAllowed([set([], [], ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'])], blobRead), true);
    assert.equal(isDataActionAllowed([set([], [], ['*'], ['*/blobs/read'])], blobRead), false);
    assert.equal(isActionAllowed([set([], [], ['*'])], 'Microsoft.Storage/storageAccounts/listKeys/action'), false);
  });
});
