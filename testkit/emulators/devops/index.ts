/**
 * Azure DevOps stand-in for workload identity federation: the job-scoped OIDC
 * token endpoint (the SYSTEM_OIDCREQUESTURI route and the distributedtask
 * `oidctoken` route, which are one and the same resource) plus the OPTIONS
 * location lookup azure-devops-node-api makes first. Tokens are RS256 JWTs
 * signed with this emulator's key, with the claims Azure DevOps puts in them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import { bearerToken, listenHttps, sendJson, type HandlerContext, type RequestLogEntry, type ServerTls } from '../entra/http';

export const OIDC_AUDIENCE = 'api://AzureADTokenExchange';
export const OIDC_TOKEN_LOCATION_ID = '69a319f4-28c1-4bfd-93e6-ea0ff5c6f1a2';
const OIDC_TOKEN_LIFETIME_SECONDS = 600;

export interface ServiceConnectionRegistration {
  /** Endpoint id (GUID). */
  id: string;
  /** Connection name, as in sc://<org>/<project>/<name>. */
  name: string;
  /** Project name; the emulator's default project when left out. */
  project?: string;
}

export interface DevOpsEmulator {
  readonly organization: string;
  readonly organizationId: string;
  /** https://127.0.0.1:<port>/<org>/ (System.CollectionUri, ends with a slash). */
  readonly collectionUri: string;
  readonly project: string;
  readonly projectId: string;
  readonly planId: string;
  readonly jobId: string;
  /** SYSTEM_OIDCREQUESTURI of the job. */
  readonly oidcRequestUri: string;
  /** System.AccessToken of the job; required as a bearer token on OIDC requests. */
  readonly jobAccessToken: string;
  /** iss of the OIDC tokens: https://vstoken.dev.azure.com/<organizationId> */
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  /** The subject a connection's tokens carry. */
  subjectFor(connection: ServiceConnectionRegistration): string;
  registerConnection(connection: ServiceConnectionRegistration): { id: string; name: string; project: string; subject: string };
  requests(): readonly RequestLogEntry[];
  stop(): Promise<void>;
}

export interface StartDevOpsOptions {
  tls: ServerTls;
  organization?: string;
  project?: string;
}

// {collection}/{projectId}/_apis/distributedtask/hubs/{hub}/plans/{planId}/jobs/{jobId}/oidctoken
const OIDC_ROUTE = /^\/([^/]+)\/([^/]+)\/_apis\/distributedtask\/hubs\/([^/]+)\/plans\/([^/]+)\/jobs\/([^/]+)\/oidctoken\/?$/i;
const LOCATION_ROUTE = /^\/([^/]+)\/_apis\/distributedtask\/?$/i;

/** Azure DevOps' error body shape (WrappedException). */
function devOpsError(message: string, typeName: string) {
  return { $id: '1', innerException: null, message, typeName, typeKey: typeName.split(',')[0]?.split('.').pop(), errorCode: 0, eventId: 3000 };
}

