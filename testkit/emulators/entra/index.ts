/**
 * Entra ID stand-in: OpenID discovery, the v2.0 token endpoint for the client
 * credentials grant (secret, certificate assertion, federated assertion) and an
 * App Service style managed identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER),
 * issuing RS256 access tokens the storage and ARM stand-ins verify.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { authenticateClient, JWT_BEARER, type AppRegistration, type ClientProof } from './clientAuth';
import { errors, type EntraError } from './errors';
import { listenHttps, sendJson, type HandlerContext, type RequestLogEntry, type ServerTls } from './http';
import { ACCESS_TOKEN_LIFETIME_SECONDS, audienceForResource, audienceForScope, createTokenSigner } from './tokens';

export type { AppRegistration, FederatedCredential } from './clientAuth';
export type { RequestLogEntry } from './http';
export { audienceForScope, audienceForResource, audienceMatches } from './tokens';

export interface ManagedIdentityRegistration {
  tenantId: string;
  clientId: string;
  /** Object (principal) id; a fresh GUID when left out. */
  principalId?: string;
  /** ARM id of a user-assigned identity; leave out for the system-assigned identity. */
  resourceId?: string;
}

export interface IssueOptions {
  tenantId: string;
  audience: string;
  clientId?: string;
  objectId?: string;
  /** A managed identity's resource id, put into xms_mirid. */
  identityResourceId?: string;
  lifetimeSeconds?: number;
}

export interface EntraEmulator {
  /** Pass as authorityHost: https://127.0.0.1:<port> */
  readonly authorityHost: string;
  /** Values for IDENTITY_ENDPOINT / IDENTITY_HEADER (App Service managed identity). */
  readonly managedIdentityEndpoint: string;
  readonly managedIdentityHeader: string;
  readonly jwks: JSONWebKeySet;
  registerApp(app: AppRegistration): Required<Pick<AppRegistration, 'objectId'>> & AppRegistration;
  /** The identity the managed identity endpoint answers for; the first system-assigned one is the default. */
  registerManagedIdentity(identity: ManagedIdentityRegistration): Required<Pick<ManagedIdentityRegistration, 'principalId'>> & ManagedIdentityRegistration;
  /** Trusts an external issuer's keys for federated credentials (in-process key set or a JWKS URL). */
  trustIssuer(issuer: string, keys: JSONWebKeySet | URL): void;
  /** Issues an access token in-process, as the service would for that principal. */
  issue(options: IssueOptions): Promise<string>;
  verifyAccessToken(token: string, audience: string): Promise<boolean>;
  requests(): readonly RequestLogEntry[];
  stop(): Promise<void>;
}

export interface StartEntraOptions {
  tls: ServerTls;
}

const TENANT_PATH = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/;
const MSI_PATH = '/msi/token';

