import * as assert from 'node:assert/strict';
import { createCredential } from '../../shared/azure/credentials';
import type { ServiceConnection, ServiceConnectionAuth } from '../../shared/ports/serviceConnection';
import { startLocalAzure, type LocalAzure } from '../../testkit/emulators/localAzure';

const ARM_AUDIENCE = 'https://management.azure.com/';
const ARM_SCOPE = 'https://management.azure.com/.default';
const FAST = { retryDelayInMs: 5, maxRetryDelayInMs: 20, maxRetries: 1 };

describe('createCredential against the Entra ID and Azure DevOps stand-ins', function () {
  this.timeout(120_000);
  let local: LocalAzure;

  before(async function () {
    local = await startLocalAzure({ seed: false, reuseStorage: true });
  });
  after(async function () {
    await local?.stop();
  });

  function connection(auth: ServiceConnectionAuth, id = 'conn-id'): ServiceConnection {
    return {
      id,
      subscriptionId: local.scenario.subscriptionId,
      resourceManagerUrl: `${local.arm.url}/`,
      resourceManagerAudience: ARM_AUDIENCE,
      authorityHost: local.entra.authorityHost,
      environment: 'AzureCloud',
      auth,
    };
  }

  it('a service principal with a secret gets an ARM token the authority vouches for', async function () {
    const { tenantId, secretApp } = local.scenario;
    const credential = createCredential(connection({ scheme: 'ServicePrincipalSecret', tenantId, clientId: secretApp.clientId, clientSecret: secretApp.clientSecret }));
    const token = await credential.getToken(ARM_SCOPE);
    assert.ok(token);
    assert.equal(await local.entra.verifyAccessToken(token.token, ARM_AUDIENCE), true);
  });

  it('a wrong secret is refused', async function () {
    const { tenantId, secretApp } = local.scenario;
    const credential = createCredential(connection({ scheme: 'ServicePrincipalSecret', tenantId, clientId: secretApp.clientId, clientSecret: 'not-the-secret' }));
    await assert.rejects(credential.getToken(ARM_SCOPE));
  });

  it('a service principal with a certificate signs in from the PEM in memory', async function () {
    const { tenantId, certificateApp } = local.scenario;
    const credential = createCredential(connection({ scheme: 'ServicePrincipalCertificate', tenantId, clientId: certificateApp.clientId, certificatePem: certificateApp.pem }));
    const token = await credential.getToken(ARM_SCOPE);
    assert.ok(token);
    assert.equal(await local.entra.verifyAccessToken(token.token, ARM_AUDIENCE), true);
  });

  it('workload identity federation trades the pipeline ID token for an ARM token', async function () {
    const { tenantId, federatedApp } = local.scenario;
    const secrets: string[] = [];
    const credential = createCredential(
      connection(
        {
          scheme: 'WorkloadIdentityFederation',
          tenantId,
          clientId: federatedApp.clientId,
          oidcRequestUri: local.devops.oidcRequestUri,
          systemAccessToken: local.devops.jobAccessToken,
        },
        federatedApp.serviceConnectionId,
      ),
      { retry: FAST, onSecret: (s) => secrets.push(s) },
    );
    const token = await credential.getToken(ARM_SCOPE);
    assert.ok(token);
    assert.equal(await local.entra.verifyAccessToken(token.token, ARM_AUDIENCE), true);
    assert.equal(secrets.length, 1, 'the ID token was registered as a secret');
  });

  it('workload identity federation fails clearly when the job token is not accepted', async function () {
    const { tenantId, federatedApp } = local.scenario;
    const credential = createCredential(
      connection(
        { scheme: 'WorkloadIdentityFederation', tenantId, clientId: federatedApp.clientId, oidcRequestUri: local.devops.oidcRequestUri, systemAccessToken: 'forged-job-token' },
        federatedApp.serviceConnectionId,
      ),
      { retry: FAST },
    );
    await assert.rejects(credential.getToken(ARM_SCOPE), (e: Error) => {
      assert.match(e.message, /ID token request for service connection '.*' failed with HTTP 40[13]/);
      assert.doesNotMatch(e.message, /forged-job-token/);
      return true;
    });
  });
});
