/** Which gallery image version `latest` means, as Azure Compute Gallery picks it; pure. */
import { compareVersions } from './versionOrder';

/**
 * Which version of a gallery image definition `.../versions/latest` means, as
 * Azure Compute Gallery picks it for a VM: the highest version number among the
 * versions that are not excluded from latest. A version still being created,
 * failed or being deleted cannot be built from, so only Succeeded ones count
 * (a listing without a state counts as Succeeded). When the versions list their
 * regions, one must be in the build region, where the service reads the source.
 */
export interface ListedGalleryVersion {
  name: string;
  provisioningState?: string;
  excludeFromLatest?: boolean;
  /** Region names of the replicas, when listed. */
  regions?: readonly string[];
}

const normalizeRegion = (name: string) => name.replace(/\s+/g, '').toLowerCase();

export function latestGalleryVersion(versions: readonly ListedGalleryVersion[], buildLocation: string): string | undefined {
  const region = normalizeRegion(buildLocation);
  let best: string | undefined;
  for (const v of versions) {
    if (v.excludeFromLatest === true) continue;
    if (v.provisioningState !== undefined && v.provisioningState.toLowerCase() !== 'succeeded') continue;
    if (v.regions && v.regions.length > 0 && !v.regions.some((r) => normalizeRegion(r) === region)) continue;
    if (best === undefined || compareVersions(v.name, best) > 0) best = v.name;
  }
  return best;
}

/** `.../images/<def>/versions/latest` (any case) to the definition id; undefined for an exact version. */
export function definitionOfLatest(imageVersionId: string): string | undefined {
  const match = /^(.*\/galleries\/[^/]+\/images\/[^/]+)\/versions\/latest\/?$/i.exec(imageVersionId);
  return match ? match[1] : undefined;
}
