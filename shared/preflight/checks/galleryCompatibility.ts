/**
 * Each gallery image definition the build publishes to exists and fits the
 * source: OS type (against the provisioner), Hyper-V generation and security
 * type. A mismatch is otherwise found by the service only when it publishes,
 * at the very end of the build. An explicit version must be new.
 */
import type { DistributeTarget } from '../../config/types';
import { effectiveTraits, osTypeOf, sameArchitecture, sameGeneration, securityTypesCompatible } from '../imageTraits';
import { readSourceImage, type SourceImage } from '../sourceImage';
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

type GalleryTarget = Extract<DistributeTarget, { kind: 'sharedImageGallery' }>;

const line = checkLines('galleryCompatibility');

export async function checkGalleryCompatibility(ctx: PreflightContext): Promise<CheckResult[]> {
  const targets = ctx.config.distribute.filter((t): t is GalleryTarget => t.kind === 'sharedImageGallery');
  if (targets.length === 0) return [];
  const source = await readSourceImage(ctx);
  const perTarget = await Promise.all(targets.map((target) => checkTarget(ctx, target, source)));
  return perTarget.flat();
}

async function checkTarget(ctx: PreflightContext, target: GalleryTarget, source: SourceImage): Promise<CheckResult[]> {
  const definitionId = target.galleryImageDefinitionId;
  const versionId = target.version ? `${definitionId}/versions/${target.version}` : undefined;
  const [definition, existingVersion] = await Promise.all([
    ctx.reader.getGalleryImageDefinition(definitionId, ctx.signal),
    versionId ? ctx.reader.getGalleryImageVersion(versionId, ctx.signal) : Promise.resolve(undefined),
  ]);
  const expectedOs = osTypeOf(ctx.config.provisioner);
  if (!definition) return [line.failed('galleryImageId', 'PreflightGalleryDefinitionNotFound', definitionId, expectedOs)];

  const results: CheckResult[] = [];
  if (definition.osType && definition.osType !== expectedOs) {
    results.push(line.failed('galleryImageId', 'PreflightGalleryOsMismatch', definitionId, definition.osType, ctx.config.provisioner, expectedOs));
  }
  // Without the source (its own check reports why) there is nothing to compare with. What either side
  // does not declare is what Azure assumes (V1, Standard, x64), as the service will when it publishes.
  const sourceTraits = source.found && source.traits ? effectiveTraits(source.traits) : undefined;
  const declared = effectiveTraits(definition);
  if (sourceTraits && !sameGeneration(declared.hyperVGeneration, sourceTraits.hyperVGeneration)) {
    results.push(line.failed('galleryImageId', 'PreflightGalleryGenerationMismatch', definitionId, declared.hyperVGeneration, sourceTraits.hyperVGeneration));
  }
  if (sourceTraits && securityTypesCompatible(sourceTraits.securityType, declared.securityType) === false) {
    results.push(line.failed('galleryImageId', 'PreflightGallerySecurityMismatch', definitionId, declared.securityType, sourceTraits.securityType, declared.securityType));
  }
  if (sourceTraits && !sameArchitecture(declared.architecture, sourceTraits.architecture)) {
    results.push(line.failed('galleryImageId', 'PreflightGalleryArchitectureMismatch', definitionId, declared.architecture, sourceTraits.architecture));
  }
  if (existingVersion && versionId) {
    results.push(line.failed('galleryImageVersion', 'PreflightGalleryVersionExists', target.version, definitionId));
  }
  if (results.length === 0) {
    const described = [definition.osType, declared.hyperVGeneration, declared.securityType, ...(sameArchitecture(declared.architecture, 'x64') ? [] : [declared.architecture])]
      .filter((v) => v !== undefined)
      .join(', ');
    results.push(
      target.version
        ? line.passed('PreflightGalleryDefinitionFitsNewVersion', definitionId, described, target.version)
        : line.passed('PreflightGalleryDefinitionFits', definitionId, described),
    );
  }
  return results;
}
