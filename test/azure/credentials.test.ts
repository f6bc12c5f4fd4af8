import * as assert from 'node:assert/strict';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  createCredential,
  isWellKnownAuthority,
  registeringTokens,
  scopeFor,
  secretsOf,
} from '../../shared/azure/credentials';
import type { ServiceConnection, ServiceConnectionAuth } from '../../shared/ports/serviceConnection';
import { startScriptedServer, type Behaviour, type Router, type ScriptedServer } from './scriptedServer';

const TENANT = 'tenant-1';
const FAST = { retryDelayInMs: 5, maxRetryDelayInMs: 20 };

function connectionWith(auth: ServiceConnectionAuth, authorityHost = 'https://login.microsoftonline.com/'): ServiceConnection {
  return {
    id: 'a1b2c3d4-0000-0000-0000-000000000001',
    subscriptionId: 's',
    resourceManagerUrl: 'https://management.azure.com/',
    authorityHost,
    environment: 'AzureCloud',
    auth,
  };
}

/** What MSAL reads first from an authority it does not discover: the OpenID configuration. */
function openIdConfiguration(base: string): Behaviour {
  return {
    status: 200,
    body: JSON.stringify({
      authorization_endpoint: `${base}/${TENANT}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/${TENANT}/oauth2/v2.0/token`,
      issuer: `${base}/${TENANT}/v2.0`,
      jwks_uri: `${base}/${TENANT}/discovery/v2.0/keys`,
    }),
  };
}

/** An authority: its configuration and its token endpoint, answered whenever MSAL asks. */
function authority(accessToken: string): Router {
  return (method, url, base) => {
    const path = url.split('?')[0]!;
    if (method === 'GET' && path === `/${TENANT}/v2.0/.well-known/openid-configuration`) return openIdConfiguration(base);
    if (method === 'POST' && path === `/${TENANT}/oauth2/v2.0/token`) return tokenReply(accessToken);
    return undefined;
  };
}

const tokenReply = (token: string): Behaviour => ({
  status: 200,
  body: JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token }),
});

