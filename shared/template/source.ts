/** The source section of the template. */
import type { SourceConfig } from '../config/types';
import type { ImageTemplateSource } from './types';

/**
 * The source section. A platform image asked for as `latest` is pinned to
 * `pinnedPlatformVersion` when the run resolved one, so the build is
 * reproducible and the version used is known; an explicit version is kept.
 * A gallery source's `.../versions/latest` is pinned the same way to
 * `pinnedGalleryVersionId`, which must be a version of the same definition.
 */
export function buildSource(source: SourceConfig, pinnedPlatformVersion: string | undefined, pinnedGalleryVersionId?: string): ImageTemplateSource {
  switch (source.kind) {
    case 'platformImage': {
      const wantsLatest = source.version.toLowerCase() === 'latest';
      const version = wantsLatest && source.pinLatestVersion && pinnedPlatformVersion ? pinnedPlatformVersion : source.version;
      return {
        type: 'PlatformImage',
        publisher: source.publisher,
        offer: source.offer,
        sku: source.sku,
        version,
        ...(source.plan ? { planInfo: { ...source.plan } } : {}),
      };
    }
    case 'managedImage':
      return { type: 'ManagedImage', imageId: source.imageId };
    case 'galleryImageVersion':
      return { type: 'SharedImageVersion', imageVersionId: pinnedGallerySource(source.imageVersionId, pinnedGalleryVersionId) };
  }
}

function pinnedGallerySource(imageVersionId: string, pinned: string | undefined): string {
  const definition = /^(.*)\/versions\/latest\/?$/i.exec(imageVersionId)?.[1];
  if (!definition || !pinned) return imageVersionId;
  const pinnedDefinition = /^(.*)\/versions\/[^/]+$/i.exec(pinned)?.[1];
  // A pin of another definition is a caller's mistake; building from it would build the wrong image.
  if (pinnedDefinition?.toLowerCase() !== definition.toLowerCase()) {
    throw new RangeError(`pinned gallery version ${pinned} is not a version of ${definition}`);
  }
  return pinned;
}
