/**
 * The source image as Azure describes it, read once and shared by the source
 * check (does it exist, which version, which plan) and the gallery check
 * (does it fit each definition).
 */
import type { InputName } from '../config/inputNames';
import type { PurchasePlan } from '../config/types';
import { compareVersions } from '../images/versionOrder';
import type { ImagePlan, ImageTraits, PreflightContext } from './types';

export interface FoundSource {
  found: true;
  /** How messages name the source: `publisher:offer:sku` or the resource id. */
  label: string;
  /** Undefined when the service would not describe the source (a gallery source whose definition could not be read). */
  traits?: ImageTraits;
  platform?: {
    version: string;
    /** True when the input said `latest` and `version` is what it resolves to now. */
    resolvedFromLatest: boolean;
    plan?: ImagePlan;
    requestedPlan?: PurchasePlan;
  };
  /** Regions a gallery version source is replicated to. */
  replicatedTo?: string[];
}

export interface MissingSource {
  found: false;
  label: string;
  input: InputName;
  key: string;
  args: unknown[];
}

export type SourceImage = FoundSource | MissingSource;

export async function readSourceImage(ctx: PreflightContext): Promise<SourceImage> {
  const { config, reader, signal } = ctx;
  const source = config.source;
  const location = config.target.location;
  switch (source.kind) {
    case 'platformImage': {
      const label = `${source.publisher}:${source.offer}:${source.sku}`;
      const listCommand = `az vm image list --location ${location} --publisher ${source.publisher} --offer ${source.offer} --sku ${source.sku} --all`;
      const latest = source.version.toLowerCase() === 'latest';
      let version = source.version;
      if (latest) {
        const versions = await reader.listPlatformImageVersions(location, source.publisher, source.offer, source.sku, signal);
        const newest = [...(versions ?? [])].sort(compareVersions).pop();
        if (newest === undefined) {
          return { found: false, label, input: 'baseImage', key: 'PreflightPlatformImageNotFound', args: [label, location, listCommand] };
        }
        version = newest;
      }
      const image = await reader.getPlatformImageVersion(location, source.publisher, source.offer, source.sku, version, signal);
      if (!image) {
        return latest
          ? { found: false, label, input: 'baseImage', key: 'PreflightPlatformImageNotFound', args: [label, location, listCommand] }
          : { found: false, label, input: 'baseImage', key: 'PreflightPlatformImageVersionNotFound', args: [label, version, location, listCommand] };
      }
      return {
        found: true,
        label,
        traits: traitsOf(image),
        platform: { version: image.version || version, resolvedFromLatest: latest, plan: image.plan, requestedPlan: source.plan },
      };
    }
    case 'managedImage': {
      const image = await reader.getManagedImage(source.imageId, signal);
      if (!image) return { found: false, label: source.imageId, input: 'managedImageId', key: 'PreflightManagedImageNotFound', args: [source.imageId] };
      return { found: true, label: source.imageId, traits: traitsOf(image) };
    }
    case 'galleryImageVersion': {
      const id = source.imageVersionId;
      const definitionId = id.replace(/\/versions\/[^/]+$/i, '');
      if (/\/versions\/latest$/i.test(id)) {
        const definition = await reader.getGalleryImageDefinition(definitionId, signal);
        if (!definition) return { found: false, label: id, input: 'galleryImageVersionId', key: 'PreflightGalleryDefinitionOfSourceNotFound', args: [definitionId] };
        return { found: true, label: id, traits: traitsOf(definition) };
      }
      const [version, definition] = await Promise.all([reader.getGalleryImageVersion(id, signal), reader.getGalleryImageDefinition(definitionId, signal)]);
      if (!version) return { found: false, label: id, input: 'galleryImageVersionId', key: 'PreflightSourceGalleryVersionNotFound', args: [id] };
      return { found: true, label: id, ...(definition ? { traits: traitsOf(definition) } : {}), replicatedTo: version.targetRegions };
    }
  }
}

function traitsOf(image: ImageTraits): ImageTraits {
  return { osType: image.osType, hyperVGeneration: image.hyperVGeneration, securityType: image.securityType, architecture: image.architecture };
}
