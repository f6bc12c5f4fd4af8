/**
 * A read-only, HTTPS-only SAS for the one artifact blob, valid from the moment
 * storage receives it until the build can no longer need it.
 */
import {
  BlobSASPermissions,
  SASProtocol,
  generateBlobSASQueryParameters,
  type BlobServiceClient,
  type StorageSharedKeyCredential,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { effectiveBuildTimeoutMinutes } from '../core/buildTimeout';

/** After the build timeout: time for queueing before the build and for the VM to fetch the archive late in the build. */
const SAS_EXPIRY_MARGIN_MINUTES = 60;
/**
 * How far the agent's clock may run ahead of storage's. The SAS itself has no
 * start time (valid as soon as it is issued), but a user delegation key needs
 * one, and a key that starts in storage's future makes every SAS it signs fail
 * until then; so the key starts this long before the agent's now.
 */
const SAS_CLOCK_SKEW_MINUTES = 15;

export interface SasWindow {
  /** Start of the user delegation key (not of the SAS, which has none). */
  startsOn: Date;
  expiresOn: Date;
}

export function sasWindow(buildTimeoutInMinutes: number, now: Date): SasWindow {
  const timeout = effectiveBuildTimeoutMinutes(buildTimeoutInMinutes);
  const minute = 60_000;
  return {
    startsOn: new Date(now.getTime() - SAS_CLOCK_SKEW_MINUTES * minute),
    expiresOn: new Date(now.getTime() + (timeout + SAS_EXPIRY_MARGIN_MINUTES) * minute),
  };
}

/** What signs the SAS: a user delegation key (Entra ID rights, revocable) or the account key. */
export type SasSigner =
  | { kind: 'userDelegation'; accountName: string; key: UserDelegationKey }
  | { kind: 'accountKey'; credential: StorageSharedKeyCredential };

/**
 * A user delegation key for the window, or undefined when the credential may
 * not get one (no data-plane role, or a shared-key client). Any other failure is thrown.
 */
export async function tryUserDelegationSigner(service: BlobServiceClient, window: SasWindow): Promise<SasSigner | undefined> {
  try {
    const key = await service.getUserDelegationKey(window.startsOn, window.expiresOn);
    return { kind: 'userDelegation', accountName: service.accountName, key };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) return undefined;
    throw error;
  }
}

/**
 * The SAS query string (without `?`) granting read of one blob over HTTPS only.
 * `onSecret` receives the signature, as sent and URL-encoded, so neither form can reach a log.
 */
export function blobReadSas(
  containerName: string,
  blobName: string,
  signer: SasSigner,
  window: SasWindow,
  onSecret: (value: string) => void,
): string {
  const values = {
    containerName,
    blobName,
    permissions: BlobSASPermissions.parse('r'),
    protocol: SASProtocol.Https,
    // No start time: an agent whose clock runs ahead would otherwise hand out a link that is not valid yet.
    expiresOn: window.expiresOn,
  };
  const query =
    signer.kind === 'userDelegation'
      ? generateBlobSASQueryParameters(values, signer.key, signer.accountName)
      : generateBlobSASQueryParameters(values, signer.credential);
  onSecret(query.signature);
  onSecret(encodeURIComponent(query.signature));
  return query.toString();
}
