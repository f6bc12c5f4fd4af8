/**
 * A gallery image version must be replicated to its gallery's own region; the
 * service refuses the distribution otherwise, at the very end of the build.
 */
import { regionKey } from '../imageTraits';
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

export async function checkGalleryRegion(ctx: PreflightContext): Promise<CheckResult[]> {
  const line = checkLines('galleryRegion');
  const targets = ctx.config.distribute.flatMap((t) => (t.kind === 'sharedImageGallery' ? [t] : []));
  const results = await Promise.all(
    targets.map(async (target) => {
      const definition = await ctx.reader.getGalleryImageDefinition(target.galleryImageDefinitionId, ctx.signal);
      // A missing definition is the gallery check's finding.
      if (!definition?.location) return [];
      const regions = target.targetRegions.length > 0 ? target.targetRegions.map((r) => r.name) : [ctx.config.target.location];
      const galleryRegion = regionKey(definition.location);
      return regions.some((r) => regionKey(r) === galleryRegion)
        ? [line.passed('PreflightGalleryRegionReplicated', galleryOf(target.galleryImageDefinitionId), definition.location)]
        : [line.failed('replicationRegions', 'PreflightGalleryRegionNotReplicated', galleryOf(target.galleryImageDefinitionId), definition.location, regions.join(', '), definition.location)];
    }),
  );
  return results.flat();
}

/** The gallery's id: the definition id without `/images/{name}`. */
function galleryOf(definitionId: string): string {
  return definitionId.replace(/\/images\/[^/]+\/?$/i, '');
}
