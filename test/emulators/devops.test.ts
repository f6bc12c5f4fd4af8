import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WebApi, getBearerHandler } from 'azure-devops-node-api';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { OIDC_AUDIENCE, startDevOpsEmulator, type DevOpsEmulator } from '../../testkit/emulators/devops/index';
import { getTestTls } from '../../testkit/emulators/tls';

describe('Azure DevOps emulator: OIDC tokens for workload identity federation', function () {
  let devops: DevOpsEmulator;
  let connection: { id: string; name: string; subject: string };

  before(async function () {
    devops = await startDevOpsEmulator({ tls: getTestTls(), organization: 'contoso', project: 'Images' });
    connection = devops.registerConnection({ id: randomUUID(), name: 'prod-subscription' });
  });
  after(async function () {
    await devops?.stop();
  });

  const post = (url: string, token?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tfs-fedauthredirect': 'Suppress', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: '{}',
    });

  it('hands out a signed token for the connection at SYSTEM_OIDCREQUESTURI with the job access token', async function () {
    const res = await post(`${devops.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connection.id}`, devops.jobAccessToken);
    assert.equal(res.status, 200);
    const { oidcToken } = (await res.json()) as { oidcToken: string };
    const { payload, protectedHeader } = await jwtVerify(oidcToken, createLocalJWKSet(devops.jwks), {
      issuer: devops.issuer,
      audience: OIDC_AUDIENCE,
      subject: 'sc://contoso/Images/prod-subscription',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.match(devops.issuer, /^https:\/\/vstoken\.dev\.azure\.com\/[0-9a-f-]{36}$/);
    assert.ok((payload.exp as number) > Date.now() / 1000);
    assert.equal(connection.subject, 'sc://contoso/Images/prod-subscription');
  });

  it('answers 401 without the job access token or with another token', async function () {
    const url = `${devops.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connection.id}`;
    assert.equal((await post(url)).status, 401);
    assert.equal((await post(url, 'not-the-job-token')).status, 401);
    const log = devops.requests().filter((r) => r.method === 'POST');
    assert.deepEqual(log.slice(-2).map((r) => r.status), [401, 401]);
  });

  it('refuses a connection it does not know and a plan or job that is not the running one', async function () {
    const unknown = await post(`${devops.oidcRequestUri}?api-version=7.1&serviceConnectionId=${randomUUID()}`, devops.jobAccessToken);
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { message: string }).message, /Service connection .* was not found/);
    const otherPlan = devops.oidcRequestUri.replace(devops.planId, randomUUID());
    assert.equal((await post(`${otherPlan}?serviceConnectionId=${connection.id}`, devops.jobAccessToken)).status, 404);
  });

  it('serves the distributedtask route through azure-devops-node-api, location lookup included', async function () {
    const api = new WebApi(devops.collectionUri, getBearerHandler(devops.jobAccessToken));
    const taskApi = await api.getTaskApi();
    const result = await taskApi.createOidcToken({}, devops.projectId, 'build', devops.planId, devops.jobId, connection.id);
    const { payload } = await jwtVerify(result.oidcToken as string, createLocalJWKSet(devops.jwks), { issuer: devops.issuer, audience: OIDC_AUDIENCE });
    assert.equal(payload.sub, connection.subject);
    const calls = devops.requests().slice(-2);
    assert.deepEqual(calls.map((c) => [c.method, c.status]), [['OPTIONS', 200], ['POST', 200]]);
    assert.match(calls[1]?.path ?? '', /\/oidctoken\?serviceConnectionId=/);
  });
});
