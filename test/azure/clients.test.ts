import * as assert from 'node:assert/strict';
import type { GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { createAzureClients } from '../../shared/azure/clients';
import type { ServiceConnection } from '../../shared/ports/serviceConnection';
import { startScriptedServer, type ScriptedServer } from './scriptedServer';

class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  private issued = 0;
  async getToken(scopes: string | string[], _options?: GetTokenOptions) {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    this.issued += 1;
    return { token: `token-${this.issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

function connection(url: string, audience?: string): ServiceConnection {
  return {
    id: 'id',
    subscriptionId: 'sub-1',
    resourceManagerUrl: `${url}/`,
    ...(audience ? { resourceManagerAudience: audience } : {}),
    authorityHost: 'https://login.microsoftonline.com/',
    environment: 'AzureCloud',
    auth: { scheme: 'ServicePrincipalSecret', tenantId: 't', clientId: 'c', clientSecret: 'x' },
  };
}

describe('createAzureClients', function () {
  let server: ScriptedServer;
  afterEach(async function () {
    await server?.close();
  });

  it("sends every client's requests to the connection's Resource Manager URL with a token for it, and reports each token", async function () {
    server = await startScriptedServer([], { status: 200, body: '{"value":[]}' });
    const credential = new RecordingCredential();
    const secrets: string[] = [];
    const clients = createAzureClients(connection(server.url), credential, { onSecret: (s) => secrets.push(s) });

    for await (const _ of clients.storage.storageAccounts.list()) void _;
    for await (const _ of clients.resources.resourceGroups.list()) void _;
    for await (const _ of clients.imageBuilder.virtualMachineImageTemplates.list()) void _;
    for await (const _ of clients.compute.images.list()) void _;

    const paths = server.requests.map((r) => r.url.split('?')[0]);
    assert.deepEqual(paths, [
      '/subscriptions/sub-1/providers/Microsoft.Storage/storageAccounts',
      '/subscriptions/sub-1/resourcegroups',
      '/subscriptions/sub-1/providers/Microsoft.VirtualMachineImages/imageTemplates',
      '/subscriptions/sub-1/providers/Microsoft.Compute/images',
    ]);
    assert.ok(credential.scopes.length >= 4);
    assert.ok(credential.scopes.every((s) => s === `${server.url}/.default`), credential.scopes.join(', '));
    const sent = server.requests.map((r) => String(r.headers.authorization).replace(/^Bearer /, ''));
    assert.ok(sent.every((t) => secrets.includes(t)), 'every token sent was reported as a secret first');
  });

  it('asks for tokens for the ARM audience when the connection names one', async function () {
    server = await startScriptedServer([], { status: 200, body: '{"value":[]}' });
    const credential = new RecordingCredential();
    const clients = createAzureClients(connection(server.url, 'https://management.core.windows.net/'), credential);
    for await (const _ of clients.resources.resourceGroups.list()) void _;
    for await (const _ of clients.imageBuilder.virtualMachineImageTemplates.list()) void _;
    assert.deepEqual([...new Set(credential.scopes)], ['https://management.core.windows.net/.default']);
  });
});
