/**
 * What a build already produced, as Azure reports it: the versions of a
 * gallery image definition and a managed image, with their tags. The skip
 * decision and the resolution of a gallery source's `latest` read these.
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import { parseResourceId } from '../config/resourceId';
import { statusOf } from '../core/httpAnswer';
import type { PublishedGalleryVersion, PublishedImages } from '../ports/publishedImages';

/** PublishedImages over the Compute SDK; `computeFor` gives a client for the subscription an id names. */
export function createPublishedImages(computeFor: (subscriptionId: string) => ComputeManagementClient): PublishedImages {
  return {
    async galleryVersions(definitionId, signal) {
      const id = parseResourceId(definitionId);
      const gallery = id?.segments[0]?.name;
      const image = id?.segments[1]?.name;
      if (!id || !gallery || !image) return [];
      const found: PublishedGalleryVersion[] = [];
      try {
        const versions = computeFor(id.subscriptionId).galleryImageVersions.listByGalleryImage(id.resourceGroup, gallery, image, { abortSignal: signal });
        for await (const v of versions) {
          found.push({
            id: v.id ?? `${definitionId}/versions/${v.name ?? ''}`,
            name: v.name ?? '',
            provisioningState: v.provisioningState,
            excludeFromLatest: v.publishingProfile?.excludeFromLatest === true,
            tags: v.tags ?? {},
          });
        }
      } catch (err) {
        if (statusOf(err) === 404) return [];
        throw err;
      }
      return found;
    },
    async managedImage(imageId, signal) {
      const id = parseResourceId(imageId);
      const name = id?.segments[0]?.name;
      if (!id || !name) return undefined;
      try {
        const image = await computeFor(id.subscriptionId).images.get(id.resourceGroup, name, { abortSignal: signal });
        return { id: image.id ?? imageId, provisioningState: image.provisioningState, tags: image.tags ?? {} };
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    },
  };
}
