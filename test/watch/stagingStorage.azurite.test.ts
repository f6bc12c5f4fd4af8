import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { BlobClient, BlobServiceClient, StorageSharedKeyCredential, newPipeline } from '@azure/storage-blob';
import { LogSections } from '../../shared/watch/logSections';
import { LogTailer, findBuildLog, type StagingLogDeps } from '../../shared/watch/logTailer';
import { blobRangeReader, createLogContainerOpener } from '../../shared/azure/stagingStorage';
import { startAzurite, type AzuriteHandle } from '../../testkit/emulators/azurite';
import { RecordingHost } from './fakeHost';

/** An unsigned token Azurite's basic OAuth check accepts (it checks issuer, audience and expiry only). */
function storageToken(audience = 'https://storage.azure.com'): TokenCredential {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const jwt = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: audience, iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/', nbf: now - 60, iat: now - 60, exp: now + 3600 })}.`;
  return { getToken: async (): Promise<AccessToken> => ({ token: jwt, expiresOnTimestamp: (now + 3600) * 1000 }) };
}

/** A blob client whose pipeline counts the requests it sends and notes each one's range and answer size. */
function countingBlobClient(
  url: string,
  credential: StorageSharedKeyCredential,
): { blob: BlobClient; count: () => number; ranges: { range: string; contentLength: number }[] } {
  const pipeline = newPipeline(credential);
  let n = 0;
  const ranges: { range: string; contentLength: number }[] = [];
  // Storage pipelines take request policy factories; this one only counts and passes the request on.
  pipeline.factories.unshift({
    create: (next) => ({
      sendRequest: async (request) => {
        n += 1;
        const response = await next.sendRequest(request);
        const range = request.headers.get('x-ms-range') ?? request.headers.get('range') ?? '';
        ranges.push({ range, contentLength: Number(response.headers.get('content-length') ?? '0') });
        return response;
      },
    }),
  });
  return { blob: new BlobClient(url, pipeline), count: () => n, ranges };
}

const RUN = 'a1b2c3d4-0000-4000-8000-00000000beef';

