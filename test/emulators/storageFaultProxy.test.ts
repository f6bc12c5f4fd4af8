import * as assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import * as https from 'node:https';
import {
  AnonymousCredential,
  BlobSASPermissions,
  BlobServiceClient,
  BlockBlobClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { ClientSecretCredential } from '@azure/identity';
import { blobServiceFor } from '../../shared/azure/clients';
import { startAzurite, type AzuriteHandle } from '../../testkit/emulators/azurite';
import { startEntraEmulator, type EntraEmulator } from '../../testkit/emulators/entra/index';
import { startStorageFaultProxy, type StorageFaultProxy, type StorageRequestLogEntry } from '../../testkit/emulators/storageFaultProxy';
import { getTestTls } from '../../testkit/emulators/tls';

/** One raw request through the proxy: status, headers and body, or the socket error. */
function rawRequest(url: string, method = 'GET', body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca: getTestTls().ca, headers: { 'x-ms-version': '2025-11-05', ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FAST_RETRY = { retryDelayInMs: 10, maxRetryDelayInMs: 50, tryTimeoutInMs: 10_000 };

describe('storage fault proxy in front of Azurite', function () {
  this.timeout(60_000);
  let azurite: AzuriteHandle;
  let entra: EntraEmulator;
  let proxy: StorageFaultProxy;
  let bearer: ClientSecretCredential;

  before(async function () {
    [azurite, entra] = await Promise.all([startAzurite(), startEntraEmulator({ tls: getTestTls() })]);
    proxy = await startStorageFaultProxy({ upstream: `https://127.0.0.1:${azurite.port}` });
    const tenantId = randomUUID();
    const app = entra.registerApp({ tenantId, clientId: randomUUID(), clientSecret: 'proxy-s3cret' });
    bearer = new ClientSecretCredential(tenantId, app.clientId, 'proxy-s3cret', { authorityHost: entra.authorityHost, disableInstanceDiscovery: true });
  });
  after(async function () {
    await proxy?.stop();
    await Promise.all([azurite?.stop(), entra?.stop()]);
  });
  beforeEach(() => {
    proxy.clearFaults();
    proxy.clearRequests();
    proxy.refuseBearerTokens([]);
  });

  const account = () => azurite.userAccount;
  const sharedKey = () => new StorageSharedKeyCredential(account().name, account().key);
  const viaProxy = (auth: StorageSharedKeyCredential | ClientSecretCredential) => blobServiceFor(proxy.url(account().name), auth, FAST_RETRY);
  const newContainer = () => `c${randomUUID().slice(0, 12)}`;
  const statusesOf = (log: StorageRequestLogEntry[]) => log.map((r) => r.status);

  it('forwards shared key requests: container, staged blocks, block list, ranged read, listing, delete', async function () {
    const container = viaProxy(sharedKey()).getContainerClient(newContainer());
    await container.create();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const blob = container.getBlockBlobClient('dir/app.tar.gz');
    // Small blocks so the upload is stageBlock x4 + commitBlockList, as the task's uploadStream does.
    await blob.uploadData(data, { blockSize: 1024 * 1024, maxSingleShotSize: 1024 * 1024, concurrency: 2 });
    const tail = await blob.downloadToBuffer(1000, 5000);
    assert.ok(tail.equals(data.subarray(1000, 6000)), 'ranged read returns the right bytes');
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    assert.deepEqual(names, ['dir/app.tar.gz']);
    await blob.delete();
    // Seen by Azurite itself, not only by the proxy.
    const direct = new BlobServiceClient(azurite.url(account().name), sharedKey()).getContainerClient(container.containerName);
    assert.equal(await direct.getBlobClient('dir/app.tar.gz').exists(), false);
    assert.ok(await direct.exists());

    const log = proxy.requests();
    assert.ok(log.every((r) => r.auth === 'sharedKey' && r.status >= 200 && r.status < 300 && r.fault === undefined), JSON.stringify(log));
    assert.equal(log.filter((r) => r.method === 'PUT' && r.query['comp'] === 'block').length, 4);
    assert.equal(log.filter((r) => r.method === 'PUT' && r.query['comp'] === 'blocklist').length, 1);
    assert.ok(log.some((r) => r.method === 'GET' && r.query['comp'] === 'list' && r.query['restype'] === 'container'));
    assert.ok(log.some((r) => r.method === 'DELETE' && r.path.endsWith('/dir/app.tar.gz')));
  });

  it('forwards bearer requests, including a user delegation key, and a SAS signed with it', async function () {
    const service = viaProxy(bearer);
    const container = service.getContainerClient(newContainer());
    await container.create();
    const text = 'hello through the proxy\n';
    await container.getBlockBlobClient('a.txt').upload(text, Buffer.byteLength(text));
    const startsOn = new Date(Date.now() - 60_000);
    const expiresOn = new Date(Date.now() + 600_000);
    const key = await service.getUserDelegationKey(startsOn, expiresOn);
    const sas = generateBlobSASQueryParameters(
      { containerName: container.containerName, blobName: 'a.txt', permissions: BlobSASPermissions.parse('r'), startsOn, expiresOn },
      key,
      account().name,
    ).toString();
    const read = new BlockBlobClient(`${container.getBlockBlobClient('a.txt').url}?${sas}`, new AnonymousCredential());
    assert.equal((await read.downloadToBuffer()).toString('utf8'), text);

    const log = proxy.requests();
    assert.ok(log.some((r) => r.method === 'POST' && r.query['comp'] === 'userdelegationkey' && r.auth === 'bearer' && r.status === 200));
    assert.ok(log.some((r) => r.method === 'GET' && r.auth === 'sas' && (r.status === 200 || r.status === 206)));
    assert.deepEqual(log.filter((r) => r.status >= 300), []);
  });

  it('forwards a SAS signed with the account key, and Azurite still refuses the blob without it', async function () {
    const container = viaProxy(sharedKey()).getContainerClient(newContainer());
    await container.create();
    const data = randomBytes(70_000);
    const blob = container.getBlockBlobClient('artifact.zip');
    await blob.uploadData(data);
    const sas = generateBlobSASQueryParameters(
      { containerName: container.containerName, blobName: 'artifact.zip', permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 600_000) },
      sharedKey(),
    ).toString();
    const read = new BlockBlobClient(`${blob.url}?${sas}`, new AnonymousCredential());
    assert.ok((await read.downloadToBuffer()).equals(data));
    const anonymous = await rawRequest(blob.url);
    assert.ok(anonymous.status === 403 || anonymous.status === 404, `without a SAS: ${anonymous.status}`);
    const entries = proxy.requests().filter((r) => r.path.endsWith('/artifact.zip') && r.method === 'GET');
    assert.deepEqual(entries.map((r) => r.auth), ['sas', 'anonymous']);
  });

  it('answers a status fault as Azure Storage does: XML error, x-ms-error-code, Retry-After', async function () {
    const containerUrl = `${proxy.url(account().name)}/${newContainer()}?restype=container`;
    const cases = [
      { status: 429 as const, code: 'ServerBusy', retryAfterSeconds: 2 },
      { status: 500 as const, code: 'InternalError' },
      { status: 502 as const, code: 'ServerBusy' },
      { status: 503 as const, code: 'ServerBusy', retryAfterSeconds: 1 },
      { status: 504 as const, code: 'OperationTimedOut' },
    ];
    for (const c of cases) {
      proxy.injectFault({ method: 'GET', pathPattern: /^\/ibartifacts\/c/, kind: 'status', status: c.status, count: 1, ...(c.retryAfterSeconds ? { retryAfterSeconds: c.retryAfterSeconds } : {}) });
      const res = await rawRequest(containerUrl);
      assert.equal(res.status, c.status);
      assert.equal(res.headers['x-ms-error-code'], c.code);
      assert.match(res.headers['content-type'] as string, /application\/xml/);
      assert.match(res.body, new RegExp(`^<\\?xml[^>]*\\?><Error><Code>${c.code}</Code><Message>[^<]+</Message></Error>$`));
      assert.equal(res.headers['retry-after'], c.retryAfterSeconds === undefined ? undefined : String(c.retryAfterSeconds));
    }
    // Used up: the next request reaches Azurite, which refuses it for want of credentials.
    const through = await rawRequest(containerUrl);
    assert.equal(through.status, 403);
    assert.equal(through.headers['x-ms-error-code'], 'AuthorizationFailure');
    assert.deepEqual(statusesOf(proxy.requests()), [429, 500, 502, 503, 504, 403]);
  });

  it('drains a faulted upload body and answers it, and a reset drops the connection before any answer', async function () {
    const blobUrl = `${proxy.url(account().name)}/${newContainer()}/b.bin`;
    proxy.injectFault({ method: 'PUT', pathPattern: /\/b\.bin$/, kind: 'status', status: 503, count: 1 });
    const answered = await rawRequest(blobUrl, 'PUT', randomBytes(2 * 1024 * 1024));
    assert.equal(answered.status, 503);
    proxy.injectFault({ method: 'PUT', pathPattern: /\/b\.bin$/, kind: 'reset', count: 1 });
    await assert.rejects(rawRequest(blobUrl, 'PUT', randomBytes(1024)), (err: NodeJS.ErrnoException) => {
      assert.ok(err.code === 'ECONNRESET' || /socket hang up/.test(err.message), `${err.code} ${err.message}`);
      return true;
    });
    const log = proxy.requests();
    assert.deepEqual(log.map((r) => [r.status, r.fault]), [
      [503, 'status'],
      [0, 'reset'],
    ]);
  });

  for (const fault of [
    { label: '429 with Retry-After', kind: 'status' as const, status: 429 as const, retryAfterSeconds: 1, count: 2 },
    { label: '500', kind: 'status' as const, status: 500 as const, count: 2 },
    { label: '502', kind: 'status' as const, status: 502 as const, count: 1 },
    { label: '503', kind: 'status' as const, status: 503 as const, count: 2 },
    { label: '504', kind: 'status' as const, status: 504 as const, count: 1 },
    { label: 'reset', kind: 'reset' as const, count: 2 },
    { label: 'slow', kind: 'slow' as const, delayMs: 700, count: 2 },
  ]) {
    it(`applies ${fault.label} to exactly ${fault.count} matching requests; the task's retry policy gets through`, async function () {
      const { label: _label, ...spec } = fault;
      const container = viaProxy(sharedKey()).getContainerClient(newContainer());
      await container.create();
      const blob = container.getBlockBlobClient('app.tar.gz');
      const data = randomBytes(2 * 1024 * 1024 + 5);
      // Only the block uploads of this blob: the block list commit shares the path but not the query.
      proxy.injectFault({ ...spec, method: 'PUT', pathPattern: /\/app\.tar\.gz$/, queryPattern: /(^|&)comp=block(&|$)/ });
      proxy.clearRequests();
      await blob.uploadData(data, { blockSize: 1024 * 1024, maxSingleShotSize: 1024 * 1024, concurrency: 1 });
      assert.ok((await blob.downloadToBuffer()).equals(data), 'the blob arrived whole');
      assert.deepEqual(proxy.pendingFaults(), [], 'the fault was used up');

      const blocks = proxy.requests().filter((r) => r.query['comp'] === 'block');
      const faulted = blocks.filter((r) => r.fault !== undefined);
      assert.equal(faulted.length, fault.count, `faulted ${faulted.length} block uploads: ${JSON.stringify(blocks)}`);
      assert.equal(blocks.length, 3 + (fault.kind === 'slow' ? 0 : fault.count), 'three blocks, plus one retry per failed try');
      const expectedStatus = fault.kind === 'status' ? fault.status : fault.kind === 'reset' ? 0 : 201;
      assert.ok(faulted.every((r) => r.status === expectedStatus && r.fault === fault.kind), JSON.stringify(faulted));
      // Each failed try is followed by a try of the same block that went through.
      for (const f of fault.kind === 'slow' ? [] : faulted) {
        const i = blocks.indexOf(f);
        assert.ok(blocks.slice(i + 1).some((r) => r.query['blockid'] === f.query['blockid'] && r.status === 201 && r.fault === undefined), `block ${f.query['blockid']} retried`);
      }
      if (fault.kind === 'slow') assert.ok(faulted.every((r) => r.durationMs >= fault.delayMs), 'slow answers were held');
      if (fault.kind === 'status' && fault.retryAfterSeconds) {
        // The client asked again no sooner than the answer said (when each was asked, from the proxy's log).
        for (const f of faulted) {
          const next = blocks[blocks.indexOf(f) + 1]!;
          const gap = Date.parse(next.startedAt) - Date.parse(f.startedAt);
          assert.ok(gap >= fault.retryAfterSeconds * 1000 - 1, `the retry of block ${f.query['blockid']} waited out Retry-After (${gap} ms later)`);
        }
      }
      assert.equal(proxy.requests().filter((r) => r.query['comp'] === 'blocklist' && r.status === 201).length, 1);
    });
  }

  it('skips the first matching requests when told to, and matches the method', async function () {
    const container = viaProxy(sharedKey()).getContainerClient(newContainer());
    await container.create();
    proxy.injectFault({ method: 'GET', pathPattern: /\/x\.txt$/, kind: 'status', status: 500, count: 1, skip: 1 });
    const blob = container.getBlockBlobClient('x.txt');
    await blob.upload('x', 1);
    await blob.downloadToBuffer();
    await blob.downloadToBuffer();
    const gets = proxy.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/x.txt'));
    assert.deepEqual(gets.map((r) => r.status), [206, 500, 206], 'downloads are ranged reads (206)');
  });

  it('matches request headers, e.g. only reads from an offset (x-ms-range)', async function () {
    const container = viaProxy(sharedKey()).getContainerClient(newContainer());
    await container.create();
    const blob = container.getBlockBlobClient('customization.log');
    const text = 'line one\nline two\nline three\n';
    await blob.upload(text, Buffer.byteLength(text));
    proxy.injectFault({ method: 'GET', pathPattern: /\/customization\.log$/, headerPatterns: { 'x-ms-range': /^bytes=[1-9]\d*-/ }, kind: 'status', status: 503, count: 1 });
    proxy.clearRequests();
    // As the task's log tailer reads: one GET from an offset, no Range header from the start.
    const read = async (offset: number) => {
      const chunks: Buffer[] = [];
      for await (const c of (await blob.download(offset)).readableStreamBody!) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    assert.equal(await read(0), text, 'a read from the start is not met');
    assert.equal(await read(9), 'line two\nline three\n', 'a read from an offset is met, then retried');
    assert.deepEqual(proxy.requests().map((r) => [r.status, r.fault]), [
      [200, undefined],
      [503, 'status'],
      [206, undefined],
    ]);
  });

  it('refuses bearer tokens for chosen accounts as storage refuses a principal without a data role', async function () {
    proxy.refuseBearerTokens([account().name]);
    const name = newContainer();
    await assert.rejects(viaProxy(bearer).getContainerClient(name).create(), (err: { statusCode?: number; code?: string }) => {
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, 'AuthorizationPermissionMismatch');
      return true;
    });
    // Shared key is still served, and other accounts still take the token.
    await viaProxy(sharedKey()).getContainerClient(name).create();
    const staging = blobServiceFor(proxy.url(azurite.stagingAccount.name), bearer, FAST_RETRY);
    await staging.getContainerClient(name).create();
    proxy.refuseBearerTokens([]);
    assert.ok(await viaProxy(bearer).getContainerClient(name).exists());
    const log = proxy.requests();
    assert.deepEqual(log.map((r) => [r.auth, r.status]), [
      ['bearer', 403],
      ['sharedKey', 201],
      ['bearer', 201],
      ['bearer', 200],
    ]);
  });
});
