/**
 * The source image exists where the build runs, its OS is the one the
 * provisioner builds, and a platform image that is sold with a plan gets one.
 */
import { planToText } from '../planText';
import { osTypeOf, regionKey } from '../imageTraits';
import { readSourceImage } from '../sourceImage';
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

export async function checkSource(ctx: PreflightContext): Promise<CheckResult[]> {
  const line = checkLines('source');
  const source = await readSourceImage(ctx);
  if (!source.found) return [line.failed(source.input, source.key, ...source.args)];

  const location = ctx.config.target.location;
  const results: CheckResult[] = [];
  const platform = source.platform;
  if (platform) {
    if (!platform.resolvedFromLatest) results.push(line.passed('PreflightPlatformImageFound', source.label, platform.version, location));
    else if (ctx.config.source.kind === 'platformImage' && ctx.config.source.pinLatestVersion) {
      results.push(line.passed('PreflightPlatformImagePinned', source.label, location, platform.version));
    } else results.push(line.passed('PreflightPlatformImageLatest', source.label, location, platform.version));

    const required = platform.plan;
    const given = platform.requestedPlan;
    if (required && !given) {
      const planText = `${required.name}:${required.product}:${required.publisher}`;
      const terms = `az vm image terms accept --publisher ${required.publisher} --offer ${required.product} --plan ${required.name}`;
      results.push(line.failed('planInfo', 'PreflightPlanMissing', source.label, planText, terms));
    } else if (required && given) {
      const same =
        required.name.toLowerCase() === given.planName.toLowerCase() &&
        required.product.toLowerCase() === given.planProduct.toLowerCase() &&
        required.publisher.toLowerCase() === given.planPublisher.toLowerCase();
      const requiredText = `${required.name}:${required.product}:${required.publisher}`;
      results.push(same ? line.passed('PreflightPlanMatches', source.label, requiredText) : line.failed('planInfo', 'PreflightPlanMismatch', planToText(given), source.label, requiredText));
    } else if (!required && given) {
      results.push(line.warning('planInfo', 'PreflightPlanNotNeeded', planToText(given), source.label));
    }
  } else {
    results.push(line.passed(ctx.config.source.kind === 'managedImage' ? 'PreflightManagedImageFound' : 'PreflightSourceGalleryVersionFound', source.label));
    const replicated = source.replicatedTo;
    if (replicated && replicated.length > 0 && !replicated.includes(regionKey(location))) {
      results.push(line.warning('galleryImageVersionId', 'PreflightSourceVersionNotInLocation', source.label, location, replicated.join(', ')));
    }
  }

  const expectedOs = osTypeOf(ctx.config.provisioner);
  const actualOs = source.traits?.osType;
  if (actualOs && actualOs !== expectedOs) {
    results.push(line.failed('provisioner', 'PreflightSourceOsMismatch', source.label, actualOs, ctx.config.provisioner, expectedOs));
  }
  return results;
}
