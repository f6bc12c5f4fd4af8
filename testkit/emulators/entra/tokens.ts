/**
 * Access tokens as Entra ID issues them for the client credentials and managed
 * identity flows (v1.0 access tokens: issuer https://sts.windows.net/<tenant>/,
 * appid, oid, tid), signed with the emulator's own RS256 key.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, type JWK, type KeyLike, type JSONWebKeySet } from 'jose';

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;

/** Resources whose application ID URI ends in a slash, so their tokens' aud does too. */
const SLASHED_RESOURCES = new Set(['https://management.azure.com', 'https://management.core.windows.net']);

/**
 * The aud an access token for a scope carries: the resource's application ID URI.
 * `https://management.azure.com/.default` -> `https://management.azure.com/`,
 * `https://storage.azure.com/.default` -> `https://storage.azure.com`.
 * Returns undefined for a scope that is not `<resource>/.default` (client credentials need that form).
 */
export function audienceForScope(scope: string): string | undefined {
  const scopes = scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
  if (scopes.length !== 1) return undefined;
  const m = /^(.+?)\/?\.default$/.exec(scopes[0] as string);
  return m ? audienceForResource(m[1] as string) : undefined;
}

/** The aud for a v1-style resource parameter (managed identity endpoints take `resource`). */
export function audienceForResource(resource: string): string {
  const bare = resource.replace(/\/+$/, '');
  return SLASHED_RESOURCES.has(bare.toLowerCase()) ? `${bare}/` : bare;
}

/** Whether a token's aud answers for the audience a server expects (trailing slash is not significant). */
export function audienceMatches(aud: string, expected: string): boolean {
  return aud.replace(/\/+$/, '').toLowerCase() === expected.replace(/\/+$/, '').toLowerCase();
}

export function issuerFor(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export interface TokenSubject {
  tenantId: string;
  /** appid: the client id of the app or managed identity. */
  clientId: string;
  /** oid/sub: the service principal's object id. */
  objectId: string;
  /** For managed identities: the identity's ARM resource id (xms_mirid). */
  resourceId?: string;
}

export interface TokenSigner {
  readonly kid: string;
  readonly jwks: JSONWebKeySet;
  sign(subject: TokenSubject, audience: string, lifetimeSeconds?: number): Promise<{ token: string; expiresOn: number }>;
  /** Checks signature, issuer form, lifetime and audience. */
  verify(token: string, audience: string): Promise<boolean>;
}

export async function createTokenSigner(): Promise<TokenSigner> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID().replace(/-/g, '');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const keySet = createLocalJWKSet(jwks);
  return {
    kid,
    jwks,
    sign: (subject, audience, lifetime = ACCESS_TOKEN_LIFETIME_SECONDS) => signAccessToken(privateKey, kid, subject, audience, lifetime),
    verify: async (token, audience) => {
      try {
        const { payload } = await jwtVerify(token, keySet, { algorithms: ['RS256'], clockTolerance: 5 });
        return (
          typeof payload.aud === 'string' &&
          audienceMatches(payload.aud, audience) &&
          typeof payload.iss === 'string' &&
          typeof payload.tid === 'string' &&
          payload.iss === issuerFor(payload.tid)
        );
      } catch {
        return false;
      }
    },
  };
}

async function signAccessToken(
  key: KeyLike,
  kid: string,
  subject: TokenSubject,
  audience: string,
  lifetimeSeconds: number,
): Promise<{ token: string; expiresOn: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresOn = now + lifetimeSeconds;
  const claims: Record<string, unknown> = {
    tid: subject.tenantId,
    oid: subject.objectId,
    appid: subject.clientId,
    appidacr: '1',
    idtyp: 'app',
    ver: '1.0',
    uti: randomUUID().replace(/-/g, ''),
  };
  if (subject.resourceId) claims.xms_mirid = subject.resourceId;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
    .setIssuer(issuerFor(subject.tenantId))
    .setAudience(audience)
    .setSubject(subject.objectId)
    .setIssuedAt(now)
    .setNotBefore(now - 300) // Entra back-dates nbf five minutes for clock skew
    .setExpirationTime(expiresOn)
    .sign(key);
  return { token, expiresOn };
}