export async function startDevOpsEmulator(options: StartDevOpsOptions): Promise<DevOpsEmulator> {
  const organization = options.organization ?? 'imagebuilder';
  const defaultProject = options.project ?? 'ImageBuilder';
  const organizationId = randomUUID();
  const issuer = `https://vstoken.dev.azure.com/${organizationId}`;
  const planId = randomUUID();
  const jobId = randomUUID();
  // Not 52 characters: azure-devops-node-api treats a 52-character token as a PAT and sends Basic auth.
  const jobAccessToken = randomBytes(48).toString('base64url');
  const projectIds = new Map<string, string>(); // project name (lower case) -> id
  const projectIdFor = (name: string) => {
    const key = name.toLowerCase();
    let id = projectIds.get(key);
    if (!id) projectIds.set(key, (id = randomUUID()));
    return id;
  };
  const projectId = projectIdFor(defaultProject);
  const connections = new Map<string, { id: string; name: string; project: string; subject: string }>();

  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID().replace(/-/g, '').toUpperCase();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const jwks: JSONWebKeySet = { keys: [jwk] };
  const subjectFor = (c: ServiceConnectionRegistration) => `sc://${organization}/${c.project ?? defaultProject}/${c.name}`;

  const authorized = (ctx: HandlerContext): boolean => {
    const bearer = bearerToken(ctx.req);
    if (bearer !== undefined) return bearer === jobAccessToken;
    // A job token handed to a Basic handler arrives as the password.
    const basic = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
    if (!basic) return false;
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === jobAccessToken;
  };

  const handleOidcToken = async (ctx: HandlerContext, m: RegExpExecArray) => {
    if (!authorized(ctx)) {
      return sendJson(ctx.res, 401, devOpsError('TF400813: The user is not authorized to access this resource.', 'Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server'), {
        'www-authenticate': 'Bearer',
      });
    }
    const [, org, scope, , plan, job] = m.map((s) => decodeURIComponent(s ?? '')) as [string, string, string, string, string, string];
    const connectionId = ctx.url.searchParams.get('serviceConnectionId') ?? '';
    ctx.note(`serviceConnectionId=${connectionId}`);
    const notFound = (message: string) =>
      sendJson(ctx.res, 404, devOpsError(message, 'Microsoft.TeamFoundation.DistributedTask.WebApi.TaskOrchestrationPlanNotFoundException, Microsoft.TeamFoundation.DistributedTask.WebApi'));
    if (org.toLowerCase() !== organization.toLowerCase()) return notFound(`Organization ${org} was not found.`);
    if (plan.toLowerCase() !== planId || job.toLowerCase() !== jobId) return notFound(`Plan ${plan} or job ${job} not found.`);
    const connection = connections.get(connectionId.toLowerCase());
    const scopeMatches = (c: { project: string }) => scope.toLowerCase() === projectIdFor(c.project) || scope.toLowerCase() === c.project.toLowerCase();
    if (!connection || !scopeMatches(connection)) {
      return sendJson(ctx.res, 400, devOpsError(`Service connection ${connectionId} was not found or the job is not authorized to use it.`, 'Microsoft.TeamFoundation.DistributedTask.WebApi.ServiceEndpointNotFoundException, Microsoft.TeamFoundation.DistributedTask.WebApi'));
    }
    const now = Math.floor(Date.now() / 1000);
    const oidcToken = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(issuer)
      .setSubject(connection.subject)
      .setAudience(OIDC_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + OIDC_TOKEN_LIFETIME_SECONDS)
      .sign(privateKey);
    sendJson(ctx.res, 200, { oidcToken });
  };

  const handleLocations = (ctx: HandlerContext) =>
    sendJson(ctx.res, 200, {
      count: 1,
      value: [
        {
          id: OIDC_TOKEN_LOCATION_ID,
          area: 'distributedtask',
          resourceName: 'oidctoken',
          routeTemplate: '{scopeIdentifier}/_apis/{area}/hubs/{hubName}/plans/{planId}/jobs/{jobId}/{resource}',
          resourceVersion: 1,
          minVersion: '7.1',
          maxVersion: '7.2',
          releasedVersion: '0.0',
        },
      ],
    });

  const server = await listenHttps(options.tls, async (ctx) => {
    const oidc = OIDC_ROUTE.exec(ctx.url.pathname);
    if (oidc && ctx.req.method === 'POST') return handleOidcToken(ctx, oidc);
    const loc = LOCATION_ROUTE.exec(ctx.url.pathname);
    if (loc && ctx.req.method === 'OPTIONS' && (loc[1] as string).toLowerCase() === organization.toLowerCase()) return handleLocations(ctx);
    sendJson(ctx.res, 404, devOpsError(`No route for ${ctx.req.method} ${ctx.url.pathname}`, 'Microsoft.TeamFoundation.Framework.Server.ResourceNotFoundException, Microsoft.TeamFoundation.Framework.Server'));
  });

  const collectionUri = `${server.origin}/${organization}/`;
  return {
    organization,
    organizationId,
    collectionUri,
    project: defaultProject,
    projectId,
    planId,
    jobId,
    oidcRequestUri: `${collectionUri}${projectId}/_apis/distributedtask/hubs/build/plans/${planId}/jobs/${jobId}/oidctoken`,
    jobAccessToken,
    issuer,
    jwks,
    subjectFor,
    registerConnection(c) {
      const project = c.project ?? defaultProject;
      projectIdFor(project);
      const registered = { id: c.id, name: c.name, project, subject: subjectFor({ ...c, project }) };
      connections.set(c.id.toLowerCase(), registered);
      return registered;
    },
    requests: server.requests,
    stop: server.stop,
  };
}
