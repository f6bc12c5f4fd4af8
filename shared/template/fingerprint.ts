/**
 * The build fingerprint: one SHA-256 that changes exactly when a build could
 * give a different image. Pure: the caller resolves the source's `latest` and
 * digests the artifact tree first.
 *
 * It covers the template as it would be submitted, with the source pinned to
 * its exact version, every customizer, validator and distribution setting, and
 * the artifacts' content. It leaves out what changes from run to run without
 * changing the image: the template name and tags, the artifact's blob URL and
 * SAS, the archive's own bytes (its timestamps and compression), run output
 * names (derived from the template name) and the images' tags (labels such as
 * a build number; the fingerprint tag itself is one of them).
 */
import { createHash } from 'node:crypto';
import type { ImageBuilderConfig } from '../config/types';
import { buildImageTemplate } from './buildImageTemplate';
import type { ImageTemplateBody, ImageTemplateDistributor, ImageTemplateSource } from './types';

/** Name of the tag that carries the fingerprint on the gallery image version and the managed image. */
export const FINGERPRINT_TAG = 'imageBuilderFingerprint';

/** Part of what is hashed, so a change of what the fingerprint covers changes every fingerprint. */
const SCHEME = 'AzureImageBuilder@1 build fingerprint v1';

/** Stands for the artifact's blob URL, which differs per run (name, SAS). */
const ARTIFACT_PLACEHOLDER_URL = 'artifact:content';

export interface FingerprintInputs {
  /** SHA-256 of the artifact tree's content (shared/staging/contentDigest.ts); required when the config has artifacts. */
  artifactContentSha256?: string;
  /** The exact version a platform source's `latest` resolves to. */
  platformVersion?: string;
  /** The exact version id a gallery source's `.../versions/latest` resolves to. */
  galleryVersionId?: string;
}

/**
 * The body the fingerprint hashes: the submitted body with the per-run parts
 * taken out and the source pinned. Exported so a test or a curious user can
 * see what is covered.
 */
export function fingerprintBody(config: ImageBuilderConfig, inputs: FingerprintInputs): ImageTemplateBody {
  const artifact =
    config.artifacts && inputs.artifactContentSha256 !== undefined
      ? {
          url: ARTIFACT_PLACEHOLDER_URL,
          // Size 0 keeps the delivery step one shape: the archive's size follows from its content.
          sizeBytes: 0,
          sha256: inputs.artifactContentSha256,
          format: config.provisioner === 'powershell' ? ('zip' as const) : ('tar.gz' as const),
        }
      : undefined;
  const body = buildImageTemplate(config, { artifact, pinnedPlatformVersion: inputs.platformVersion, pinnedGalleryVersionId: inputs.galleryVersionId });
  const { tags: _templateTags, ...rest } = body;
  return {
    ...rest,
    properties: {
      ...body.properties,
      source: pinnedSource(body.properties.source, inputs),
      distribute: body.properties.distribute.map(withoutRunLabels),
    },
  };
}

export function buildFingerprint(config: ImageBuilderConfig, inputs: FingerprintInputs): string {
  return createHash('sha256').update(`${SCHEME}\n${canonicalJson(fingerprintBody(config, inputs))}`).digest('hex');
}

/** The body with the fingerprint tag on every distributor that can carry one (a VHD blob cannot). */
export function withFingerprintTag(body: ImageTemplateBody, fingerprint: string): ImageTemplateBody {
  return {
    ...body,
    properties: {
      ...body.properties,
      distribute: body.properties.distribute.map((d) =>
        d.type === 'VHD' ? d : { ...d, artifactTags: { ...(d.artifactTags ?? {}), [FINGERPRINT_TAG]: fingerprint } },
      ),
    },
  };
}

function pinnedSource(source: ImageTemplateSource, inputs: FingerprintInputs): ImageTemplateSource {
  if (source.type === 'PlatformImage' && source.version.toLowerCase() === 'latest' && inputs.platformVersion) {
    return { ...source, version: inputs.platformVersion };
  }
  if (source.type === 'SharedImageVersion' && /\/versions\/latest$/i.test(source.imageVersionId) && inputs.galleryVersionId) {
    return { ...source, imageVersionId: inputs.galleryVersionId };
  }
  return source;
}

function withoutRunLabels(d: ImageTemplateDistributor): ImageTemplateDistributor {
  const { runOutputName: _name, artifactTags: _tags, ...rest } = d as ImageTemplateDistributor & { artifactTags?: unknown };
  return { ...rest, runOutputName: '' } as ImageTemplateDistributor;
}

/** JSON with object keys sorted at every level, so key order never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
