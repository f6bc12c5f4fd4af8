import * as assert from 'node:assert/strict';
import type { TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { blobServiceFor, createAzureClients } from '../../shared/azure/clients';
import { backoffDelayInMs, resolveRetryTuning, type RetryTuning } from '../../shared/azure/retry';
import { retryAfterMs } from '../../shared/core/httpAnswer';
import type { ServiceConnection } from '../../shared/ports/serviceConnection';
import { startScriptedServer, type Behaviour, type ScriptedServer } from './scriptedServer';

const stubCredential: TokenCredential = {
  getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const FAST: RetryTuning = { retryDelayInMs: 5, maxRetryDelayInMs: 20, maxRetries: 5, tryTimeoutInMs: 5000 };
const TEMPLATE = JSON.stringify({ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/t', name: 't', location: 'westus', identity: { type: 'UserAssigned', userAssignedIdentities: {} }, properties: { source: { type: 'PlatformImage' }, distribute: [] } });

function connectionFor(url: string): ServiceConnection {
  return {
    id: 'c0ffee00-0000-0000-0000-000000000000',
    subscriptionId: 's',
    resourceManagerUrl: `${url}/`,
    authorityHost: 'https://login.microsoftonline.com/',
    environment: 'AzureCloud',
    auth: { scheme: 'ServicePrincipalSecret', tenantId: 't', clientId: 'c', clientSecret: 'x' },
  };
}

function responseWith(headers: Record<string, string>, status = 429): PipelineResponse {
  return { status, headers: createHttpHeaders(headers), request: createPipelineRequest({ url: 'https://x' }) };
}

describe('retry policy', function () {
  describe('Retry-After parsing', function () {
    it('reads seconds, an HTTP date, and the millisecond headers ARM and storage send', function () {
      assert.equal(retryAfterMs(responseWith({ 'retry-after': '7' }).headers), 7000);
      assert.equal(retryAfterMs(responseWith({ 'retry-after-ms': '250' }).headers), 250);
      assert.equal(retryAfterMs(responseWith({ 'x-ms-retry-after-ms': '40' }).headers), 40);
      const now = Date.parse('2025-01-01T00:00:00Z');
      assert.equal(retryAfterMs(responseWith({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }).headers, now), 30_000);
      assert.equal(retryAfterMs(responseWith({ 'retry-after': 'soon' }).headers), undefined);
      assert.equal(retryAfterMs(responseWith({}).headers), undefined);
    });
  });

  describe('backoff', function () {
    it('doubles, stays within half and all of the capped wait, and never exceeds the cap', function () {
      const tuning = { retryDelayInMs: 100, maxRetryDelayInMs: 1000 };
      assert.equal(backoffDelayInMs(0, tuning, () => 0), 50);
      assert.equal(backoffDelayInMs(0, tuning, () => 0.999), 100);
      assert.equal(backoffDelayInMs(2, tuning, () => 0), 200);
      assert.equal(backoffDelayInMs(10, tuning, () => 0.999), 1000);
    });

    it('rejects negative settings, naming them', function () {
      assert.throws(() => resolveRetryTuning({ maxRetries: -1 }), /maxRetries must be a number >= 0; got -1/);
    });
  });

  describe('through the ARM clients', function () {
    let server: ScriptedServer;
    afterEach(async function () {
      await server?.close();
    });

    async function getTemplate(script: Behaviour[], tuning: RetryTuning = FAST, fallback?: Behaviour) {
      server = await startScriptedServer(script, fallback ?? { status: 200, body: TEMPLATE });
      const clients = createAzureClients(connectionFor(server.url), stubCredential, { retry: tuning });
      return clients.imageBuilder.virtualMachineImageTemplates.get('rg', 't');
    }

    it('waits as long as Retry-After says on 503, then succeeds', async function () {
      const template = await getTemplate([{ status: 503, headers: { 'retry-after': '1' } }]);
      assert.equal(template.name, 't');
      assert.equal(server.requests.length, 2);
      const gap = server.requests[1]!.at - server.requests[0]!.at;
      assert.ok(gap >= 950, `second try came after ${gap} ms`);
    });

    it('retries 429, 502, 504, 408 and 500 until an answer comes', async function () {
      const template = await getTemplate([
        { status: 429, headers: { 'retry-after-ms': '30' } },
        { status: 502 },
        { status: 504 },
        { status: 408 },
        { status: 500 },
      ]);
      assert.equal(template.name, 't');
      assert.equal(server.requests.length, 6);
      assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer test-token'));
    });

    it('gives up after maxRetries and reports the last error', async function () {
      await assert.rejects(getTemplate([], { ...FAST, maxRetries: 2 }, { status: 500, body: '{"error":{"code":"InternalServerError","message":"boom"}}' }), (e: { statusCode?: number }) => e.statusCode === 500);
      assert.equal(server.requests.length, 3);
    });

    it('does not sleep through a Retry-After beyond the bound: the error is reported at once', async function () {
      // An hour of Retry-After: sleeping it out would run into the test's timeout.
      await assert.rejects(
        getTemplate([{ status: 429, headers: { 'retry-after': '3600' }, body: '{"error":{"code":"TooManyRequests","message":"slow down"}}' }], { ...FAST, maxRetryAfterInMs: 60_000 }),
        (e: { statusCode?: number }) => e.statusCode === 429,
      );
      assert.equal(server.requests.length, 1);
    });

    it('does not retry a 404', async function () {
      await assert.rejects(getTemplate([{ status: 404, body: '{"error":{"code":"ResourceNotFound","message":"no"}}' }]), (e: { statusCode?: number }) => e.statusCode === 404);
      assert.equal(server.requests.length, 1);
    });

    it('retries a connection reset', async function () {
      const template = await getTemplate(['reset']);
      assert.equal(template.name, 't');
      assert.equal(server.requests.length, 2);
    });

    it('retries a connection reset in the middle of the reply', async function () {
      const template = await getTemplate(['resetMidBody']);
      assert.equal(template.name, 't');
      assert.equal(server.requests.length, 2);
    });

    it('gives up on a try that gets no answer within tryTimeoutInMs, and tries again', async function () {
      const template = await getTemplate(['hang'], { ...FAST, tryTimeoutInMs: 300 });
      assert.equal(template.name, 't');
      assert.equal(server.requests.length, 2);
    });

    it("stops at once when the caller aborts, without retrying", async function () {
      server = await startScriptedServer([], 'hang');
      const clients = createAzureClients(connectionFor(server.url), stubCredential, { retry: FAST });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(clients.imageBuilder.virtualMachineImageTemplates.get('rg', 't', { abortSignal: controller.signal }), (e: Error) => e.name === 'AbortError');
      assert.equal(server.requests.length, 1);
    });
  });

  describe('through the Blob Storage client', function () {
    let server: ScriptedServer;
    afterEach(async function () {
      await server?.close();
    });

    it('retries the 502, 429 and reset the blob SDK alone would not', async function () {
      server = await startScriptedServer([{ status: 502 }, { status: 429, headers: { 'retry-after': '0' } }, 'reset'], { status: 200 });
      const key = Buffer.from('k'.repeat(32)).toString('base64');
      const service = blobServiceFor(`${server.url}/acct`, new StorageSharedKeyCredential('acct', key), FAST);
      assert.equal(await service.getContainerClient('artifacts').exists(), true);
      assert.equal(server.requests.length, 4);
      assert.ok(server.requests.every((r) => r.method === 'GET' && r.url.startsWith('/acct/artifacts?restype=container')));
    });
  });
});
