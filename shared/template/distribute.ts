/** The distribute section: one distributor per target. */
import type { DistributeTarget, GalleryVersioning } from '../config/types';
import type { DistributeVersioner, ImageTemplateDistributor } from './types';

/**
 * The distributor's `versioning` (API 2025-10-01 `DistributeVersioner`):
 * `Latest` numbers the new version one above the highest existing one (of the
 * given major, when `major` is not -1), `Source` derives it from the source
 * image's version; none leaves the choice to the service.
 */
function versioningOf(versioning: GalleryVersioning | undefined): { versioning?: DistributeVersioner } {
  const v = versioning ?? { scheme: 'Latest', major: -1 };
  switch (v.scheme) {
    case 'ServiceDefault':
      return {};
    case 'Source':
      return { versioning: { scheme: 'Source' } };
    case 'Latest':
      return { versioning: { scheme: 'Latest', major: v.major } };
  }
}

/**
 * One distributor per target, in the order given. A gallery target without an
 * explicit version lets the service number it after the newest existing
 * version (`versioning: Latest`), instead of the opaque number it picks
 * otherwise; with an explicit version the id names it (`.../versions/x.y.z`).
 */
export function buildDistributors(targets: readonly DistributeTarget[], buildLocation: string): ImageTemplateDistributor[] {
  return targets.map((target): ImageTemplateDistributor => {
    const tags = Object.keys(target.artifactTags).length > 0 ? { artifactTags: { ...target.artifactTags } } : {};
    switch (target.kind) {
      case 'managedImage':
        return { type: 'ManagedImage', imageId: target.imageId, location: target.location, runOutputName: target.runOutputName, ...tags };
      case 'sharedImageGallery': {
        const regions = target.targetRegions.length > 0 ? target.targetRegions : [{ name: buildLocation }];
        return {
          type: 'SharedImage',
          galleryImageId: target.version ? `${target.galleryImageDefinitionId}/versions/${target.version}` : target.galleryImageDefinitionId,
          runOutputName: target.runOutputName,
          ...tags,
          targetRegions: regions.map((r) => ({
            name: r.name,
            ...(r.replicaCount !== undefined ? { replicaCount: r.replicaCount } : {}),
            ...(r.storageAccountType !== undefined ? { storageAccountType: r.storageAccountType } : {}),
          })),
          excludeFromLatest: target.excludeFromLatest,
          ...(target.version ? {} : versioningOf(target.versioning)),
        };
      }
      case 'vhd':
        return { type: 'VHD', runOutputName: target.runOutputName, ...(target.uri ? { uri: target.uri } : {}), ...tags };
    }
  });
}
