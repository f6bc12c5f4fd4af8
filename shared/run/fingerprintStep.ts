/**
 * The build fingerprint of this run and, with `skipUnchanged`, the decision
 * whether to build at all. Runs before anything is uploaded or created; a
 * skipped run ends here with the existing image in the output variables.
 */
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import { galleryVersionOf } from '../report/outputs';
import { escapeMarkdown } from '../core/markdown';
import { buildFingerprint, type FingerprintInputs } from '../template/fingerprint';
import type { BuildServices } from '../ports/buildServices';
import { uploadSummaryFile } from './summaryFile';
import type { BuildRunOutcome } from './outcome';
import { decideSkip, type CurrentImage } from './skipDecision';

export interface FingerprintResult {
  fingerprint: string;
  /** Set when the run builds nothing: the outcome to end with. */
  skipped?: BuildRunOutcome;
}

export async function fingerprintStep(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  /** The platform version the run pinned, when it did. */
  pinnedPlatformVersion?: string;
  /** The gallery version id the run pinned a gallery source's `latest` to, when it did. */
  pinnedGalleryVersionId?: string;
  signal: AbortSignal;
}): Promise<FingerprintResult> {
  const { host, config, services, signal } = args;
  const inputs = await fingerprintInputs(args);
  const fingerprint = buildFingerprint(config, inputs);
  host.info(host.loc('BuildFingerprint', fingerprint));
  host.setOutput('buildFingerprint', fingerprint);
  if (!config.skipUnchanged) {
    host.setOutput('buildSkipped', 'false');
    return { fingerprint };
  }
  const decision = await decideSkip(config.distribute, fingerprint, services.publishedImages, signal);
  if (decision.kind === 'build') {
    host.info(host.loc(decision.key, ...decision.args));
    host.setOutput('buildSkipped', 'false');
    return { fingerprint };
  }
  publishSkipped(host, config, fingerprint, decision.images, inputs);
  return { fingerprint, skipped: { result: 'Succeeded', message: host.loc('BuildSkippedDone', fingerprint) } };
}

async function fingerprintInputs(args: Parameters<typeof fingerprintStep>[0]): Promise<FingerprintInputs> {
  const { host, config, services, signal } = args;
  const inputs: FingerprintInputs = {};
  const source = config.source;
  if (source.kind === 'platformImage' && source.version.toLowerCase() === 'latest') {
    // Without pinning the template still says `latest`; the fingerprint needs the version it stands for.
    inputs.platformVersion = args.pinnedPlatformVersion ?? (await services.resolveLatestPlatformVersion(source, config.target.location, signal));
  }
  // The run pins a gallery source's `latest` before this step (runBuild), so the template and the fingerprint name the same version.
  if (source.kind === 'galleryImageVersion' && args.pinnedGalleryVersionId) inputs.galleryVersionId = args.pinnedGalleryVersionId;
  if (config.artifacts) {
    const digest = await services.digestArtifacts(config.artifacts.packagePath, signal);
    host.info(host.loc('ArtifactsContentDigest', String(digest.files), String(digest.bytes), digest.sha256));
    inputs.artifactContentSha256 = digest.sha256;
  }
  return inputs;
}

/** Outputs and summary of a run that found its image current. */
function publishSkipped(host: TaskHost, config: ImageBuilderConfig, fingerprint: string, images: CurrentImage[], inputs: FingerprintInputs): void {
  for (const image of images) host.info(host.loc('BuildSkippedImage', image.id));
  const gallery = images.find((i) => i.kind === 'galleryImageVersion')?.id;
  const managed = images.find((i) => i.kind === 'managedImage')?.id;
  const outputs: Array<[string, string | undefined]> = [
    ['imageUri', images[0]?.id],
    ['managedImageId', managed],
    ['galleryImageVersionId', gallery],
    ['galleryImageVersion', gallery ? galleryVersionOf(gallery) : undefined],
  ];
  const source = config.source;
  if (source.kind === 'platformImage') {
    outputs.push(['pirPublisher', source.publisher], ['pirOffer', source.offer], ['pirSku', source.sku], ['pirVersion', inputs.platformVersion ?? source.version]);
  }
  if (source.kind === 'galleryImageVersion') outputs.push(['sourceImageVersionId', inputs.galleryVersionId ?? source.imageVersionId]);
  outputs.push(['buildFingerprint', fingerprint], ['buildSkipped', 'true']);
  host.beginGroup(host.loc('OutputsHeading'));
  for (const [name, value] of outputs) {
    if (value === undefined) continue;
    host.setOutput(name, value);
    host.info(`${name} = ${value}`);
  }
  host.endGroup();

  const markdown = [
    `## ${escapeMarkdown(host.loc('SkipSummaryTitle'))}`,
    '',
    escapeMarkdown(host.loc('SkipSummaryWhy', fingerprint)),
    '',
    ...images.map((image) => `- ${escapeMarkdown(host.loc('SkipSummaryImage', image.id))}`),
    '',
  ].join('\n');
  uploadSummaryFile(host, `${config.target.templateName}-skipped`, markdown);
}
