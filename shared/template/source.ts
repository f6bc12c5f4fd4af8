/** The source section of the template. */
import type { SourceConfig } from '../config/types';
import type { ImageTemplateSource } from './types';

/**
 * The source section. A platform image asked for as `latest` is pinned to
 * `pinnedPlatformVersion` when the run resolved one, so the build is
 * reproducible and the version used is known; an explicit version is kept.
 */
export function buildSource(source: SourceConfig, pinnedPlatformVersion: string | undefined): ImageTemplateSource {
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
      return { type: 'SharedImageVersion', imageVersionId: source.imageVersionId };
  }
}
