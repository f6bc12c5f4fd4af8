import * as assert from 'node:assert/strict';
import { compareVersions, newestVersion } from '../../shared/images/versionOrder';

describe('image version order', () => {
  it('compares numerically, segment by segment, not as text', () => {
    assert.equal(compareVersions('1.0.10', '1.0.9'), 1);
    assert.equal(compareVersions('1.0.9', '1.0.10'), -1);
    assert.equal(compareVersions('22.04.202401010', '22.04.202401010'), 0);
    assert.equal(compareVersions('1.2', '1.2.0'), 0, 'a missing segment counts as 0');
  });

  it('picks the newest platform version where $orderby=name desc would not', () => {
    const names = ['24.04.202409090', '24.04.202410100', '24.04.202401010'];
    assert.equal(newestVersion(names), '24.04.202410100');
    assert.equal(newestVersion(['1.0.9', '1.0.10', '1.0.2']), '1.0.10');
    assert.equal(newestVersion([]), undefined);
  });

  it('falls back to text order for non-numeric segments', () => {
    assert.equal(compareVersions('1.0.beta', '1.0.alpha'), 1);
    assert.equal(newestVersion(['2.0.0', '10.0.0-rc']), '10.0.0-rc');
  });
});
