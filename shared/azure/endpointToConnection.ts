/**
 * Turns an AzureRM service connection, as the agent hands it over (URL, auth
 * scheme + parameters, data), into a ServiceConnection. Pure: the caller reads
 * the values (task-lib, or a test) and passes them in.
 */
import { ServiceConnectionError } from './connectionError';
import type { ServiceConnection, ServiceConnectionAuth } from '../ports/serviceConnection';

export interface EndpointAuthorization {
  scheme: string;
  parameters: Record<string, string>;
}

/** Values the pipeline provides for workload identity federation. */
export interface PipelineIdentityContext {
  /** SYSTEM_OIDCREQUESTURI */
  oidcRequestUri?: string;
  /** System.AccessToken (the SYSTEMVSSCONNECTION token). */
  systemAccessToken?: string;
}

const INPUT = 'azureSubscription';
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/';
const DEFAULT_ENVIRONMENT = 'AzureCloud';

function fail(key: string, args: string[]): never {
  throw new ServiceConnectionError(key, args);
}

/** Auth parameter lookup ignoring case: the agent keeps the keys' case as the server sent them, which varies. */
function parameter(auth: EndpointAuthorization, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(auth.parameters)) {
    if (k.toLowerCase() === wanted) return v.trim() === '' ? undefined : v;
  }
  return undefined;
}

function requiredParameter(id: string, auth: EndpointAuthorization, key: string): string {
  const value = parameter(auth, key);
  if (value === undefined) {
    fail(
      'ConnectionMissingAuthParameter',
      [INPUT, id, key],
    );
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Parses an absolute https URL and returns it with exactly one trailing slash. */
function baseUrl(id: string, what: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('ConnectionInvalidUrl', [INPUT, id, what, value]);
  }
  if (url.protocol !== 'https:') {
    // Bearer tokens are only ever sent over TLS; the SDKs refuse otherwise, so say it here, clearly.
    fail(
      'ConnectionInvalidUrl',
      [INPUT, id, what, value],
    );
  }
  return url.href.replace(/\/+$/, '') + '/';
}

export function serviceConnectionFromEndpoint(
  id: string,
  url: string | undefined,
  auth: EndpointAuthorization | undefined,
  data: (key: string) => string | undefined,
  pipeline: PipelineIdentityContext,
): ServiceConnection {
  if (!auth) {
    fail('ConnectionNoAuthorization', [INPUT, id]);
  }
  const subscriptionId = nonEmpty(data('subscriptionid'));
  if (!subscriptionId) {
    fail(
      'ConnectionMissingSubscription',
      [INPUT, id],
    );
  }
  if (!nonEmpty(url)) {
    fail('ConnectionMissingUrl', [INPUT, id]);
  }
  const connection: Omit<ServiceConnection, 'auth'> = {
    id,
    subscriptionId,
    resourceManagerUrl: baseUrl(id, 'Resource Manager URL', url!.trim()),
    authorityHost: baseUrl(id, 'environmentAuthorityUrl', nonEmpty(data('environmentAuthorityUrl')) ?? DEFAULT_AUTHORITY),
    environment: nonEmpty(data('environment')) ?? DEFAULT_ENVIRONMENT,
  };
  const audience = nonEmpty(data('activeDirectoryServiceEndpointResourceId'));
  if (audience) connection.resourceManagerAudience = baseUrl(id, 'activeDirectoryServiceEndpointResourceId', audience);
  const subscriptionName = nonEmpty(data('subscriptionname'));
  if (subscriptionName) connection.subscriptionName = subscriptionName;
  return { ...connection, auth: authOf(id, auth, data, pipeline) };
}

function authOf(
  id: string,
  auth: EndpointAuthorization,
  data: (key: string) => string | undefined,
  pipeline: PipelineIdentityContext,
): ServiceConnectionAuth {
  // The agent and azure-arm-rest compare scheme names lower-case.
  switch (auth.scheme.toLowerCase()) {
    case 'serviceprincipal': {
      const tenantId = requiredParameter(id, auth, 'tenantid');
      const clientId = requiredParameter(id, auth, 'serviceprincipalid');
      // Connections made before certificates were supported carry no authenticationType: they are keys.
      const type = (parameter(auth, 'authenticationType') ?? 'spnKey').toLowerCase();
      if (type === 'spnkey') {
        return { scheme: 'ServicePrincipalSecret', tenantId, clientId, clientSecret: requiredParameter(id, auth, 'serviceprincipalkey') };
      }
      if (type === 'spncertificate') {
        return {
          scheme: 'ServicePrincipalCertificate',
          tenantId,
          clientId,
          certificatePem: requiredParameter(id, auth, 'servicePrincipalCertificate'),
        };
      }
      return fail(
        'ConnectionUnsupportedAuthenticationType',
        [INPUT, id, parameter(auth, 'authenticationType') ?? ''],
      );
    }
    case 'workloadidentityfederation': {
      const tenantId = requiredParameter(id, auth, 'tenantid');
      const clientId = requiredParameter(id, auth, 'serviceprincipalid');
      const oidcRequestUri = nonEmpty(pipeline.oidcRequestUri);
      if (!oidcRequestUri) {
        fail(
          'ConnectionMissingPipelineValue',
          [INPUT, id, 'System.OidcRequestUri'],
        );
      }
      const systemAccessToken = nonEmpty(pipeline.systemAccessToken);
      if (!systemAccessToken) {
        fail(
          'ConnectionMissingPipelineValue',
          [INPUT, id, 'System.AccessToken'],
        );
      }
      return { scheme: 'WorkloadIdentityFederation', tenantId, clientId, oidcRequestUri, systemAccessToken };
    }
    case 'managedserviceidentity': {
      const result: ServiceConnectionAuth = { scheme: 'ManagedServiceIdentity' };
      const tenantId = parameter(auth, 'tenantid');
      const clientId = nonEmpty(data('msiclientId'));
      if (tenantId) result.tenantId = tenantId;
      if (clientId) result.clientId = clientId;
      return result;
    }
    default:
      return fail(
        'ConnectionUnsupportedScheme',
        [INPUT, id, auth.scheme],
      );
  }
}
