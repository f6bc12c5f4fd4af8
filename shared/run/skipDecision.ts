/**
 * Whether a run with `skipUnchanged` needs to build: only when every image the
 * run would produce already exists with this run's fingerprint. For a gallery
 * that is the definition's newest version (the one a build would follow); for
 * a managed image, the image of that id. A VHD cannot carry a tag, so a run
 * distributing one always builds.
 */
import type { DistributeTarget } from '../config/types';
import { newestVersion } from '../images/versionOrder';
import { FINGERPRINT_TAG } from '../template/fingerprint';
import type { PublishedImages } from '../ports/publishedImages';

/** An image that is current, named as the build would name its run output. */
export interface CurrentImage {
  kind: 'galleryImageVersion' | 'managedImage';
  runOutputName: string;
  id: string;
}

export type SkipDecision =
  | { kind: 'skip'; images: CurrentImage[] }
  /** `key` and `args`: a task.json message saying why a build is needed. */
  | { kind: 'build'; key: string; args: string[] };

export async function decideSkip(
  targets: readonly DistributeTarget[],
  fingerprint: string,
  images: PublishedImages,
  signal?: AbortSignal,
): Promise<SkipDecision> {
  const vhd = targets.find((t) => t.kind === 'vhd');
  if (vhd) return { kind: 'build', key: 'SkipUnchangedVhd', args: [vhd.runOutputName] };
  const current: CurrentImage[] = [];
  for (const target of targets) {
    if (target.kind === 'sharedImageGallery') {
      const versions = await images.galleryVersions(target.galleryImageDefinitionId, signal);
      const newestName = newestVersion(versions.map((v) => v.name));
      const newest = versions.find((v) => v.name === newestName);
      if (!newest) return { kind: 'build', key: 'SkipUnchangedNoVersion', args: [target.galleryImageDefinitionId] };
      const judged = judge(newest.id, newest.provisioningState, newest.tags, fingerprint);
      if (judged) return judged;
      current.push({ kind: 'galleryImageVersion', runOutputName: target.runOutputName, id: newest.id });
    } else if (target.kind === 'managedImage') {
      const image = await images.managedImage(target.imageId, signal);
      if (!image) return { kind: 'build', key: 'SkipUnchangedNoManagedImage', args: [target.imageId] };
      const judged = judge(image.id, image.provisioningState, image.tags, fingerprint);
      if (judged) return judged;
      current.push({ kind: 'managedImage', runOutputName: target.runOutputName, id: image.id });
    }
  }
  return { kind: 'skip', images: current };
}

function judge(id: string, provisioningState: string | undefined, tags: Record<string, string>, fingerprint: string): SkipDecision | undefined {
  if ((provisioningState ?? '').toLowerCase() !== 'succeeded') {
    return { kind: 'build', key: 'SkipUnchangedNotSucceeded', args: [id, provisioningState ?? 'Unknown'] };
  }
  // Tag names are case-insensitive in Azure.
  const tag = Object.entries(tags).find(([name]) => name.toLowerCase() === FINGERPRINT_TAG.toLowerCase())?.[1];
  if (tag === undefined) return { kind: 'build', key: 'SkipUnchangedNoFingerprint', args: [id] };
  if (tag !== fingerprint) return { kind: 'build', key: 'SkipUnchangedDifferent', args: [id, tag] };
  return undefined;
}
