import * as assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import {
  AccountSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { ClientSecretCredential } from '@azure/identity';
import { startAzurite, type AzuriteHandle } from '../../testkit/emulators/azurite';
import { startEntraEmulator, type EntraEmulator } from '../../testkit/emulators/entra/index';
import { isPidAlive } from '../../testkit/emulators/processes';
import { getTestTls } from '../../testkit/emulators/tls';

describe('Azurite over HTTPS with OAuth', function () {
  let azurite: AzuriteHandle;
  let entra: EntraEmulator;

  before(async function () {
    [azurite, entra] = await Promise.all([startAzurite(), startEntraEmulator({ tls: getTestTls() })]);
  });
  after(async function () {
    await Promise.all([azurite?.stop(), entra?.stop()]);
  });

  const sharedKeyClient = (account = azurite.userAccount) =>
    new BlobServiceClient(azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));

  it('serves a user and a staging account on 127.0.0.1 over https, path style', function () {
    assert.deepEqual(azurite.accounts.map((a) => a.name), ['ibartifacts', 'ibstaging']);
    assert.equal(azurite.userAccount.name, 'ibartifacts');
    assert.equal(azurite.stagingAccount.name, 'ibstaging');
    assert.equal(Buffer.from(azurite.userAccount.key, 'base64').length, 64);
    assert.equal(azurite.url('ibstaging'), `https://127.0.0.1:${azurite.port}/ibstaging`);
  });

  it('works with shared key, and each account only with its own key', async function () {
    const container = sharedKeyClient().getContainerClient(`c${randomUUID().slice(0, 8)}`);
    await container.create();
    const data = randomBytes(300_000);
    await container.getBlockBlobClient('a/b.bin').uploadData(data);
    const back = await container.getBlockBlobClient('a/b.bin').downloadToBuffer();
    assert.ok(back.equals(data));
    const wrongKey = new BlobServiceClient(azurite.url(azurite.stagingAccount.name), new StorageSharedKeyCredential(azurite.stagingAccount.name, azurite.userAccount.key));
    await assert.rejects(wrongKey.getContainerClient('nope').create(), (err: { statusCode?: number; message?: string }) => {
      // Azure answers 403 AuthenticationFailed; Azurite with --oauth answers 400 for a signature it cannot match.
      assert.ok(err.statusCode === 403 || err.statusCode === 400, err.message);
      return true;
    });
  });

  it('serves a blob through an account SAS and refuses it without one', async function () {
    const account = azurite.stagingAccount;
    const container = sharedKeyClient(account).getContainerClient('packerlogs');
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient('run/customization.log');
    const text = 'PACKER OUT hello\n';
    await blob.upload(text, Buffer.byteLength(text));
    const sas = generateAccountSASQueryParameters(
      { permissions: AccountSASPermissions.parse('r'), resourceTypes: 'sco', services: 'b', expiresOn: new Date(Date.now() + 600_000) },
      new StorageSharedKeyCredential(account.name, account.key),
    ).toString();
    const ok = await fetch(`${blob.url}?${sas}`);
    assert.equal(ok.status, 200);
    assert.equal(createHash('sha256').update(await ok.text()).digest('hex'), createHash('sha256').update(text).digest('hex'));
    assert.equal((await fetch(blob.url)).status, 403);
    assert.equal((await fetch(`${blob.url}?${sas}`, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' })).status, 403);
  });

  it('accepts a bearer token for storage from the Entra ID emulator and refuses one for ARM', async function () {
    const tenantId = randomUUID();
    const app = entra.registerApp({ tenantId, clientId: randomUUID(), clientSecret: 's3cret' });
    const credential = new ClientSecretCredential(tenantId, app.clientId, 's3cret', { authorityHost: entra.authorityHost, disableInstanceDiscovery: true });
    const client = new BlobServiceClient(azurite.url(azurite.userAccount.name), credential);
    const name = `bearer${randomUUID().slice(0, 8)}`;
    await client.getContainerClient(name).create();
    assert.ok(await client.getContainerClient(name).exists());

    const armToken = (await credential.getToken('https://management.azure.com/.default')).token;
    const res = await fetch(`${azurite.url(azurite.userAccount.name)}?comp=list`, {
      headers: { authorization: `Bearer ${armToken}`, 'x-ms-version': '2025-11-05' },
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /Invalid token audience/);
  });

  it('stops by PID and removes its data, and a second stop is harmless', async function () {
    const own = await startAzurite({ accounts: { solo: Buffer.from('k'.repeat(64)).toString('base64') } });
    assert.equal(own.stagingAccount.name, 'solo');
    assert.ok(isPidAlive(own.pid));
    const dataDir = fs.readlinkSync(`/proc/${own.pid}/cwd`);
    assert.ok(fs.existsSync(dataDir));
    await own.stop();
    assert.equal(isPidAlive(own.pid), false);
    assert.equal(fs.existsSync(dataDir), false);
    await own.stop();
    await assert.rejects(fetch(own.url('solo')));
  });
});
