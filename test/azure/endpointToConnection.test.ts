import * as assert from 'node:assert/strict';
import { ServiceConnectionError } from '../../shared/azure/connectionError';
import { createLocalizer, taskMessages } from '../support/localizer';

const taskLoc = createLocalizer(taskMessages);
import { serviceConnectionFromEndpoint, type EndpointAuthorization } from '../../shared/azure/endpointToConnection';

const ID = '6a4f0c5e-1d2b-4c3a-9e8f-0123456789ab';
const ARM = 'https://management.azure.com/';

/** Data lookup as task-lib does it: keys compared without case. */
function dataOf(values: Record<string, string>): (key: string) => string | undefined {
  return (key) => Object.entries(values).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

const baseData = dataOf({ subscriptionId: 'sub-1', subscriptionName: 'Prod', environment: 'AzureCloud' });

function expectError(fn: () => unknown, key: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ServiceConnectionError, String(e));
    assert.equal(e.messageKey, key);
    assert.equal(e.inputName, 'azureSubscription');
    assert.match(e.format(taskLoc), /^Input 'azureSubscription': /);
    assert.match(e.format(taskLoc), pattern);
    return true;
  });
}

describe('serviceConnectionFromEndpoint', function () {
  it('reads a service principal with a key, whatever the case of the parameter names', function () {
    const auth: EndpointAuthorization = {
      scheme: 'ServicePrincipal',
      parameters: { ServicePrincipalId: 'app', ServicePrincipalKey: 's3cret', TenantId: 'tenant', authenticationType: 'spnKey' },
    };
    assert.deepEqual(serviceConnectionFromEndpoint(ID, ARM, auth, baseData, {}), {
      id: ID,
      subscriptionId: 'sub-1',
      subscriptionName: 'Prod',
      resourceManagerUrl: ARM,
      authorityHost: 'https://login.microsoftonline.com/',
      environment: 'AzureCloud',
      auth: { scheme: 'ServicePrincipalSecret', tenantId: 'tenant', clientId: 'app', clientSecret: 's3cret' },
    });
  });

  it('treats a service principal without authenticationType as a key (older connections)', function () {
    const auth = { scheme: 'serviceprincipal', parameters: { serviceprincipalid: 'app', serviceprincipalkey: 'k', tenantid: 't' } };
    assert.equal(serviceConnectionFromEndpoint(ID, ARM, auth, baseData, {}).auth.scheme, 'ServicePrincipalSecret');
  });

  it('reads a service principal with a certificate', function () {
    const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    const auth = {
      scheme: 'ServicePrincipal',
      parameters: { serviceprincipalid: 'app', tenantid: 't', authenticationType: 'spnCertificate', servicePrincipalCertificate: pem },
    };
    assert.deepEqual(serviceConnectionFromEndpoint(ID, ARM, auth, baseData, {}).auth, {
      scheme: 'ServicePrincipalCertificate',
      tenantId: 't',
      clientId: 'app',
      certificatePem: pem,
    });
  });

  it('reads workload identity federation with the pipeline values it needs', function () {
    const auth = { scheme: 'WorkloadIdentityFederation', parameters: { serviceprincipalid: 'app', tenantid: 't' } };
    const c = serviceConnectionFromEndpoint(ID, ARM, auth, baseData, { oidcRequestUri: 'https://dev.azure.com/o/p/_apis/oidc', systemAccessToken: 'tok' });
    assert.deepEqual(c.auth, {
      scheme: 'WorkloadIdentityFederation',
      tenantId: 't',
      clientId: 'app',
      oidcRequestUri: 'https://dev.azure.com/o/p/_apis/oidc',
      systemAccessToken: 'tok',
    });
  });

  it('reads a managed identity with its client id from the data', function () {
    const auth = { scheme: 'ManagedServiceIdentity', parameters: { tenantid: 't' } };
    const data = dataOf({ subscriptionid: 'sub-1', msiclientId: 'mi-client' });
    assert.deepEqual(serviceConnectionFromEndpoint(ID, ARM, auth, data, {}).auth, { scheme: 'ManagedServiceIdentity', tenantId: 't', clientId: 'mi-client' });
    assert.deepEqual(serviceConnectionFromEndpoint(ID, ARM, { scheme: 'ManagedServiceIdentity', parameters: {} }, baseData, {}).auth, {
      scheme: 'ManagedServiceIdentity',
    });
  });

  it('takes the ARM URL, authority, audience and cloud from the connection (sovereign clouds, local stand-ins)', function () {
    const auth = { scheme: 'ServicePrincipal', parameters: { serviceprincipalid: 'a', serviceprincipalkey: 'k', tenantid: 't' } };
    const data = dataOf({
      subscriptionid: 'sub-1',
      environment: 'AzureUSGovernment',
      environmentAuthorityUrl: 'https://login.microsoftonline.us',
      activeDirectoryServiceEndpointResourceId: 'https://management.core.usgovcloudapi.net/',
    });
    const c = serviceConnectionFromEndpoint(ID, 'https://management.usgovcloudapi.net', auth, data, {});
    assert.equal(c.resourceManagerUrl, 'https://management.usgovcloudapi.net/');
    assert.equal(c.authorityHost, 'https://login.microsoftonline.us/');
    assert.equal(c.resourceManagerAudience, 'https://management.core.usgovcloudapi.net/');
    assert.equal(c.environment, 'AzureUSGovernment');
    const local = serviceConnectionFromEndpoint(ID, 'https://127.0.0.1:8443//', auth, dataOf({ subscriptionid: 's' }), {});
    assert.equal(local.resourceManagerUrl, 'https://127.0.0.1:8443/');
  });

  describe('errors name the input and what is wrong', function () {
    const sp = (parameters: Record<string, string>) => ({ scheme: 'ServicePrincipal', parameters });

    it('a missing key', function () {
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, sp({ serviceprincipalid: 'a', tenantid: 't' }), baseData, {}), 'ConnectionMissingAuthParameter', /'serviceprincipalkey'/);
      expectError(
        () => serviceConnectionFromEndpoint(ID, ARM, sp({ serviceprincipalid: 'a', tenantid: 't', authenticationType: 'spnCertificate' }), baseData, {}),
        'ConnectionMissingAuthParameter',
        /'servicePrincipalCertificate'/,
      );
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, sp({ serviceprincipalkey: 'k', tenantid: 't' }), baseData, {}), 'ConnectionMissingAuthParameter', /'serviceprincipalid'/);
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, sp({ serviceprincipalid: 'a', serviceprincipalkey: '  ' }), baseData, {}), 'ConnectionMissingAuthParameter', /'tenantid'/);
    });

    it('an unsupported scheme or authentication type', function () {
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, { scheme: 'UsernamePassword', parameters: {} }, baseData, {}), 'ConnectionUnsupportedScheme', /'UsernamePassword'/);
      expectError(
        () => serviceConnectionFromEndpoint(ID, ARM, sp({ serviceprincipalid: 'a', tenantid: 't', authenticationType: 'spnAdfs' }), baseData, {}),
        'ConnectionUnsupportedAuthenticationType',
        /'spnAdfs'/,
      );
    });

    it('workload identity federation without the pipeline values', function () {
      const wif = { scheme: 'WorkloadIdentityFederation', parameters: { serviceprincipalid: 'a', tenantid: 't' } };
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, wif, baseData, { systemAccessToken: 'x' }), 'ConnectionMissingPipelineValue', /System\.OidcRequestUri/);
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, wif, baseData, { oidcRequestUri: 'https://x' }), 'ConnectionMissingPipelineValue', /System\.AccessToken/);
    });

    it('no subscription, no or a bad URL, no authorization', function () {
      const ok = sp({ serviceprincipalid: 'a', serviceprincipalkey: 'k', tenantid: 't' });
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, ok, dataOf({}), {}), 'ConnectionMissingSubscription', /subscription/);
      expectError(() => serviceConnectionFromEndpoint(ID, undefined, ok, baseData, {}), 'ConnectionMissingUrl', /Resource Manager URL/);
      expectError(() => serviceConnectionFromEndpoint(ID, 'http://management.azure.com/', ok, baseData, {}), 'ConnectionInvalidUrl', /must be an https URL/);
      expectError(() => serviceConnectionFromEndpoint(ID, 'not a url', ok, baseData, {}), 'ConnectionInvalidUrl', /'not a url'/);
      expectError(() => serviceConnectionFromEndpoint(ID, ARM, undefined, baseData, {}), 'ConnectionNoAuthorization', new RegExp(ID));
    });

    it('never puts a secret into the message', function () {
      try {
        serviceConnectionFromEndpoint(ID, ARM, sp({ serviceprincipalid: 'a', serviceprincipalkey: 'TOPSECRET', authenticationType: 'weird' }), baseData, {});
        assert.fail('expected an error');
      } catch (e) {
        assert.doesNotMatch((e as Error).message, /TOPSECRET/);
      }
    });
  });
});
