/**
 * Distribution: creates what each distributor names (a managed image, a gallery
 * image version with per-region replication status, a VHD blob) and reports a
 * run output per success and a reason per failure.
 */
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { EmulatorContext } from '../context';
import { isRecord } from '../http';
import { lastName, parseResourceId, resourceGroupId } from '../resourceIds';
import { compareVersions, TYPES, type Json, type RunOutput, type TemplateRecord } from '../world';
import type { StagingAccount } from './staging';

export interface SourceFacts {
  osType: 'Linux' | 'Windows';
  hyperVGeneration: 'V1' | 'V2';
  /** Concrete version of the source, when it has one (PlatformImage / gallery version). */
  version?: string;
  /** The ARM id of the source, for storageProfile.source. */
  id?: string;
}

export interface DistributionFailure {
  runOutputName: string;
  type: string;
  message: string;
}

export interface DistributionResult {
  outputs: RunOutput[];
  failures: DistributionFailure[];
}

class DistributionError extends Error {}

/** A tiny stand-in for a VHD: the 512-byte footer's cookie is enough for anyone peeking at it. */
function fakeVhd(): Buffer {
  const b = Buffer.alloc(512);
  b.write('conectix', 0, 'ascii');
  return b;
}

export async function distributeOne(
  ctx: EmulatorContext,
  t: TemplateRecord,
  d: Json,
  source: SourceFacts,
  staging: StagingAccount,
  runId: string,
  storageToken: () => Promise<string>,
): Promise<RunOutput> {
  const name = String(d.runOutputName);
  const tags = isRecord(d.artifactTags) ? (d.artifactTags as Record<string, string>) : {};
  if ((ctx.scenario.failDistributorKinds ?? []).includes(d.type as 'VHD')) {
    throw new DistributionError(`Distribution of type '${String(d.type)}' failed: the service could not complete the operation within the allowed time.`);
  }
  switch (d.type) {
    case 'ManagedImage': {
      const imageId = String(d.imageId);
      const p = parseResourceId(imageId);
      if (!p?.resourceGroup) throw new DistributionError(`The managed image id '${imageId}' is not a valid resource id.`);
      if (!ctx.world.get(resourceGroupId(p.subscriptionId, p.resourceGroup))) {
        throw new DistributionError(`Resource group '${p.resourceGroup}' could not be found.`);
      }
      ctx.world.put(TYPES.image, imageId, {
        ...ctx.world.managedImageJson({ id: imageId, location: String(d.location), osType: source.osType, hyperVGeneration: source.hyperVGeneration, tags }),
      });
      return { name, artifactId: imageId };
    }
    case 'SharedImage': {
      const galleryImageId = String(d.galleryImageId);
      const m = /^(.*\/galleries\/[^/]+\/images\/[^/]+)(?:\/versions\/([^/]+))?$/i.exec(galleryImageId);
      if (!m) throw new DistributionError(`The gallery image id '${galleryImageId}' is not a valid resource id.`);
      const definitionId = m[1] as string;
      const definition = ctx.world.get(definitionId);
      if (!definition) throw new DistributionError(`The gallery image definition '${definitionId}' was not found.`);
      const defProps = (definition.json.properties as Json | undefined) ?? {};
      if (defProps.osType && defProps.osType !== source.osType) {
        throw new DistributionError(`The OS type '${source.osType}' of the source does not match the OS type '${String(defProps.osType)}' of the gallery image definition '${lastName(definitionId)}'.`);
      }
      const version = m[2] ?? nextVersion(ctx, definitionId, d, source);
      const versionId = `${definitionId}/versions/${version}`;
      if (ctx.world.get(versionId)) throw new DistributionError(`The gallery image version '${versionId}' already exists.`);
      const regions = targetRegionsOf(d, String(t.submitted.location));
      ctx.world.put(
        TYPES.galleryImageVersion,
        versionId,
        ctx.world.galleryImageVersionJson(
          {
            id: versionId,
            location: String(definition.json.location ?? t.submitted.location),
            targetRegions: regions,
            excludeFromLatest: d.excludeFromLatest === true,
            tags,
          },
          `${t.id}/runs/${runId}`,
        ),
      );
      return { name, artifactId: versionId };
    }
    case 'VHD': {
      const data = fakeVhd();
      if (typeof d.uri === 'string' && d.uri.length > 0) {
        // The service writes a user-given VHD location with the template identity.
        const res = await fetch(d.uri, {
          method: 'PUT',
          body: data,
          headers: {
            authorization: `Bearer ${await storageToken()}`,
            'x-ms-version': '2021-08-06',
            'x-ms-blob-type': 'BlockBlob',
            'content-type': 'application/octet-stream',
          },
        });
        if (!res.ok) throw new DistributionError(`Writing the VHD to '${d.uri}' failed: ${res.status} ${res.statusText}.`);
        return { name, artifactUri: d.uri };
      }
      const container = new ContainerClient(`${staging.blobEndpoint}vhds`, new StorageSharedKeyCredential(staging.accountName, staging.accountKey));
      await container.createIfNotExists();
      const blob = container.getBlockBlobClient(`${t.name}-${runId}.vhd`);
      await blob.uploadData(data);
      const url = blob.url;
      t.vhdBlobUrls.push(url);
      ctx.world.vhdBlobs.add(url);
      return { name, artifactUri: url };
    }
    default:
      throw new DistributionError(`Unsupported distributor type '${String(d.type)}'.`);
  }
}

