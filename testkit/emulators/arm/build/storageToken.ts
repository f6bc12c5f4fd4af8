/**
 * The token the build VM presents to storage as the template identity. Tests
 * may mint real ones (issueToken); by default the emulator makes an unsigned
 * JWT, which Azurite in `--oauth basic` mode accepts: it checks issuer,
 * audience and lifetime, not the signature.
 */
import type { EmulatorContext } from '../context';
import { parseResourceId } from '../resourceIds';
import type { Json } from '../world';

export const STORAGE_AUDIENCE = 'https://storage.azure.com';

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function storageTokenFor(ctx: EmulatorContext, identityResourceId: string): Promise<string> {
  if (ctx.options.issueToken) return ctx.options.issueToken(STORAGE_AUDIENCE, identityResourceId);
  const identity = ctx.world.get(identityResourceId);
  const props = (identity?.json.properties as Json | undefined) ?? {};
  const tenant = String(props.tenantId ?? ctx.world.tenantOf(parseResourceId(identityResourceId)?.subscriptionId ?? ''));
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    aud: STORAGE_AUDIENCE,
    iss: `https://sts.windows.net/${tenant}/`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    oid: props.principalId,
    appid: props.clientId,
    tid: tenant,
    xms_mirid: identityResourceId,
  };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}
