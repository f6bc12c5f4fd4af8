/**
 * The Azurite pool: a released server comes back empty to the next lease of
 * the same account names, other names get a server of their own, and a server
 * that cannot be emptied is stopped rather than handed out.
 */
import * as assert from 'node:assert/strict';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { generateAccountKey, type AzuriteHandle } from '../../testkit/emulators/azurite';
import { leaseAzurite, type LeasedAzurite } from '../../testkit/emulators/azuritePool';
import { isPidAlive } from '../../testkit/emulators/processes';

const clientOf = (azurite: AzuriteHandle, accountName: string) => {
  const account = azurite.accounts.find((a) => a.name === accountName)!;
  return new BlobServiceClient(azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));
};

async function containersOf(azurite: AzuriteHandle): Promise<string[]> {
  const names: string[] = [];
  for (const account of azurite.accounts) {
    for await (const c of clientOf(azurite, account.name).listContainers()) names.push(`${account.name}/${c.name}`);
  }
  return names.sort();
}

describe('Azurite pool', function () {
  this.timeout(60_000);
  // Names of their own, so no other test file of this worker shares these servers.
  const names = { pooltestuser: generateAccountKey(), pooltestlogs: generateAccountKey() };
  const leases: LeasedAzurite[] = [];
  const lease = async (accounts: Record<string, string>) => {
    const l = await leaseAzurite({ accounts });
    leases.push(l);
    return l;
  };
  after(async () => {
    for (const l of leases) await l.azurite.stop();
  });

  it('hands a released server, emptied, to the next lease of the same account names; the same container can be made again at once', async () => {
    const first = await lease(names);
    const container = clientOf(first.azurite, 'pooltestuser').getContainerClient('imagebuilder-artifacts');
    await container.create();
    await container.getBlockBlobClient('run-1/webapp.tar.gz').upload('data', 4);
    await clientOf(first.azurite, 'pooltestlogs').getContainerClient('packerlogs').create();
    assert.deepEqual(await containersOf(first.azurite), ['pooltestlogs/packerlogs', 'pooltestuser/imagebuilder-artifacts']);

    await first.release();
    await first.release(); // a second release is harmless and does not pool the server twice
    const second = await lease(names);
    assert.equal(second.azurite.pid, first.azurite.pid, 'the same server');
    assert.deepEqual(await containersOf(second.azurite), [], 'emptied');
    const again = clientOf(second.azurite, 'pooltestuser').getContainerClient('imagebuilder-artifacts');
    await again.create();
    assert.equal(await again.getBlockBlobClient('run-1/webapp.tar.gz').exists(), false, 'no blob of the earlier lease');

    const third = await lease(names);
    assert.notEqual(third.azurite.pid, second.azurite.pid, 'a server in use is not handed out twice');
  });

  it('other account names get a server of their own; a server that cannot be emptied is stopped, not pooled', async () => {
    const other = await lease({ pooltestother: generateAccountKey() });
    assert.deepEqual(other.azurite.accounts.map((a) => a.name), ['pooltestother']);

    await other.azurite.stop();
    await other.release();
    const next = await lease({ pooltestother: generateAccountKey() });
    assert.notEqual(next.azurite.pid, other.azurite.pid);
    assert.equal(isPidAlive(other.azurite.pid), false);
    assert.equal(isPidAlive(next.azurite.pid), true);
  });
});
