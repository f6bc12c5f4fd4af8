/**
 * Every region the run names is a region of the subscription. The inputs
 * were checked for shape already; this catches `westeurop` and regions the
 * subscription may not use, which the service reports only when it
 * distributes.
 */
import type { InputName } from '../../config/inputNames';
import { regionKey } from '../imageTraits';
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

export async function checkRegions(ctx: PreflightContext): Promise<CheckResult[]> {
  const line = checkLines('regions');
  const named: Array<{ region: string; input: InputName }> = [{ region: ctx.config.target.location, input: 'location' }];
  for (const target of ctx.config.distribute) {
    if (target.kind === 'managedImage') named.push({ region: target.location, input: 'managedImageLocation' });
    if (target.kind === 'sharedImageGallery') named.push(...target.targetRegions.map((r) => ({ region: r.name, input: 'replicationRegions' as const })));
  }
  const known = new Set((await ctx.reader.listLocations(ctx.signal)).map(regionKey));
  const results: CheckResult[] = [];
  const seen = new Set<string>();
  for (const { region, input } of named) {
    const key = regionKey(region);
    if (seen.has(`${input}|${key}`)) continue;
    seen.add(`${input}|${key}`);
    if (!known.has(key)) results.push(line.failed(input, 'PreflightRegionUnknown', region, input, ctx.subscriptionId));
  }
  if (results.length === 0) results.push(line.passed('PreflightRegionsValid', [...new Set(named.map((n) => regionKey(n.region)))].join(', ')));
  return results;
}
