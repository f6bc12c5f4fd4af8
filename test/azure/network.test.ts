import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  RestError,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import {
  ProxyError,
  applyNetworkSettings,
  createNetworkPolicy,
  displayProxyUrl,
  surfacingProxyFailures,
} from '../../shared/azure/network';
import { networkSecretsOf, type NetworkSettings } from '../../shared/ports/networkSettings';
import { secretsOf } from '../../shared/azure/credentials';
import { startForwardProxy, closedPort, type ForwardProxy } from '../support/forwardProxy';

function ok(request: PipelineRequest, status = 200): PipelineResponse {
  return { request, status, headers: createHttpHeaders() };
}

/** A server whose self-signed certificate nothing trusts unless given as a CA (the test CA of NODE_EXTRA_CA_CERTS did not sign it). */
async function startUntrustedServer(): Promise<{ url: string; certificate: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-untrusted-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=corporate-inspection', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
    const server = https.createServer({ cert, key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      certificate: cert,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function get(url: string, settings: NetworkSettings | undefined): Promise<PipelineResponse> {
  const pipeline = createEmptyPipeline();
  applyNetworkSettings(pipeline, settings);
  return pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url }));
}

describe('agent network settings', function () {
  this.timeout(30_000);

  describe('the policy, per request', function () {
    const settings: NetworkSettings = {
      proxy: { url: 'http://proxy.contoso.com:8888', username: 'agent', password: 'pw', bypass: ['\\.internal\\.contoso\\.com', '^https://LOCALHOST[:/]'] },
    };

    it('routes through the proxy unless a bypass entry, a case-insensitive regular expression, matches the whole URL', async function () {
      const policy = createNetworkPolicy(settings);
      const agentFor = async (url: string) => {
        let agent: unknown;
        await policy.sendRequest(createPipelineRequest({ url }), async (request) => {
          agent = request.agent;
          return ok(request);
        });
        // A tunnelling agent makes its connections itself; a direct one keeps Node's.
        return (agent as https.Agent).createConnection === https.Agent.prototype.createConnection ? 'direct' : 'proxy';
      };
      assert.equal(await agentFor('https://management.azure.com/subscriptions'), 'proxy');
      assert.equal(await agentFor('https://login.microsoftonline.com/tenant/oauth2/v2.0/token'), 'proxy');
      assert.equal(await agentFor('https://blob.internal.contoso.com/c/b'), 'direct');
      assert.equal(await agentFor('https://localhost:8443/x'), 'direct');
      // The whole URL is matched, as task-lib does: the anchored entry does not match a query that names the host.
      assert.equal(await agentFor('https://example.org/?next=https://localhost/'), 'proxy');
    });

    it('overrides a proxy chosen from HTTPS_PROXY when the agent names its own, and leaves it when the agent names none', async function () {
      const envAgent = new https.Agent();
      const seen = async (policySettings: NetworkSettings) => {
        let agent: unknown;
        const request = createPipelineRequest({ url: 'https://management.azure.com/' });
        request.agent = envAgent;
        await createNetworkPolicy(policySettings).sendRequest(request, async (r) => {
          agent = r.agent;
          return ok(r);
        });
        return agent;
      };
      assert.notEqual(await seen(settings), envAgent);
      assert.equal(await seen({ tls: { ca: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' } }), envAgent);
    });

    it('leaves a 407 that came from the server through the tunnel as the server\'s answer', async function () {
      const policy = createNetworkPolicy(settings);
      for (const url of ['https://management.azure.com/', 'https://localhost:1/']) {
        const response = await policy.sendRequest(createPipelineRequest({ url }), async (request) => ok(request, 407));
        assert.equal(response.status, 407);
      }
    });

    it('turns a refused connection to the proxy into an error naming it; other failures stay as they are', async function () {
      const policy = createNetworkPolicy(settings);
      const failing = (code: string) => async (request: PipelineRequest): Promise<PipelineResponse> => {
        throw new RestError(`connect ${code}`, { code, request });
      };
      await assert.rejects(policy.sendRequest(createPipelineRequest({ url: 'https://management.azure.com/' }), failing('ECONNREFUSED')), (error: unknown) => {
        assert.ok(error instanceof ProxyError);
        assert.equal(error.key, 'ProxyUnreachable');
        assert.deepEqual(error.args, ['http://proxy.contoso.com:8888', 'ECONNREFUSED']);
        assert.equal(error.message, "Could not connect through the agent's proxy http://proxy.contoso.com:8888 (ECONNREFUSED).");
        return true;
      });
      await assert.rejects(policy.sendRequest(createPipelineRequest({ url: 'https://management.azure.com/' }), failing('ECONNRESET')), { code: 'ECONNRESET' });
      await assert.rejects(policy.sendRequest(createPipelineRequest({ url: 'https://localhost:1/' }), failing('ECONNREFUSED')), { code: 'ECONNREFUSED' });
    });

    it('prints a proxy URL as scheme, host and port only', function () {
      assert.equal(displayProxyUrl('http://user:secret@proxy:3128/path'), 'http://proxy:3128');
      assert.equal(displayProxyUrl('not a url'), '(invalid proxy URL)');
    });
  });

  describe('through a real proxy', function () {
    let server: Awaited<ReturnType<typeof startUntrustedServer>>;
    let proxy: ForwardProxy | undefined;
    before(async function () {
      server = await startUntrustedServer();
    });
    after(async function () {
      await server?.close();
    });
    afterEach(async function () {
      await proxy?.stop();
      proxy = undefined;
    });

    it('trusts the agent CA file directly and through the proxy tunnel (where the SDK would drop TLS settings)', async function () {
      await assert.rejects(get(server.url, undefined), /self[- ]signed|unable to verify|certificate/i);
      assert.equal((await get(server.url, { tls: { ca: server.certificate } })).bodyAsText, 'hello');

      proxy = await startForwardProxy();
      await assert.rejects(get(server.url, { proxy: { url: proxy.url, bypass: [] } }), /self[- ]signed|unable to verify|certificate/i);
      const response = await get(server.url, { proxy: { url: proxy.url, bypass: [] }, tls: { ca: server.certificate } });
      assert.equal(response.bodyAsText, 'hello');
      assert.ok(proxy.tunnelledTargets().has(new URL(server.url).host), 'the request went through the proxy');
    });

    it('sends Basic credentials to an authenticating proxy; wrong ones fail with the proxy named', async function () {
      proxy = await startForwardProxy({ credentials: { username: 'agent', password: 'p@ss:word/1' } });
      const tls = { ca: server.certificate };
      const response = await get(server.url, { proxy: { url: proxy.url, username: 'agent', password: 'p@ss:word/1', bypass: [] }, tls });
      assert.equal(response.bodyAsText, 'hello');
      await assert.rejects(get(server.url, { proxy: { url: proxy.url, username: 'agent', password: 'wrong', bypass: [] }, tls }), (error: unknown) => {
        assert.ok(error instanceof ProxyError && error.key === 'ProxyAuthenticationFailed' && error.proxyUrl === proxy!.url);
        assert.equal(error.message, `The agent's proxy ${proxy!.url} refused the proxy credentials (HTTP 407 Proxy Authentication Required).`);
        return true;
      });
      assert.deepEqual(
        proxy.requests().map((r) => r.authorized),
        [true, false],
      );
    });

    it('fails at once when nothing listens at the proxy URL, and a credential reports the proxy instead of what its library made of it', async function () {
      const settings: NetworkSettings = { proxy: { url: `http://127.0.0.1:${await closedPort()}`, bypass: [] } };
      await assert.rejects(get(server.url, settings), (error: unknown) => error instanceof ProxyError && error.key === 'ProxyUnreachable');
      const swallowing = {
        async getToken() {
          await get(server.url, settings).catch(() => undefined);
          throw new Error('endpoints_resolution_error');
        },
      };
      await assert.rejects(surfacingProxyFailures(swallowing, settings).getToken('scope'), (error: unknown) => error instanceof ProxyError);
    });
  });

  describe('secrets', function () {
    it('counts the proxy password and the client certificate passphrase as secrets of the connection', function () {
      const network: NetworkSettings = { proxy: { url: 'http://p:1', username: 'agent', password: 'proxy-pw', bypass: [] }, tls: { passphrase: 'cert-pw' } };
      assert.deepEqual(networkSecretsOf(network), ['proxy-pw', 'cert-pw']);
      const secrets = secretsOf({
        id: 'c',
        subscriptionId: 's',
        resourceManagerUrl: 'https://management.azure.com/',
        authorityHost: 'https://login.microsoftonline.com/',
        environment: 'AzureCloud',
        auth: { scheme: 'ServicePrincipalSecret', tenantId: 't', clientId: 'c', clientSecret: 'client-secret' },
        network,
      });
      assert.deepEqual(secrets, ['client-secret', 'proxy-pw', 'cert-pw']);
    });
  });
});
