import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ResourceManagementClient } from '@azure/arm-resources';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  type TokenCredential,
} from '@azure/identity';
import { decodeJwt } from 'jose';
import { startLocalAzure, type LocalAzure } from '../../testkit/emulators/localAzure';
import { isPidAlive } from '../../testkit/emulators/processes';
import { repoRoot } from '../../testkit/repoRoot';

const ARM_SCOPE = 'https://management.azure.com/.default';

describe('local Azure: every stand-in started and wired together', function () {
  let local: LocalAzure;
  const options = () => ({ authorityHost: local.entra.authorityHost, disableInstanceDiscovery: true });

  before(async function () {
    local = await startLocalAzure();
  });
  after(async function () {
    await local?.stop();
  });

  async function resourceGroupNames(credential: TokenCredential): Promise<string[]> {
    const client = new ResourceManagementClient(credential, local.scenario.subscriptionId, {
      endpoint: local.arm.url,
      credentialScopes: [ARM_SCOPE],
      retryOptions: { maxRetries: 0 },
    });
    const names: string[] = [];
    for await (const rg of client.resourceGroups.list()) names.push(rg.name as string);
    return names;
  }

  it('lets every service connection scheme of the scenario sign in and call ARM', async function () {
    const { scenario, devops } = local;
    const secret = new ClientSecretCredential(scenario.tenantId, scenario.secretApp.clientId, scenario.secretApp.clientSecret, options());
    const certificate = new ClientCertificateCredential(scenario.tenantId, scenario.certificateApp.clientId, { certificatePath: scenario.certificateApp.pemPath }, options());
    const saved = process.env.SYSTEM_OIDCREQUESTURI;
    let federated: AzurePipelinesCredential;
    try {
      process.env.SYSTEM_OIDCREQUESTURI = devops.oidcRequestUri;
      federated = new AzurePipelinesCredential(scenario.tenantId, scenario.federatedApp.clientId, scenario.federatedApp.serviceConnectionId, devops.jobAccessToken, options());
    } finally {
      if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
      else process.env.SYSTEM_OIDCREQUESTURI = saved;
    }
    for (const credential of [secret, certificate, federated]) {
      assert.deepEqual(await resourceGroupNames(credential), [scenario.resourceGroup]);
    }
    const listed = local.arm.requests().filter((r) => r.method === 'GET' && /\/resourcegroups$/i.test(r.path) && r.status === 200);
    assert.equal(listed.length, 3);
  });

  it('has ARM refuse a token for another audience and a token it did not get from Entra ID', async function () {
    const { scenario } = local;
    const storageToken = await local.entra.issue({ tenantId: scenario.tenantId, audience: 'https://storage.azure.com' });
    const stranger: TokenCredential = { getToken: async () => ({ token: storageToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    await assert.rejects(resourceGroupNames(stranger), (err: { statusCode?: number }) => err.statusCode === 401);
    const unsigned: TokenCredential = { getToken: async () => ({ token: 'not.a.token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    await assert.rejects(resourceGroupNames(unsigned), (err: { statusCode?: number }) => err.statusCode === 401);
  });

  it('serves the user storage account from Azurite to a bearer token from Entra ID', async function () {
    const { scenario } = local;
    const credential = new ClientSecretCredential(scenario.tenantId, scenario.secretApp.clientId, scenario.secretApp.clientSecret, options());
    const blob = new BlobServiceClient(local.azurite.url(local.azurite.userAccount.name), credential);
    await blob.getContainerClient('artifacts').createIfNotExists();
    assert.ok(await blob.getContainerClient('artifacts').exists());
  });

  it('gives a child process what it needs: trust for the certificate and the managed identity endpoint', async function () {
    const script = `
      const { ManagedIdentityCredential } = require('@azure/identity');
      (async () => {
        const t = await new ManagedIdentityCredential().getToken('https://management.azure.com/.default');
        const res = await fetch(process.argv[1], { headers: { authorization: 'Bearer ' + t.token } });
        console.log(JSON.stringify({ status: res.status, token: t.token }));
      })().catch((e) => { console.log(JSON.stringify({ error: e.message })); });`;
    const url = `${local.arm.url}/subscriptions/${local.scenario.subscriptionId}/resourcegroups?api-version=2021-04-01`;
    // Only PATH and what childEnv() gives: nothing inherited from this test process.
    const env = { PATH: process.env.PATH ?? '', ...local.childEnv() };
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, url], { cwd: repoRoot, env });
    const out = JSON.parse(stdout.trim().split('\n').pop() as string) as { status?: number; token?: string; error?: string };
    assert.equal(out.error, undefined);
    assert.equal(out.status, 200);
    assert.equal(decodeJwt(out.token as string).appid, local.scenario.systemAssignedIdentity.clientId);
  });

  it('mints template identity tokens that name the identity, for the simulated build', async function () {
    const { scenario } = local;
    const token = await local.entra.issue({
      tenantId: scenario.tenantId,
      audience: 'https://storage.azure.com',
      identityResourceId: scenario.userAssignedIdentity.resourceId,
    });
    assert.equal(decodeJwt(token).xms_mirid, scenario.userAssignedIdentity.resourceId);
    assert.equal(await local.entra.verifyAccessToken(token, 'https://storage.azure.com'), true);
  });

  it('stops everything, and stopping again is harmless', async function () {
    const other = await startLocalAzure({ seed: false });
    const urls = [other.arm.url, other.entra.authorityHost, other.devops.collectionUri, other.azurite.url('x')];
    const pid = other.azurite.pid;
    assert.ok(isPidAlive(pid));
    await other.stop();
    await other.stop();
    assert.equal(isPidAlive(pid), false);
    for (const url of urls) await assert.rejects(fetch(url), `${url} still answers`);
  });
});
