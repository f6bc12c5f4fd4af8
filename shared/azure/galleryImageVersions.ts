/**
 * One gallery image version as promote and demote see it: its state and the
 * write of publishingProfile.excludeFromLatest, through the Compute SDK.
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import { realClock } from '../core/clock';

export interface GalleryVersionRef {
  resourceGroup: string;
  gallery: string;
  image: string;
  version: string;
}

export interface GalleryVersionState {
  id: string;
  provisioningState?: string;
  excludeFromLatest: boolean;
  /** Regions whose replication failed. */
  failedRegions: string[];
}

export interface GalleryVersionStore {
  /** undefined when the version does not exist. */
  read(signal?: AbortSignal): Promise<GalleryVersionState | undefined>;
  /** Sends the update and waits until Azure reports it done. */
  setExcludeFromLatest(value: boolean, signal?: AbortSignal): Promise<void>;
}

/** How often the update is polled when Azure gives no Retry-After: it takes seconds. */
const UPDATE_POLL_MS = 1_000;
/** How long the version may say Updating after the update's answer; the caller reads the result back either way. */
const UPDATE_WAIT_LIMIT_MS = 15 * 60_000;
const IN_PROGRESS = new Set(['updating', 'creating']);

export function createGalleryVersionStore(compute: ComputeManagementClient, ref: GalleryVersionRef, pollIntervalMs = UPDATE_POLL_MS): GalleryVersionStore {
  const versions = compute.galleryImageVersions;
  const get = (signal?: AbortSignal) =>
    versions.get(ref.resourceGroup, ref.gallery, ref.image, ref.version, { expand: 'ReplicationStatus', abortSignal: signal });
  return {
    async read(signal) {
      try {
        const v = await get(signal);
        return {
          id: v.id ?? '',
          provisioningState: v.provisioningState,
          excludeFromLatest: v.publishingProfile?.excludeFromLatest === true,
          failedRegions: (v.replicationStatus?.summary ?? []).filter((r) => r.state?.toLowerCase() === 'failed').map((r) => r.region ?? ''),
        };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    async setExcludeFromLatest(value, signal) {
      // The profile as it is, with one field changed: a partial profile could reset the regions.
      const current = await get(signal);
      await versions.update(
        ref.resourceGroup,
        ref.gallery,
        ref.image,
        ref.version,
        { publishingProfile: { ...current.publishingProfile, excludeFromLatest: value } },
        { abortSignal: signal, updateIntervalInMs: pollIntervalMs },
      );
      // An answer without an operation to follow can come back while the version still says Updating:
      // the update is done when the version itself says so.
      const deadline = realClock.now() + UPDATE_WAIT_LIMIT_MS;
      while (IN_PROGRESS.has((await get(signal)).provisioningState?.toLowerCase() ?? '') && realClock.now() < deadline) {
        // The wait ends early on a cancel, which then ends the update wait with the cancel's reason.
        await realClock.sleep(pollIntervalMs, signal);
        signal?.throwIfAborted();
      }
    },
  };
}
