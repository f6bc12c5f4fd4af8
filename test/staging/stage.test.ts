import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { createAzureClients } from '../../shared/azure/clients';
import type { ServiceConnection } from '../../shared/ports/serviceConnection';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { stageArtifacts, type StageDeps } from '../../shared/azure/stage';
import { StagingError } from '../../shared/staging/stagingError';
import { startArmEmulator, type ArmEmulator } from '../../testkit/emulators/arm';
import { startAzurite, type AzuriteHandle } from '../../testkit/emulators/azurite';
import { getTestTls } from '../../testkit/emulators/tls';
import { SUBSCRIPTION, artifactsFor, baseConfig } from '../support/configFixtures';
import { loc } from '../config/configFixtures';

const TENANT = '72f988bf-0000-0000-0000-000000000001';
const FAST = { retryDelayInMs: 5, maxRetryDelayInMs: 20 };

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT: Azurite `--oauth basic` checks issuer, audience and time, not the signature. */
function storageJwt(audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
    aud: audience,
    iss: `https://sts.windows.net/${TENANT}/`,
    tid: TENANT,
    oid: '11111111-2222-3333-4444-555555555555',
    iat: now,
    nbf: now - 60,
    exp: now + 3600,
  })}.`;
}

/**
 * The connection's identity: any token for ARM (the emulator runs without a
 * token check here), and for storage either one Azurite accepts (the
 * identity has a Blob data role) or one for another audience (it has none).
 */
function identity(hasBlobDataRole: boolean): TokenCredential & { issued: string[] } {
  const issued: string[] = [];
  return {
    issued,
    async getToken(scopes: string | string[], _options?: GetTokenOptions) {
      const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
      const token = scope.startsWith('https://storage.azure.com')
        ? storageJwt(hasBlobDataRole ? 'https://storage.azure.com' : 'https://vault.azure.net')
        : `arm-${randomBytes(8).toString('hex')}`;
      issued.push(token);
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

function makeArtifacts(root: string): void {
  fs.mkdirSync(path.join(root, 'scripts'), { recursive: true });
  fs.writeFileSync(path.join(root, 'scripts', 'install.sh'), '#!/bin/sh\necho installing\n', { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'payload.bin'), randomBytes(3 * 1024 * 1024));
}

describe('stageArtifacts against Azurite and the ARM emulator', function () {
  this.timeout(120_000);
  let azurite: AzuriteHandle;
  let arm: ArmEmulator;
  let work: string;
  let packagePath: string;

  before(async function () {
    azurite = await startAzurite();
    const tls = getTestTls();
    arm = await startArmEmulator({
      tls: { cert: tls.cert, key: tls.key },
      storage: {
        blobEndpoint: (name) => `${azurite.url(name)}/`,
        accountKey: (name) => azurite.accounts.find((a) => a.name === name)!.key,
        stagingAccountName: azurite.stagingAccount.name,
      },
    });
    arm.seed({
      subscriptions: [{ subscriptionId: SUBSCRIPTION, tenantId: TENANT }],
      resourceGroups: [{ subscriptionId: SUBSCRIPTION, name: 'rg-artifacts', location: 'westeurope' }],
      storageAccounts: [
        { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-artifacts/providers/Microsoft.Storage/storageAccounts/${azurite.userAccount.name}` },
      ],
    });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-stage-'));
    packagePath = path.join(work, 'webapp');
    makeArtifacts(packagePath);
  });

  after(async function () {
    await arm?.stop();
    await azurite?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function connection(): ServiceConnection {
    return {
      id: 'conn',
      subscriptionId: SUBSCRIPTION,
      resourceManagerUrl: `${arm.url}/`,
      authorityHost: 'https://login.microsoftonline.com/',
      environment: 'AzureCloud',
      auth: { scheme: 'ServicePrincipalSecret', tenantId: TENANT, clientId: 'c', clientSecret: 's' },
    };
  }

  function setup(hasBlobDataRole: boolean, config: ImageBuilderConfig) {
    const credential = identity(hasBlobDataRole);
    const secrets: string[] = [];
    const clients = createAzureClients(connection(), credential, { retry: FAST, onSecret: (s) => secrets.push(s) });
    const deps: StageDeps = {
      storage: clients.storage,
      credential: clients.credential,
      blobServiceFor: clients.blobServiceFor,
      onSecret: (s) => secrets.push(s),
    };
    const lines: string[] = [];
    return { deps, secrets, lines, config, credential };
  }

  function configFor(provisioner: 'shell' | 'powershell', access: 'sas' | 'identity', storageAccountName = azurite.userAccount.name): ImageBuilderConfig {
    const config = baseConfig(provisioner);
    config.target.templateName = `t-${randomBytes(4).toString('hex')}`;
    config.buildVm.buildTimeoutInMinutes = 90;
    config.artifacts = artifactsFor(provisioner, access, { packagePath, folderName: 'webapp', storageAccountName, storageContainer: 'artifacts' });
    return config;
  }

  function userBlob(container: string, name: string) {
    const key = new StorageSharedKeyCredential(azurite.userAccount.name, azurite.userAccount.key);
    return createAzureClients(connection(), identity(false), { retry: FAST }).blobServiceFor(azurite.url(azurite.userAccount.name), key).getContainerClient(container).getBlobClient(name);
  }

  it('uploads with the connection token and hands out a read-only HTTPS user-delegation SAS that really downloads the archive', async function () {
    const { deps, secrets, lines, config } = setup(true, configFor('shell', 'sas'));
    const progress: number[] = [];
    const started = Date.now();
    const staged = await stageArtifacts(deps, config, { loc, info: (l) => lines.push(l), warning: (l) => lines.push(l) }, { onProgress: (b) => progress.push(b) });

    const url = new URL(staged.artifact.url);
    assert.equal(url.origin + url.pathname, `${azurite.url(azurite.userAccount.name)}/artifacts/${config.target.templateName}/webapp.tar.gz`);
    assert.equal(url.searchParams.get('sp'), 'r');
    assert.equal(url.searchParams.get('spr'), 'https');
    assert.ok(url.searchParams.get('skoid'), 'signed with a user delegation key');
    const expires = Date.parse(url.searchParams.get('se')!);
    const keyStarts = Date.parse(url.searchParams.get('skt')!);
    assert.ok(expires >= started + (90 + 60) * 60_000 - 5000 && expires <= Date.now() + (90 + 60) * 60_000 + 5000, 'expires after build timeout + margin');
    assert.equal(url.searchParams.get('st'), null, 'no start time: valid as soon as it is issued');
    assert.ok(keyStarts <= started - 14 * 60_000, 'the delegation key starts 15 minutes back, for an agent clock running ahead');
    assert.ok(secrets.includes(url.searchParams.get('sig')!), 'the signature is registered as a secret');
    assert.ok(!lines.join('\n').includes(url.searchParams.get('sig')!), 'and is not printed');

    const response = await fetch(staged.artifact.url);
    assert.equal(response.status, 200);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.length, staged.artifact.sizeBytes);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), staged.artifact.sha256);
    assert.equal(staged.artifact.format, 'tar.gz');
    assert.equal(progress.at(-1), staged.artifact.sizeBytes);

    const unpacked = path.join(work, `out-${config.target.templateName}`);
    fs.mkdirSync(unpacked);
    fs.writeFileSync(path.join(work, 'downloaded.tar.gz'), bytes);
    execFileSync('tar', ['-xzf', path.join(work, 'downloaded.tar.gz'), '-C', unpacked]);
    assert.equal(fs.statSync(path.join(unpacked, 'scripts', 'install.sh')).mode & 0o777, 0o755);

    const write = await fetch(staged.artifact.url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwrite' });
    assert.equal(write.status, 403, 'the SAS cannot write');
    const bare = await fetch(staged.artifact.url.split('?')[0]!);
    assert.notEqual(bare.status, 200, 'the blob is not public');

    await staged.cleanup();
    assert.equal(await userBlob('artifacts', `${config.target.templateName}/webapp.tar.gz`).exists(), false, 'cleanup deletes the blob');
    await staged.cleanup(); // a second cleanup is harmless
  });

  for (const withRole of [true, false]) {
    it(`an agent whose clock runs 10 minutes ahead still hands out a SAS that works at once (${withRole ? 'user delegation' : 'account key'})`, async function () {
      const { deps, config } = setup(withRole, configFor('shell', 'sas'));
      const staged = await stageArtifacts({ ...deps, now: () => new Date(Date.now() + 10 * 60_000) }, config, { loc, info: () => undefined, warning: () => undefined });
      const url = new URL(staged.artifact.url);
      assert.equal(url.searchParams.get('st'), null);
      assert.equal(url.searchParams.get('skoid') !== null, withRole);
      const response = await fetch(staged.artifact.url);
      assert.equal(response.status, 200, await response.text().catch(() => ''));
      await staged.cleanup();
    });
  }

  it('falls back to the account key from listKeys when the connection has no Blob data role, and signs the SAS with it', async function () {
    const { deps, secrets, lines, config } = setup(false, configFor('powershell', 'sas'));
    const staged = await stageArtifacts(deps, config, { loc, info: (l) => lines.push(l), warning: (l) => lines.push(l) });
    const url = new URL(staged.artifact.url);
    assert.ok(url.pathname.endsWith(`/${config.target.templateName}/webapp.zip`));
    assert.equal(url.searchParams.get('skoid'), null, 'an account-key SAS');
    assert.equal(url.searchParams.get('spr'), 'https');
    assert.ok(secrets.includes(azurite.userAccount.key), 'the account key is registered as a secret');
    assert.match(lines.join('\n'), /no Blob data role/);
    assert.ok(!lines.join('\n').includes(azurite.userAccount.key));

    const response = await fetch(staged.artifact.url);
    assert.equal(response.status, 200);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), staged.artifact.sha256);
    await staged.cleanup();
  });

  it('hands out the bare blob URL for identity access', async function () {
    const { deps, config } = setup(true, configFor('shell', 'identity'));
    const staged = await stageArtifacts(deps, config, { loc, info: () => undefined, warning: () => undefined });
    assert.equal(new URL(staged.artifact.url).search, '');
    const props = await userBlob('artifacts', `${config.target.templateName}/webapp.tar.gz`).getProperties();
    assert.equal(props.contentLength, staged.artifact.sizeBytes);
    await staged.cleanup();
  });

  it('survives transient ARM failures while finding the account and reading its keys', async function () {
    arm.injectFault({ method: 'GET', pathPattern: '/providers/Microsoft.Storage/storageAccounts$', kind: 'status', status: 503, retryAfterSeconds: 0, count: 1 });
    arm.injectFault({ method: 'POST', pathPattern: '/listKeys$', kind: 'reset', count: 1 });
    const { deps, config } = setup(false, configFor('shell', 'sas'));
    const staged = await stageArtifacts(deps, config, { loc, info: () => undefined, warning: () => undefined });
    assert.equal((await fetch(staged.artifact.url)).status, 200);
    const calls = arm.requests().filter((r) => /storageAccounts$|listKeys$/.test(r.path));
    assert.ok(calls.some((r) => r.status === 503) && calls.some((r) => r.status === 0), 'both faults happened');
    await staged.cleanup();
  });

  it('names the input when the storage account is not in the subscription', async function () {
    const { deps, config } = setup(true, configFor('shell', 'sas', 'nosuchaccount'));
    await assert.rejects(stageArtifacts(deps, config, { loc, info: () => undefined, warning: () => undefined }), (e: unknown) => {
      assert.ok(e instanceof StagingError);
      assert.equal(e.inputName, 'storageAccountName');
      assert.match(e.format(loc), /^Input 'storageAccountName': no storage account named 'nosuchaccount'/);
      return true;
    });
  });

  describe('an account that refuses shared key access', () => {
    const accountId = () => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-artifacts/providers/Microsoft.Storage/storageAccounts/${azurite.userAccount.name}`;
    beforeEach(() => arm.seed({ storageAccounts: [{ id: accountId(), allowSharedKeyAccess: false }] }));
    afterEach(() => arm.seed({ storageAccounts: [{ id: accountId() }] }));

    it('signs with a user delegation key and never asks for the account keys', async function () {
      arm.clearRequests();
      const { deps, secrets, config } = setup(true, configFor('shell', 'sas'));
      const staged = await stageArtifacts(deps, config, { loc, info: () => undefined, warning: () => undefined });
      assert.ok(new URL(staged.artifact.url).searchParams.get('skoid'), 'a user delegation SAS');
      assert.deepEqual(arm.requests().filter((r) => /listKeys$/i.test(r.path)), []);
      assert.ok(!secrets.includes(azurite.userAccount.key));
      await staged.cleanup();
    });

    it('without a Blob data role fails naming the input and the role instead of trying the key', async function () {
      arm.clearRequests();
      const { deps, config } = setup(false, configFor('shell', 'sas'));
      await assert.rejects(stageArtifacts(deps, config, { loc, info: () => undefined, warning: () => undefined }), (e: unknown) => {
        assert.ok(e instanceof StagingError);
        assert.equal(e.inputName, 'storageAccountName');
        assert.match(e.format(loc), /does not allow shared key access.*Storage Blob Data Contributor/);
        return true;
      });
      assert.deepEqual(arm.requests().filter((r) => /listKeys$/i.test(r.path)), []);
    });
  });
});
