/**
 * Token credentials for each AzureRM service connection scheme, pointed at the
 * authority the connection names, so sovereign clouds and local stand-ins
 * sign in through the same code.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type ClientAssertionCredentialOptions,
} from '@azure/identity';
import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import { applyRetryPolicy, type RetryTuning } from './retry';
import { applyNetworkSettings, networkClientOptions, surfacingProxyFailures } from './network';
import { networkSecretsOf } from '../ports/networkSettings';
import type { ServiceConnection } from '../ports/serviceConnection';

/**
 * Authority hosts of the public and sovereign clouds. MSAL's instance
 * discovery knows these; for any other host (Azure Stack, a local stand-in)
 * discovery would ask login.microsoftonline.com about an authority it has never
 * heard of and fail, or reach the internet from an air-gapped agent, so it is
 * turned off and the connection's authority is trusted as given.
 */
const WELL_KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
  'login.windows.net',
]);

export function isWellKnownAuthority(authorityHost: string): boolean {
  return WELL_KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
}

/** `<resource>/.default` with exactly one slash between, whatever the URL's trailing slashes. */
export function scopeFor(resourceUrl: string): string {
  return `${resourceUrl.replace(/\/+$/, '')}/.default`;
}

/** The scope of tokens for Resource Manager: the connection's ARM audience when it names one, else its ARM URL. */
export function armScopeOf(connection: ServiceConnection): string {
  return scopeFor(connection.resourceManagerAudience ?? connection.resourceManagerUrl);
}

export interface CreateCredentialOptions {
  /** Retry settings for the ID token request of workload identity federation. */
  retry?: RetryTuning;
  /** Called with each value that must be masked from now on (the agent-issued ID token). */
  onSecret?(value: string): void;
  /** Transport for the ID token request; the default Node client unless a test supplies one. */
  httpClient?: HttpClient;
}

export function createCredential(connection: ServiceConnection, options: CreateCredentialOptions = {}): TokenCredential {
  return surfacingProxyFailures(credentialFor(connection, options), connection.network);
}

function credentialFor(connection: ServiceConnection, options: CreateCredentialOptions): TokenCredential {
  const common = {
    authorityHost: connection.authorityHost,
    ...(isWellKnownAuthority(connection.authorityHost) ? {} : { disableInstanceDiscovery: true }),
    // Token requests go through the agent's proxy with its certificates, like every other call.
    ...networkClientOptions(connection.network),
  };
  const auth = connection.auth;
  switch (auth.scheme) {
    case 'ServicePrincipalSecret':
      return new ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret, common);
    case 'ServicePrincipalCertificate':
      // The PEM holds the private key and the certificate; it stays in memory, never on disk.
      return new ClientCertificateCredential(auth.tenantId, auth.clientId, { certificate: auth.certificatePem }, common);
    case 'WorkloadIdentityFederation': {
      // Not AzurePipelinesCredential: it reads SYSTEM_OIDCREQUESTURI from process.env
      // (library code here takes everything from the connection), and on a failed
      // request it puts JSON.stringify(response) — the request with its
      // Authorization header, i.e. the job's access token — into the error text.
      // The request below is the same one (same URL, headers and reply), made
      // with this task's retry policy and errors that carry no secret.
      const assertionOptions: ClientAssertionCredentialOptions = common;
      const fetchIdToken = idTokenRequester(connection, auth.oidcRequestUri, auth.systemAccessToken, options);
      return new ClientAssertionCredential(auth.tenantId, auth.clientId, fetchIdToken, assertionOptions);
    }
    case 'ManagedServiceIdentity':
      // IMDS on the agent's VM issues the token; the authority plays no part.
      // The endpoint is on the machine itself (169.254.169.254 or localhost), never behind the agent's proxy.
      return auth.clientId ? new ManagedIdentityCredential(auth.clientId) : new ManagedIdentityCredential();
  }
}

/** Values of the connection that must never appear in a log (the agent's proxy password included). */
export function secretsOf(connection: ServiceConnection): string[] {
  return [...authSecretsOf(connection), ...networkSecretsOf(connection.network)];
}