function targetRegionsOf(d: Json, fallback: string): Array<{ name: string; regionalReplicaCount: number; storageAccountType: string }> {
  if (Array.isArray(d.targetRegions) && d.targetRegions.length > 0) {
    return d.targetRegions.filter(isRecord).map((r) => ({
      name: String(r.name),
      regionalReplicaCount: Number(r.replicaCount ?? 1),
      storageAccountType: String(r.storageAccountType ?? 'Standard_LRS'),
    }));
  }
  if (Array.isArray(d.replicationRegions) && d.replicationRegions.length > 0) {
    return d.replicationRegions.map((r) => ({ name: String(r), regionalReplicaCount: 1, storageAccountType: String(d.storageAccountType ?? 'Standard_LRS') }));
  }
  return [{ name: fallback, regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' }];
}

/** The version an automatic gallery distribution gets, per the distributor's versioning. */
function nextVersion(ctx: EmulatorContext, definitionId: string, d: Json, source: SourceFacts): string {
  const existing = ctx.world.list(TYPES.galleryImageVersion, definitionId).map((r) => lastName(r.id));
  const versioning = isRecord(d.versioning) ? d.versioning : undefined;
  if (versioning?.scheme === 'Source' && source.version && /^\d+\.\d+\.\d+$/.test(source.version)) return source.version;
  if (versioning?.scheme === 'Latest') {
    const major = Number(versioning.major ?? -1);
    const candidates = existing.filter((v) => major < 0 || v.split('.')[0] === String(major)).sort(compareVersions);
    const highest = candidates[candidates.length - 1];
    if (!highest) return `${major < 0 ? 1 : major}.0.0`;
    const [a = '0', b = '0', c = '0'] = highest.split('.');
    return `${a}.${b}.${Number(c) + 1}`;
  }
  // Without versioning the service generates 0.<yyddd>.<seconds of the day>.
  const now = new Date();
  const start = Date.UTC(now.getUTCFullYear(), 0, 0);
  const day = Math.floor((now.getTime() - start) / 86_400_000);
  let patch = now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds();
  const minor = `${String(now.getUTCFullYear()).slice(2)}${String(day).padStart(3, '0')}`;
  while (existing.includes(`0.${minor}.${patch}`)) patch++;
  return `0.${minor}.${patch}`;
}