describe('staging log adapters against Azurite', function () {
  this.timeout(60_000);
  let azurite: AzuriteHandle;
  let service: BlobServiceClient;

  before(async () => {
    azurite = await startAzurite();
    const { name, key } = azurite.stagingAccount;
    service = new BlobServiceClient(azurite.url(name), new StorageSharedKeyCredential(name, key));
    await service.getContainerClient('packerlogs').createIfNotExists();
  });
  after(async () => {
    await azurite?.stop();
  });

  it('reads appended bytes with one ranged request per call, and none extra when nothing was added', async () => {
    const append = service.getContainerClient('packerlogs').getAppendBlobClient('reader/customization.log');
    await append.create();
    const { name, key } = azurite.stagingAccount;
    const counter = countingBlobClient(`${azurite.url(name)}/packerlogs/reader/customization.log`, new StorageSharedKeyCredential(name, key));
    const reader = blobRangeReader(counter.blob);

    const empty = await reader.readRange(0, 1024);
    assert.equal(empty.bytes.length, 0);
    assert.equal(counter.count(), 1);

    await append.appendBlock('hello\nwor', 9);
    const first = await reader.readRange(0, 1024);
    assert.equal(first.bytes.toString(), 'hello\nwor');
    assert.equal(first.totalSize, 9);

    const before = counter.count();
    const idle = await reader.readRange(9, 1024);
    assert.deepEqual([idle.bytes.length, idle.totalSize], [0, 9]);
    assert.equal(counter.count(), before + 1, 'an unchanged blob costs exactly one request');

    await append.appendBlock('ld\n', 3);
    const next = await reader.readRange(9, 1024);
    assert.equal(next.bytes.toString(), 'ld\n');
    assert.equal(next.totalSize, 12);
  });

  it('asks for bounded ranges only: a log larger than the bound is read in several requests, none larger than it', async () => {
    const { name, key } = azurite.stagingAccount;
    const blobName = 'bounded/customization.log';
    const append = service.getContainerClient('packerlogs').getAppendBlobClient(blobName);
    await append.create();
    // 1.1 MB: one 300 KiB line, then short lines; more than one step's 16 requests of 64 KiB.
    const longLine = `${'L'.repeat(300 * 1024)}\n`;
    const shortLines = Array.from({ length: 8000 }, (_v, i) => `line ${String(i).padStart(5, '0')} ${'s'.repeat(90)}\n`).join('');
    for (const part of [longLine, shortLines]) {
      const data = Buffer.from(part);
      for (let at = 0; at < data.length; at += 4 * 1024 * 1024) await append.appendBlock(data.subarray(at, at + 4 * 1024 * 1024), Math.min(4 * 1024 * 1024, data.length - at));
    }
    const total = Buffer.byteLength(longLine) + Buffer.byteLength(shortLines);
    const counter = countingBlobClient(`${azurite.url(name)}/packerlogs/${blobName}`, new StorageSharedKeyCredential(name, key));
    const bound = 64 * 1024;
    const host = new RecordingHost();
    const deps: StagingLogDeps = {
      listStorageAccounts: async () => [{ name, blobEndpoint: `${azurite.url(name)}/` }],
      openContainer: () => ({
        listBlobs: async () => [{ name: blobName, lastModified: new Date() }],
        openBlob: () => blobRangeReader(counter.blob),
        urlOf: (n) => n,
      }),
      setSecret: () => undefined,
    };
    const tailer = new LogTailer({ host, sections: new LogSections(host), deps, maxReadBytes: bound });
    await tailer.tick({ exactStagingResourceGroup: '/subscriptions/s/resourceGroups/IT_x' });
    assert.equal(counter.count(), 16, 'one step reads on up to its limit of requests');
    await tailer.tick({ exactStagingResourceGroup: '/subscriptions/s/resourceGroups/IT_x' });
    tailer.stop();

    assert.ok(counter.ranges.length >= Math.ceil(total / bound), `${counter.ranges.length} requests for ${total} bytes`);
    for (const { range, contentLength } of counter.ranges) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(range);
      assert.ok(m, `every request names a closed range, not "${range}"`);
      assert.ok(Number(m[2]) - Number(m[1]) + 1 <= bound, `range ${range} is within the bound`);
      assert.ok(contentLength <= bound);
    }
    const shown = host.lines.filter((l) => !l.startsWith('Following'));
    assert.equal(shown.length, 8001);
    assert.ok(shown[0]!.startsWith('L'.repeat(16 * 1024)) && shown[0]!.includes('line cut after 16384 characters'));
    assert.equal(shown[8000], `line 07999 ${'s'.repeat(90)}`);
    assert.equal(fs.statSync(tailer.logFilePath!).size, total, 'the saved log has every byte');
    host.cleanup();
  });

  it('finds the run log with the bearer token and tails it live through the real clients', async () => {
    const { name } = azurite.stagingAccount;
    const container = service.getContainerClient('packerlogs');
    const append = container.getAppendBlobClient(`${RUN}/customization.log`);
    await append.create();
    const host = new RecordingHost();
    const deps: StagingLogDeps = {
      listStorageAccounts: async () => [{ name, blobEndpoint: `${azurite.url(name)}/` }],
      openContainer: createLogContainerOpener(storageToken()),
      setSecret: () => undefined,
    };
    const tailer = new LogTailer({ host, sections: new LogSections(host), deps });
    const snap = { exactStagingResourceGroup: '/subscriptions/s/resourceGroups/IT_x' };
    const euro = Buffer.from('€');
    const write = (b: Buffer) => append.appendBlock(b, b.length);

    await write(Buffer.from(`[${RUN}] PACKER OUT (telemetry) Starting provisioner shell\n[${RUN}] PACKER OUT price 5`));
    await tailer.tick(snap);
    await write(Buffer.concat([euro.subarray(0, 2)]));
    await tailer.tick(snap);
    await write(Buffer.concat([euro.subarray(2), Buffer.from(`\n[${RUN}] PACKER OUT (telemetry) ending shell\nDone exporting Packer logs to Azure Storage.\n`)]));
    await tailer.tick(snap);

    assert.equal(tailer.state, 'done');
    // Shown without the Packer prefix and the telemetry markers; saved as written.
    assert.deepEqual(host.groupedLines, ['price 5€', 'Done exporting Packer logs to Azure Storage.']);
    assert.equal(
      fs.readFileSync(tailer.logFilePath!, 'utf8'),
      [`[${RUN}] PACKER OUT (telemetry) Starting provisioner shell`, `[${RUN}] PACKER OUT price 5€`, `[${RUN}] PACKER OUT (telemetry) ending shell`, 'Done exporting Packer logs to Azure Storage.', ''].join('\n'),
    );
    assert.ok(host.lines.some((l) => l === `Following the build log ${azurite.url(name)}/packerlogs/${RUN}/customization.log as it is written.`));
    host.cleanup();
  });

  it('falls back to the account key when the token is refused', async () => {
    const { name, key } = azurite.stagingAccount;
    const secrets: string[] = [];
    const deps: StagingLogDeps = {
      listStorageAccounts: async () => [{ name, blobEndpoint: azurite.url(name) }],
      listAccountKeys: async () => [key],
      // A token for another audience: Azurite refuses it as the service would.
      openContainer: createLogContainerOpener(storageToken('https://management.azure.com')),
      setSecret: (v) => secrets.push(v),
    };
    const found = await findBuildLog(deps, '/subscriptions/s/resourceGroups/IT_x');
    assert.equal(found.kind, 'found');
    if (found.kind !== 'found') return;
    assert.equal(found.log.access, 'accountKey');
    assert.equal(found.log.runId, RUN);
    assert.deepEqual(secrets, [key]);
    const read = await found.log.reader.readRange(0, 1024);
    assert.ok(read.bytes.toString().endsWith('Done exporting Packer logs to Azure Storage.\n'));

    const denied = await findBuildLog({ ...deps, listAccountKeys: undefined }, '/subscriptions/s/resourceGroups/IT_x');
    assert.equal(denied.kind, 'denied');
  });
});