describe('credentials', function () {
  describe('helpers', function () {
    it('normalises scopes to one slash before .default', function () {
      assert.equal(scopeFor('https://management.azure.com/'), 'https://management.azure.com/.default');
      assert.equal(scopeFor('https://127.0.0.1:8443//'), 'https://127.0.0.1:8443/.default');
      assert.equal(scopeFor('https://management.usgovcloudapi.net'), 'https://management.usgovcloudapi.net/.default');
    });

    it('knows the public and sovereign authorities and nothing else', function () {
      assert.equal(isWellKnownAuthority('https://login.microsoftonline.com/'), true);
      assert.equal(isWellKnownAuthority('https://login.microsoftonline.us'), true);
      assert.equal(isWellKnownAuthority('https://login.chinacloudapi.cn/'), true);
      assert.equal(isWellKnownAuthority('https://127.0.0.1:9443/'), false);
      assert.equal(isWellKnownAuthority('https://adfs.contoso.local/'), false);
    });

    it('lists the values to mask for each scheme, a key line by line', function () {
      assert.deepEqual(secretsOf(connectionWith({ scheme: 'ServicePrincipalSecret', tenantId: 't', clientId: 'c', clientSecret: 'pw' })), ['pw']);
      const pem = [
        '-----BEGIN PRIVATE KEY-----',
        'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
        'BKcwggSjAgEAAoIBAQC7',
        '-----END PRIVATE KEY-----',
        '-----BEGIN CERTIFICATE-----',
        'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkq',
        '-----END CERTIFICATE-----',
      ].join('\r\n');
      assert.deepEqual(secretsOf(connectionWith({ scheme: 'ServicePrincipalCertificate', tenantId: 't', clientId: 'c', certificatePem: pem })), [
        'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
        'BKcwggSjAgEAAoIBAQC7',
      ]);
      assert.deepEqual(
        secretsOf(connectionWith({ scheme: 'WorkloadIdentityFederation', tenantId: 't', clientId: 'c', oidcRequestUri: 'https://x', systemAccessToken: 'job-token' })),
        ['job-token'],
      );
      assert.deepEqual(secretsOf(connectionWith({ scheme: 'ManagedServiceIdentity' })), []);
    });

    it('reports every issued token before handing it out', async function () {
      const seen: string[] = [];
      let n = 0;
      const inner: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: `tok-${++n}`, expiresOnTimestamp: 0 }) };
      const wrapped = registeringTokens(inner, (t) => seen.push(t));
      assert.equal((await wrapped.getToken('a'))?.token, 'tok-1');
      assert.equal((await wrapped.getToken('b'))?.token, 'tok-2');
      assert.deepEqual(seen, ['tok-1', 'tok-2']);
    });
  });

  describe('against a token endpoint at the connection authority', function () {
    let server: ScriptedServer;
    afterEach(async function () {
      await server?.close();
    });

    it('signs a service principal in with its secret at the authority the connection names', async function () {
      server = await startScriptedServer([], { status: 404 }, authority('arm-access-token'));
      const credential = createCredential(connectionWith({ scheme: 'ServicePrincipalSecret', tenantId: TENANT, clientId: 'app-1', clientSecret: 'pw-1' }, `${server.url}/`));
      const token = await credential.getToken('https://management.azure.com/.default');
      assert.equal(token?.token, 'arm-access-token');
      const tokenRequest = server.requests.find((r) => r.method === 'POST')!;
      assert.equal(tokenRequest.url.split('?')[0], `/${TENANT}/oauth2/v2.0/token`);
      const form = new URLSearchParams(tokenRequest.body);
      assert.equal(form.get('grant_type'), 'client_credentials');
      assert.equal(form.get('client_id'), 'app-1');
      assert.equal(form.get('client_secret'), 'pw-1');
      assert.equal(form.get('scope'), 'https://management.azure.com/.default');
      assert.ok(server.requests.every((r) => !r.url.includes('instance/discovery')), 'no instance discovery');
    });

    it('federates: fetches the ID token from the pipeline and presents it as the client assertion', async function () {
      server = await startScriptedServer([], { status: 200, body: JSON.stringify({ oidcToken: 'agent-issued-jwt' }) }, authority('federated-token'));
      const secrets: string[] = [];
      const credential = createCredential(
        connectionWith(
          { scheme: 'WorkloadIdentityFederation', tenantId: TENANT, clientId: 'app-2', oidcRequestUri: `${server.url}/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken`, systemAccessToken: 'job-access-token' },
          `${server.url}/`,
        ),
        { retry: FAST, onSecret: (s) => secrets.push(s) },
      );
      const token = await credential.getToken('https://management.azure.com/.default');
      assert.equal(token?.token, 'federated-token');

      const oidcRequests = server.requests.filter((r) => r.url.includes('oidctoken'));
      assert.equal(oidcRequests.length, 1, 'one ID token request per sign-in');
      const oidc = oidcRequests[0]!;
      assert.equal(oidc.method, 'POST');
      const url = new URL(oidc.url, server.url);
      assert.equal(url.searchParams.get('api-version'), '7.1');
      assert.equal(url.searchParams.get('serviceConnectionId'), 'a1b2c3d4-0000-0000-0000-000000000001');
      assert.equal(oidc.headers.authorization, 'Bearer job-access-token');
      assert.equal(oidc.headers['content-type'], 'application/json');
      assert.equal(oidc.headers['x-tfs-fedauthredirect'], 'Suppress');

      const form = new URLSearchParams(server.requests.find((r) => r.url.split('?')[0]!.endsWith('/oauth2/v2.0/token'))!.body);
      assert.equal(form.get('client_assertion'), 'agent-issued-jwt');
      assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.ok(secrets.includes('agent-issued-jwt'), 'the ID token is masked');
    });

    it('retries the ID token request through a 503 and a reset', async function () {
      server = await startScriptedServer([{ status: 503, headers: { 'retry-after': '0' } }, 'reset'], { status: 200, body: '{"oidcToken":"jwt"}' }, authority('t'));
      const credential = createCredential(
        connectionWith({ scheme: 'WorkloadIdentityFederation', tenantId: TENANT, clientId: 'c', oidcRequestUri: `${server.url}/oidc`, systemAccessToken: 'x' }, `${server.url}/`),
        { retry: FAST },
      );
      assert.equal((await credential.getToken('https://management.azure.com/.default'))?.token, 't');
      assert.equal(server.requests.filter((r) => r.url.startsWith('/oidc')).length, 3, 'answered 503, reset, then the token');
    });

    it('fails with the service reply, not the access token, when the pipeline refuses the ID token', async function () {
      server = await startScriptedServer([], { status: 401, body: '{"message":"TF400813: The user is not authorized"}' }, authority('never'));
      const credential = createCredential(
        connectionWith({ scheme: 'WorkloadIdentityFederation', tenantId: TENANT, clientId: 'c', oidcRequestUri: `${server.url}/oidc`, systemAccessToken: 'SECRET-JOB-TOKEN' }, `${server.url}/`),
        { retry: FAST },
      );
      await assert.rejects(credential.getToken('https://management.azure.com/.default'), (e: Error) => {
        assert.match(e.message, /ID token request for service connection 'a1b2c3d4-0000-0000-0000-000000000001' failed with HTTP 401/);
        assert.match(e.message, /TF400813/);
        assert.doesNotMatch(e.message, /SECRET-JOB-TOKEN/);
        assert.doesNotMatch(e.stack ?? '', /SECRET-JOB-TOKEN/);
        return true;
      });
    });
  });
});