function authSecretsOf(connection: ServiceConnection): string[] {
  const auth = connection.auth;
  switch (auth.scheme) {
    case 'ServicePrincipalSecret':
      return [auth.clientSecret];
    case 'ServicePrincipalCertificate':
      // The agent rejects multi-line secrets, so the key is masked line by line.
      return privateKeyLines(auth.certificatePem);
    case 'WorkloadIdentityFederation':
      return [auth.systemAccessToken];
    case 'ManagedServiceIdentity':
      return [];
  }
}

function privateKeyLines(pem: string): string[] {
  const lines: string[] = [];
  let inKey = false;
  for (const raw of pem.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^-----BEGIN [A-Z ]*PRIVATE KEY-----$/.test(line)) inKey = true;
    else if (/^-----END [A-Z ]*PRIVATE KEY-----$/.test(line)) inKey = false;
    else if (inKey && line !== '' && !line.includes(':')) lines.push(line); // skip "Proc-Type:"-style headers
  }
  return lines;
}

/** Wraps a credential so every token it issues is reported (to be masked) before anyone can print it. */
export function registeringTokens(credential: TokenCredential, onToken: (token: string) => void): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await credential.getToken(scopes, options);
      if (token) onToken(token.token);
      return token;
    },
  };
}

/** Failure of the agent's ID token endpoint; the message carries status and reply text, never the access token. */
class IdTokenRequestError extends Error {
  override readonly name = 'IdTokenRequestError';
  constructor(
    message: string,
    readonly statusCode: number | undefined,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

const OIDC_API_VERSION = '7.1';
const ID_TOKEN_REUSE_MS = 60_000;

/**
 * `POST <oidcRequestUri>?api-version=7.1&serviceConnectionId=<id>` with the
 * job's access token, as Azure Pipelines expects (see AzurePipelinesCredential);
 * the reply is `{"oidcToken": "<jwt>"}`.
 */
function idTokenRequester(
  connection: ServiceConnection,
  oidcRequestUri: string,
  systemAccessToken: string,
  options: CreateCredentialOptions,
): () => Promise<string> {
  const connectionId = connection.id;
  const pipeline = createEmptyPipeline();
  applyRetryPolicy(pipeline, options.retry);
  // The agent's own server, reached the way the agent reaches it.
  applyNetworkSettings(pipeline, connection.network);
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  const url = new URL(oidcRequestUri);
  url.searchParams.set('api-version', OIDC_API_VERSION);
  url.searchParams.set('serviceConnectionId', connectionId);

  // MSAL asks for the assertion more than once per token (twice in msal-node 3);
  // a short reuse spares the agent's endpoint the duplicate requests while
  // staying far inside the ID token's lifetime (minutes).
  let cached: { token: string; until: number } | undefined;
  const fetchIdToken = async (): Promise<string> => {
    const request = createPipelineRequest({
      url: url.href,
      method: 'POST',
      headers: createHttpHeaders({
        Authorization: `Bearer ${systemAccessToken}`,
        'Content-Type': 'application/json',
        // Without it the service answers an expired token with a sign-in redirect instead of 401.
        'X-TFS-FedAuthRedirect': 'Suppress',
      }),
    });
    const response = await pipeline.sendRequest(httpClient, request);
    const text = response.bodyAsText ?? '';
    let token: unknown;
    try {
      token = (JSON.parse(text) as { oidcToken?: unknown }).oidcToken;
    } catch {
      token = undefined;
    }
    if (response.status !== 200 || typeof token !== 'string' || token === '') {
      // The reply is the service's own error text; it never echoes the request's token.
      const detail = text.length > 500 ? `${text.slice(0, 500)}...` : text;
      throw new IdTokenRequestError(
        `The Azure Pipelines ID token request for service connection '${connectionId}' failed with HTTP ${response.status}: ${detail || '(empty reply)'}`,
        response.status,
      );
    }
    options.onSecret?.(token);
    return token;
  };
  return async () => {
    if (cached && Date.now() < cached.until) return cached.token;
    const token = await fetchIdToken();
    cached = { token, until: Date.now() + ID_TOKEN_REUSE_MS };
    return token;
  };
}