export async function startEntraEmulator(options: StartEntraOptions): Promise<EntraEmulator> {
  const signer = await createTokenSigner();
  const apps = new Map<string, Required<Pick<AppRegistration, 'objectId'>> & AppRegistration>(); // key: tenant/clientId
  const tenants = new Set<string>();
  const identities: (Required<Pick<ManagedIdentityRegistration, 'principalId'>> & ManagedIdentityRegistration)[] = [];
  const trusted = new Map<string, JWTVerifyGetKey>();
  const identityHeader = randomBytes(24).toString('hex');
  const appKey = (tenant: string, clientId: string) => `${tenant.toLowerCase()}/${clientId.toLowerCase()}`;

  let origin = '';
  const sendError = (ctx: HandlerContext, e: EntraError) => sendJson(ctx.res, e.status, e.body);

  const handleToken = async (ctx: HandlerContext, tenant: string) => {
    if (ctx.req.method !== 'POST') return sendError(ctx, errors.badRequest('The token endpoint takes POST.'));
    const form = new URLSearchParams(ctx.body);
    const grant = form.get('grant_type') ?? '';
    const clientId = form.get('client_id') ?? '';
    ctx.note(`grant_type=${grant} client_id=${clientId}`);
    if (grant !== 'client_credentials') return sendError(ctx, errors.unsupportedGrant(grant));
    const app = apps.get(appKey(tenant, clientId));
    if (!app) return sendError(ctx, errors.unknownClient(clientId, tenant));
    const scope = form.get('scope') ?? '';
    const audience = audienceForScope(scope);
    if (!audience) return sendError(ctx, errors.invalidScope(scope));

    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    let proof: ClientProof;
    if (secret !== null) proof = { kind: 'secret', secret };
    else if (assertion !== null) {
      if (form.get('client_assertion_type') !== JWT_BEARER) {
        return sendError(ctx, errors.badRequest(`client_assertion_type must be ${JWT_BEARER}.`));
      }
      proof = { kind: 'assertion', assertion };
    } else return sendError(ctx, errors.noCredential());

    const tokenEndpoint = `${origin}/${tenant}/oauth2/v2.0/token`;
    const outcome = await authenticateClient(app, proof, {
      assertionAudiences: [tokenEndpoint, `${origin}/${tenant}/v2.0`],
      issuerKeys: (issuer) => trusted.get(issuer),
    });
    if (!outcome.ok) {
      ctx.note(`refused: AADSTS${outcome.error.body.error_codes[0]}`);
      return sendError(ctx, outcome.error);
    }
    ctx.note(`authenticated by ${outcome.method}`);
    const { token } = await signer.sign({ tenantId: app.tenantId, clientId: app.clientId, objectId: app.objectId }, audience);
    sendJson(ctx.res, 200, {
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: token,
    });
  };

  const handleManagedIdentity = async (ctx: HandlerContext) => {
    // App Service answers errors as {statusCode, message}; MSAL reads "message".
    if (ctx.req.headers['x-identity-header'] !== identityHeader) {
      return sendJson(ctx.res, 401, { statusCode: 401, message: 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.' });
    }
    const q = ctx.url.searchParams;
    const resource = q.get('resource');
    if (!resource) return sendJson(ctx.res, 400, { statusCode: 400, message: 'The resource parameter is required.' });
    const clientId = q.get('client_id');
    const resourceId = q.get('mi_res_id');
    const principalId = q.get('principal_id') ?? q.get('object_id');
    const identity = clientId
      ? identities.find((i) => i.clientId.toLowerCase() === clientId.toLowerCase())
      : resourceId
        ? identities.find((i) => i.resourceId?.toLowerCase() === resourceId.toLowerCase())
        : principalId
          ? identities.find((i) => i.principalId.toLowerCase() === principalId.toLowerCase())
          : identities.find((i) => !i.resourceId);
    ctx.note(`managed identity ${clientId ?? resourceId ?? principalId ?? 'system-assigned'}`);
    if (!identity) {
      return sendJson(ctx.res, 400, { statusCode: 400, message: 'No managed identity found for specified ClientId/ResourceId/PrincipalId.' });
    }
    const audience = audienceForResource(resource);
    const { token, expiresOn } = await signer.sign(
      { tenantId: identity.tenantId, clientId: identity.clientId, objectId: identity.principalId, ...(identity.resourceId ? { resourceId: identity.resourceId } : {}) },
      audience,
    );
    sendJson(ctx.res, 200, { access_token: token, expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: identity.clientId });
  };

  const server = await listenHttps(options.tls, async (ctx) => {
    if (ctx.url.pathname === MSI_PATH && ctx.req.method === 'GET') return handleManagedIdentity(ctx);
    const m = TENANT_PATH.exec(ctx.url.pathname);
    if (!m) return sendJson(ctx.res, 404, { error: 'not_found', error_description: `No route for ${ctx.req.method} ${ctx.url.pathname}` });
    const tenant = decodeURIComponent(m[1] as string);
    if (!tenants.has(tenant.toLowerCase())) return sendError(ctx, errors.tenantNotFound(tenant));
    switch (m[2]) {
      case 'v2.0/.well-known/openid-configuration':
        return sendJson(ctx.res, 200, openIdConfiguration(origin, tenant));
      case 'discovery/v2.0/keys':
        return sendJson(ctx.res, 200, signer.jwks);
      default:
        return handleToken(ctx, tenant);
    }
  });
  origin = server.origin;

  return {
    authorityHost: origin,
    managedIdentityEndpoint: `${origin}${MSI_PATH}`,
    managedIdentityHeader: identityHeader,
    jwks: signer.jwks,
    registerApp(app) {
      const registered = { ...app, objectId: app.objectId ?? randomUUID() };
      apps.set(appKey(app.tenantId, app.clientId), registered);
      tenants.add(app.tenantId.toLowerCase());
      return registered;
    },
    registerManagedIdentity(identity) {
      const registered = { ...identity, principalId: identity.principalId ?? randomUUID() };
      identities.push(registered);
      tenants.add(identity.tenantId.toLowerCase());
      return registered;
    },
    trustIssuer(issuer, keys) {
      trusted.set(issuer, keys instanceof URL ? createRemoteJWKSet(keys) : createLocalJWKSet(keys));
    },
    async issue(o) {
      const { token } = await signer.sign(
        {
          tenantId: o.tenantId,
          clientId: o.clientId ?? randomUUID(),
          objectId: o.objectId ?? randomUUID(),
          ...(o.identityResourceId ? { resourceId: o.identityResourceId } : {}),
        },
        o.audience,
        o.lifetimeSeconds,
      );
      return token;
    },
    verifyAccessToken: (token, audience) => signer.verify(token, audience),
    requests: server.requests,
    stop: server.stop,
  };
}

function openIdConfiguration(origin: string, tenant: string): Record<string, unknown> {
  const base = `${origin}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}
