/**
 * Entra ID's OAuth error replies: the HTTP status, the OAuth error code and an
 * AADSTS description, shaped like the service's so MSAL surfaces them the same way.
 */
import { randomUUID } from 'node:crypto';

export interface EntraError {
  status: number;
  body: {
    error: string;
    error_description: string;
    error_codes: number[];
    timestamp: string;
    trace_id: string;
    correlation_id: string;
    error_uri: string;
  };
}

function entraError(status: number, error: string, code: number, message: string): EntraError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export const errors = {
  tenantNotFound: (tenant: string) =>
    entraError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  unknownClient: (clientId: string, tenant: string) =>
    entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`),
  invalidSecret: (clientId: string) =>
    entraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  noCredential: () =>
    entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  certificateSignature: () =>
    entraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.'),
  assertionInvalid: (reason: string) => entraError(401, 'invalid_client', 700023, `Client assertion audience, issuer or subject is invalid: ${reason}.`),
  assertionExpired: () => entraError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.'),
  federatedIssuerUnknown: (issuer: string) =>
    entraError(400, 'invalid_request', 700211, `No matching federated identity record found for presented assertion issuer '${issuer}'. Please note that the matching is done using a case-sensitive comparison.`),
  federatedSignature: () =>
    entraError(400, 'invalid_client', 50013, 'Assertion failed signature validation. [Reason - The key was not found.]'),
  federatedNoMatch: (issuer: string, subject: string, audience: string) =>
    entraError(400, 'invalid_client', 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'.`),
  unsupportedGrant: (grant: string) =>
    entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  badRequest: (message: string) => entraError(400, 'invalid_request', 900144, message),
  invalidScope: (scope: string) =>
    entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
};
