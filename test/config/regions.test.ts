import * as assert from 'node:assert/strict';
import { isRegionName, normalizeRegion } from '../../shared/config/regions';
import { base, expectConfig, messagesOf, parse, ids } from './configFixtures';

describe('regions: names and the display names the location picker returns', () => {
  const same: [string, string][] = [
    ['eastus', 'eastus'],
    ['EastUS', 'eastus'],
    ['East US', 'eastus'],
    ['West Europe', 'westeurope'],
    ['West US 2', 'westus2'],
    ['USGov Virginia', 'usgovvirginia'],
    ['East US 2 EUAP', 'eastus2euap'],
    [' Germany West Central ', 'germanywestcentral'],
  ];
  for (const [given, name] of same) {
    it(`accepts '${given}' as ${name}`, () => {
      assert.equal(isRegionName(given), true);
      assert.equal(normalizeRegion(given), name);
    });
  }

  for (const bad of ['', 'e', 'west-europe', 'west_europe', 'West  Europe', '2eastus', 'east/us', 'x'.repeat(51)]) {
    it(`rejects '${bad}'`, () => assert.equal(isRegionName(bad), false));
  }

  it('builds in the region a display-name location names, and uses it for the managed image', () => {
    const config = expectConfig(parse({ ...base, location: 'West Europe', distributeType: 'managedImage,sharedImageGallery', imageIdForDistribute: ids.managedImageTarget, managedImageLocation: 'North Europe' }));
    assert.equal(config.target.location, 'westeurope');
    const managed = config.distribute.find((d) => d.kind === 'managedImage');
    assert.equal(managed?.kind === 'managedImage' ? managed.location : undefined, 'northeurope');
    const gallery = config.distribute.find((d) => d.kind === 'sharedImageGallery');
    assert.deepEqual(gallery?.kind === 'sharedImageGallery' ? gallery.targetRegions.map((r) => r.name) : undefined, ['westeurope']);
  });

  it('still names the location input when the value is no region', () => {
    assert.deepEqual(messagesOf(parse({ ...base, location: 'West-Europe' })), [
      "Input 'location': expected an Azure region, as a name such as eastus or westeurope or a display name such as East US or West Europe, got 'West-Europe'.",
    ]);
  });
});
