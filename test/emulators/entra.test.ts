import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  type TokenCredential,
} from '@azure/identity';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { startDevOpsEmulator, type DevOpsEmulator } from '../../testkit/emulators/devops/index';
import { audienceForScope, startEntraEmulator, type EntraEmulator } from '../../testkit/emulators/entra/index';
import { getTestTls } from '../../testkit/emulators/tls';
import { repoRoot } from '../../testkit/repoRoot';

const ARM_SCOPE = 'https://management.azure.com/.default';
const STORAGE_SCOPE = 'https://storage.azure.com/.default';

function makeCertificate(dir: string, name: string): { certificatePem: string; pem: string } {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', `/CN=${name}`], {
    stdio: 'ignore',
  });
  const certificatePem = fs.readFileSync(crt, 'utf8');
  return { certificatePem, pem: fs.readFileSync(key, 'utf8') + certificatePem };
}

async function refusal(credential: TokenCredential, scope = ARM_SCOPE): Promise<string> {
  try {
    await credential.getToken(scope);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  assert.fail('the credential got a token it should have been refused');
}

describe('Entra ID emulator with @azure/identity', function () {
  let entra: EntraEmulator;
  let devops: DevOpsEmulator;
  let dir: string;
  const tenantId = randomUUID();
  const secretApp = { tenantId, clientId: randomUUID(), clientSecret: 'the-right-secret' };
  const certClientId = randomUUID();
  const fedClientId = randomUUID();
  let cert: { certificatePem: string; pem: string };
  let otherCert: { certificatePem: string; pem: string };
  let connection: { id: string; subject: string };
  let otherConnection: { id: string; subject: string };
  const options = () => ({ authorityHost: entra.authorityHost, disableInstanceDiscovery: true });
  const oidcToken = async (connectionId: string): Promise<string> => {
    const res = await fetch(`${devops.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connectionId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${devops.jobAccessToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { oidcToken: string }).oidcToken;
  };

  before(async function () {
    const tls = getTestTls();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-entra-test-'));
    cert = makeCertificate(dir, 'registered');
    otherCert = makeCertificate(dir, 'other');
    [entra, devops] = await Promise.all([startEntraEmulator({ tls }), startDevOpsEmulator({ tls })]);
    entra.registerApp(secretApp);
    entra.registerApp({ tenantId, clientId: certClientId, certificatePem: cert.certificatePem });
    connection = devops.registerConnection({ id: randomUUID(), name: 'federated' });
    otherConnection = devops.registerConnection({ id: randomUUID(), name: 'someone-else' });
    entra.trustIssuer(devops.issuer, devops.jwks);
    entra.registerApp({ tenantId, clientId: fedClientId, federated: { issuer: devops.issuer, subject: connection.subject, audience: 'api://AzureADTokenExchange' } });
  });

  after(async function () {
    await Promise.all([entra?.stop(), devops?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('maps scopes to the audience the resource expects', function () {
    assert.equal(audienceForScope(ARM_SCOPE), 'https://management.azure.com/');
    assert.equal(audienceForScope(STORAGE_SCOPE), 'https://storage.azure.com');
    assert.equal(audienceForScope('api://my-api/.default'), 'api://my-api');
    assert.equal(audienceForScope('https://management.azure.com/user_impersonation'), undefined);
  });

  it('serves OpenID discovery and its keys for a known tenant, and refuses an unknown tenant', async function () {
    const conf = (await (await fetch(`${entra.authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(conf.token_endpoint, `${entra.authorityHost}/${tenantId}/oauth2/v2.0/token`);
    assert.equal(conf.issuer, `${entra.authorityHost}/${tenantId}/v2.0`);
    assert.ok(conf.authorization_endpoint?.startsWith(entra.authorityHost));
    const keys = (await (await fetch(conf.jwks_uri as string)).json()) as { keys: Array<{ kid: string; kty: string }> };
    assert.deepEqual(keys.keys.map((k) => k.kty), ['RSA']);
    const unknown = await fetch(`${entra.authorityHost}/${randomUUID()}/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error_description: string }).error_description, /^AADSTS90002/);
  });

  it('issues a token for a client secret with the audience, issuer and ids Azure services check', async function () {
    const credential = new ClientSecretCredential(tenantId, secretApp.clientId, secretApp.clientSecret, options());
    const arm = await credential.getToken(ARM_SCOPE);
    const claims = decodeJwt(arm.token);
    assert.equal(claims.aud, 'https://management.azure.com/');
    assert.equal(claims.iss, `https://sts.windows.net/${tenantId}/`);
    assert.equal(claims.tid, tenantId);
    assert.equal(claims.appid, secretApp.clientId);
    assert.ok(arm.expiresOnTimestamp > Date.now() + 50 * 60_000);
    assert.equal(await entra.verifyAccessToken(arm.token, 'https://management.azure.com/'), true);
    assert.equal(await entra.verifyAccessToken(arm.token, 'https://storage.azure.com'), false);
    const storage = await credential.getToken(STORAGE_SCOPE);
    assert.equal(decodeJwt(storage.token).aud, 'https://storage.azure.com');
    const log = entra.requests().filter((r) => r.path.startsWith(`/${tenantId}/oauth2/v2.0/token`) && r.note?.includes(secretApp.clientId));
    assert.ok(log.length >= 2 && log.every((r) => r.status === 200 && r.note?.includes('authenticated by secret')));
  });

  it('refuses a wrong secret with AADSTS7000215 and an unknown client with AADSTS700016', async function () {
    assert.match(await refusal(new ClientSecretCredential(tenantId, secretApp.clientId, 'not-the-secret', options())), /AADSTS7000215/);
    assert.match(await refusal(new ClientSecretCredential(tenantId, randomUUID(), 'x', options())), /AADSTS700016/);
    const res = await fetch(`${entra.authorityHost}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: secretApp.clientId, client_secret: 'wrong', scope: ARM_SCOPE }),
    });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000215]);
  });

  it('does not accept a token it did not sign', async function () {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ tid: tenantId })
      .setProtectedHeader({ alg: 'RS256', kid: (entra.jwks.keys[0] as { kid: string }).kid })
      .setIssuer(`https://sts.windows.net/${tenantId}/`)
      .setAudience('https://management.azure.com/')
      .setExpirationTime('1h')
      .sign(privateKey);
    assert.equal(await entra.verifyAccessToken(forged, 'https://management.azure.com/'), false);
  });

  it('issues a token for a certificate assertion signed by the registered certificate', async function () {
    const credential = new ClientCertificateCredential(tenantId, certClientId, { certificate: cert.pem }, options());
    const token = await credential.getToken(ARM_SCOPE);
    assert.equal(decodeJwt(token.token).appid, certClientId);
    assert.equal(await entra.verifyAccessToken(token.token, 'https://management.azure.com'), true);
  });

  it('refuses an assertion signed by another certificate with AADSTS700027', async function () {
    const credential = new ClientCertificateCredential(tenantId, certClientId, { certificate: otherCert.pem }, options());
    assert.match(await refusal(credential), /AADSTS700027/);
  });

  it('refuses a certificate assertion with the right thumbprint but a signature by another key', async function () {
    const { X509Certificate, createHash } = await import('node:crypto');
    const der = new X509Certificate(cert.certificatePem).raw;
    const { privateKey } = await generateKeyPair('PS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'PS256', 'x5t#S256': createHash('sha256').update(der).digest('base64url') })
      .setIssuer(certClientId)
      .setSubject(certClientId)
      .setAudience(`${entra.authorityHost}/${tenantId}/oauth2/v2.0/token`)
      .setExpirationTime('10m')
      .sign(privateKey);
    const res = await fetch(`${entra.authorityHost}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: certClientId,
        scope: ARM_SCOPE,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    assert.equal(res.status, 401);
    assert.deepEqual(((await res.json()) as { error_codes: number[] }).error_codes, [700027]);
  });

  it('exchanges an Azure DevOps OIDC token for an access token (ClientAssertionCredential)', async function () {
    const credential = new ClientAssertionCredential(tenantId, fedClientId, () => oidcToken(connection.id), options());
    const token = await credential.getToken(ARM_SCOPE);
    assert.equal(decodeJwt(token.token).appid, fedClientId);
    assert.ok(entra.requests().some((r) => r.note?.includes(fedClientId) && r.note.includes('authenticated by federated')));
  });

  it('exchanges through AzurePipelinesCredential with SYSTEM_OIDCREQUESTURI', async function () {
    const saved = process.env.SYSTEM_OIDCREQUESTURI;
    let credential: AzurePipelinesCredential;
    try {
      process.env.SYSTEM_OIDCREQUESTURI = devops.oidcRequestUri;
      credential = new AzurePipelinesCredential(tenantId, fedClientId, connection.id, devops.jobAccessToken, options());
    } finally {
      if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
      else process.env.SYSTEM_OIDCREQUESTURI = saved;
    }
    const token = await credential.getToken(STORAGE_SCOPE);
    assert.equal(decodeJwt(token.token).aud, 'https://storage.azure.com');
    const oidcCalls = devops.requests().filter((r) => r.note === `serviceConnectionId=${connection.id}` && r.path.includes('api-version=7.1'));
    assert.ok(oidcCalls.length >= 1 && oidcCalls.every((r) => r.status === 200));
  });

  it('refuses a forged assertion: right issuer and subject, signed by another key', async function () {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: (devops.jwks.keys[0] as { kid: string }).kid })
      .setIssuer(devops.issuer)
      .setSubject(connection.subject)
      .setAudience('api://AzureADTokenExchange')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    assert.match(await refusal(new ClientAssertionCredential(tenantId, fedClientId, async () => forged, options())), /AADSTS50013/);
  });

  it('refuses a genuine token for another service connection (AADSTS70021) and an unknown issuer (AADSTS700211)', async function () {
    const other = new ClientAssertionCredential(tenantId, fedClientId, () => oidcToken(otherConnection.id), options());
    const message = await refusal(other);
    assert.match(message, /AADSTS70021/);
    assert.ok(message.includes(otherConnection.subject));
    const { privateKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://token.actions.githubusercontent.com')
      .setSubject(connection.subject)
      .setAudience('api://AzureADTokenExchange')
      .setExpirationTime('10m')
      .sign(privateKey);
    assert.match(await refusal(new ClientAssertionCredential(tenantId, fedClientId, async () => stranger, options())), /AADSTS700211/);
  });

  describe('managed identity (App Service endpoint)', function () {
    const systemClientId = randomUUID();
    const userClientId = randomUUID();
    const userResourceId = `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;

    before(function () {
      entra.registerManagedIdentity({ tenantId, clientId: systemClientId });
      entra.registerManagedIdentity({ tenantId, clientId: userClientId, resourceId: userResourceId });
    });

    // ManagedIdentityCredential reads IDENTITY_ENDPOINT/IDENTITY_HEADER at construction and MSAL
    // caches the source per process, so each case runs in its own Node process.
    async function tokenInChild(clientId: string | undefined, header = entra.managedIdentityHeader): Promise<{ token?: string; error?: string }> {
      const script = `
        const { ManagedIdentityCredential } = require('@azure/identity');
        const id = process.argv[1];
        const cred = id ? new ManagedIdentityCredential({ clientId: id }) : new ManagedIdentityCredential();
        cred.getToken('https://storage.azure.com/.default').then(
          (t) => console.log(JSON.stringify({ token: t.token })),
          (e) => console.log(JSON.stringify({ error: e.message })));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, clientId ?? ''], {
        cwd: repoRoot,
        env: { ...process.env, IDENTITY_ENDPOINT: entra.managedIdentityEndpoint, IDENTITY_HEADER: header },
      });
      return JSON.parse(stdout.trim().split('\n').pop() as string) as { token?: string; error?: string };
    }

    it('gives the system-assigned identity a token for the requested resource', async function () {
      const { token, error } = await tokenInChild(undefined);
      assert.equal(error, undefined);
      const claims = decodeJwt(token as string);
      assert.equal(claims.appid, systemClientId);
      assert.equal(claims.aud, 'https://storage.azure.com');
      assert.equal(claims.xms_mirid, undefined);
      assert.equal(await entra.verifyAccessToken(token as string, 'https://storage.azure.com'), true);
    });

    it('gives a user-assigned identity, chosen by client id, a token naming its resource id', async function () {
      const { token } = await tokenInChild(userClientId);
      const claims = decodeJwt(token as string);
      assert.equal(claims.appid, userClientId);
      assert.equal(claims.xms_mirid, userResourceId);
    });

    it('refuses an unknown client id and a wrong identity header', async function () {
      assert.match((await tokenInChild(randomUUID())).error ?? '', /No managed identity found/);
      assert.ok((await tokenInChild(undefined, 'wrong-header')).error);
      const wrongHeader = entra.requests().filter((r) => r.path.startsWith('/msi/token') && r.status === 401);
      assert.ok(wrongHeader.length >= 1);
    });
  });
});
