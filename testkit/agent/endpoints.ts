/**
 * The ENDPOINT_* environment family of Handler.AddEndpointsToEnvironment, and
 * which authorization parameters the agent masks (MaskingUtil).
 */
import { toEnvName } from './variables';

export interface AgentEndpoint {
  url: string;
  scheme: string;
  parameters: Record<string, string>;
  data?: Record<string, string>;
}

/** Authorization parameters the agent does NOT treat as secrets; everything else is masked. */
const NON_SECRET_AUTH_PARAMETERS = new Set(
  [
    'role',
    'scope',
    'tenantid',
    'issuedAt',
    'expiresAt',
    'audience',
    'authenticationType',
    'authorizationType',
    'accessTokenType',
    'accessTokenFetchingMethod',
    'UseWindowsSecurity',
    'unsecured',
    'oAuthAccessTokenIsSupplied',
    'completeCallbackPayload',
    'acceptUntrustedCerts',
  ].map((k) => k.toLowerCase()),
);

export function isSecretAuthParameter(key: string): boolean {
  return !NON_SECRET_AUTH_PARAMETERS.has(key.toLowerCase());
}

/**
 * @param key the lower-case endpoint id, or `SYSTEMVSSCONNECTION` (which gets no DATA variables).
 */
export function endpointToEnvironment(key: string, endpoint: AgentEndpoint): Record<string, string> {
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${key}`]: endpoint.url,
    [`ENDPOINT_AUTH_${key}`]: JSON.stringify({ parameters: endpoint.parameters, scheme: endpoint.scheme }),
    [`ENDPOINT_AUTH_SCHEME_${key}`]: endpoint.scheme,
  };
  for (const [name, value] of Object.entries(endpoint.parameters)) {
    env[`ENDPOINT_AUTH_PARAMETER_${key}_${toEnvName(name)}`] = value;
  }
  if (key !== 'SYSTEMVSSCONNECTION') {
    const data = endpoint.data ?? {};
    env[`ENDPOINT_DATA_${key}`] = JSON.stringify(data);
    for (const [name, value] of Object.entries(data)) env[`ENDPOINT_DATA_${key}_${toEnvName(name)}`] = value;
  }
  return env;
}
