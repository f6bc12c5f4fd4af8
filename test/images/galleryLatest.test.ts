import * as assert from 'node:assert/strict';
import { definitionOfLatest, latestGalleryVersion } from '../../shared/images/galleryLatest';

describe('latestGalleryVersion', () => {
  it('takes the highest version number, compared numerically, among those that may stand for latest', () => {
    const versions = [
      { name: '1.9.0', provisioningState: 'Succeeded' },
      { name: '1.10.0', provisioningState: 'Succeeded' },
      { name: '2.0.0', provisioningState: 'Succeeded', excludeFromLatest: true },
      { name: '1.11.0', provisioningState: 'Creating' },
      { name: '1.12.0', provisioningState: 'Failed' },
      { name: '1.13.0', provisioningState: 'Succeeded', regions: ['East US'] },
    ];
    assert.equal(latestGalleryVersion(versions, 'westeurope'), '1.10.0');
    // A replica in the build region counts, whatever the spelling of the region.
    assert.equal(latestGalleryVersion(versions, 'eastus'), '1.13.0');
  });

  it('counts a version listed without a state, and finds nothing in an empty or all-excluded list', () => {
    assert.equal(latestGalleryVersion([{ name: '0.0.1' }], 'westeurope'), '0.0.1');
    assert.equal(latestGalleryVersion([], 'westeurope'), undefined);
    assert.equal(latestGalleryVersion([{ name: '1.0.0', excludeFromLatest: true }], 'westeurope'), undefined);
  });

  it('reads the definition out of a .../versions/latest id only', () => {
    const def = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d';
    assert.equal(definitionOfLatest(`${def}/versions/latest`), def);
    assert.equal(definitionOfLatest(`${def}/versions/LATEST`), def);
    assert.equal(definitionOfLatest(`${def}/versions/1.0.0`), undefined);
  });
});
