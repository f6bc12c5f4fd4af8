/**
 * Authenticates the client of a token request the way Entra ID does: a client
 * secret, a certificate-signed client assertion (checked against the registered
 * certificate), or a federated assertion (checked against the trusted issuer's
 * keys and the app's federated identity credential).
 */
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { errors, type EntraError } from './errors';

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audience: string;
}

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  /** Object id of the app's service principal; a fresh GUID when left out. */
  objectId?: string;
  clientSecret?: string;
  /** PEM of the certificate whose private key signs the client assertions. */
  certificatePem?: string;
  federated?: FederatedCredential;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type ClientProof =
  | { kind: 'secret'; secret: string }
  | { kind: 'assertion'; assertion: string };

export type AuthOutcome = { ok: true; method: 'secret' | 'certificate' | 'federated' } | { ok: false; error: EntraError };

export interface ClientAuthContext {
  /** Audiences a certificate assertion may name: the token endpoint (and the v2 issuer). */
  assertionAudiences: string[];
  /** Keys of the external issuers trusted for federation. */
  issuerKeys(issuer: string): JWTVerifyGetKey | undefined;
}

function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export async function authenticateClient(app: AppRegistration, proof: ClientProof, ctx: ClientAuthContext): Promise<AuthOutcome> {
  if (proof.kind === 'secret') {
    if (app.clientSecret !== undefined && secretsEqual(app.clientSecret, proof.secret)) return { ok: true, method: 'secret' };
    return { ok: false, error: errors.invalidSecret(app.clientId) };
  }
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(proof.assertion);
  } catch {
    return { ok: false, error: errors.badRequest('The client_assertion is not a well-formed JWT.') };
  }
  // An app signs its own assertion (iss = sub = client id); anything else comes from an external issuer.
  if (claims.iss === app.clientId && claims.sub === app.clientId) return verifyCertificateAssertion(app, proof.assertion, ctx);
  return verifyFederatedAssertion(app, proof.assertion, claims, ctx);
}

async function verifyCertificateAssertion(app: AppRegistration, assertion: string, ctx: ClientAuthContext): Promise<AuthOutcome> {
  if (!app.certificatePem) return { ok: false, error: errors.certificateSignature() };
  const cert = new X509Certificate(app.certificatePem);
  const header = decodeProtectedHeader(assertion);
  const der = cert.raw;
  const x5t = createHash('sha1').update(der).digest('base64url');
  const x5tS256 = createHash('sha256').update(der).digest('base64url');
  // The thumbprint header names the key; a different certificate is "key not found", as in Entra ID.
  if (header['x5t#S256'] !== x5tS256 && header.x5t !== x5t) return { ok: false, error: errors.certificateSignature() };
  try {
    await jwtVerify(assertion, cert.publicKey, {
      algorithms: ['RS256', 'PS256'],
      issuer: app.clientId,
      subject: app.clientId,
      audience: ctx.assertionAudiences,
      requiredClaims: ['exp', 'aud', 'iss', 'sub'],
      clockTolerance: 300,
    });
    return { ok: true, method: 'certificate' };
  } catch (err) {
    return { ok: false, error: classifyJoseError(err, errors.certificateSignature()) };
  }
}

async function verifyFederatedAssertion(
  app: AppRegistration,
  assertion: string,
  claims: ReturnType<typeof decodeJwt>,
  ctx: ClientAuthContext,
): Promise<AuthOutcome> {
  const issuer = typeof claims.iss === 'string' ? claims.iss : '';
  const keys = ctx.issuerKeys(issuer);
  const record = app.federated;
  if (!keys || !record || record.issuer !== issuer) return { ok: false, error: errors.federatedIssuerUnknown(issuer) };
  try {
    await jwtVerify(assertion, keys, { algorithms: ['RS256', 'PS256', 'ES256'], requiredClaims: ['exp', 'aud', 'iss', 'sub'], clockTolerance: 300 });
  } catch (err) {
    return { ok: false, error: classifyJoseError(err, errors.federatedSignature()) };
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
  // Subjects and audiences are compared case-sensitively, as the service documents.
  if (claims.sub !== record.subject || !audiences.includes(record.audience)) {
    return { ok: false, error: errors.federatedNoMatch(issuer, String(claims.sub ?? ''), audiences.join(',')) };
  }
  return { ok: true, method: 'federated' };
}

function classifyJoseError(err: unknown, signatureError: EntraError): EntraError {
  if (err instanceof joseErrors.JWTExpired) return errors.assertionExpired();
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return errors.assertionExpired();
    return errors.assertionInvalid(`the '${err.claim}' claim is not valid`);
  }
  return signatureError;
}
