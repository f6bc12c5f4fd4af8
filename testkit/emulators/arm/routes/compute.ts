/**
 * Microsoft.Compute as the task reads it: platform image versions (for pinning
 * `latest` and checking sources), managed images, galleries, image definitions
 * and image versions (with replication status on $expand=ReplicationStatus),
 * one by one and as lists; compute usages (quotas) of a region and the
 * resource SKU list of virtual machine sizes.
 * Any api-version is accepted: SDK releases move it often.
 */
import type { EmulatorContext } from '../context';
import { ArmError, notFound, ok, type ArmRequest } from '../http';
import { resourceGroupId } from '../resourceIds';
import type { Router } from '../router';
import { compareVersions, platformImageKey, TYPES, type Json, type PlatformImage, type ResourceType } from '../world';

const RG = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute';
const VM_IMAGE = '/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/publishers/{pub}/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions';

export function requireApiVersion(req: ArmRequest): void {
  if (!req.query.get('api-version')) {
    throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
}

export function registerCompute(router: Router, ctx: EmulatorContext): void {
  const platformId = (sub: string, img: PlatformImage) =>
    `/Subscriptions/${sub}/Providers/Microsoft.Compute/Locations/${img.location}/Publishers/${img.publisher}/ArtifactTypes/VMImage/Offers/${img.offer}/Skus/${img.sku}/Versions/${img.version}`;

  router.add('GET', VM_IMAGE, (req) => {
    requireApiVersion(req);
    const { sub, loc, pub, offer, sku } = req.params as Record<string, string>;
    ctx.world.assertSubscription(sub);
    const versions = ctx.world.platformImages.get(platformImageKey(loc, pub, offer, sku));
    if (!versions) {
      throw new ArmError(404, 'NotFound', `Artifact: VMImage was not found for publisher '${pub}', offer '${offer}', sku '${sku}' in location '${loc}'.`);
    }
    let list = [...versions.values()].sort((a, b) => compareVersions(a.version, b.version));
    const orderby = req.query.get('$orderby')?.trim().toLowerCase();
    if (orderby === 'name desc') list.reverse();
    const top = req.query.get('$top');
    if (top !== null) list = list.slice(0, Math.max(0, Number(top)));
    return ok(list.map((img) => ({ location: img.location, name: img.version, id: platformId(sub, img) })));
  });

  router.add('GET', `${VM_IMAGE}/{version}`, (req) => {
    requireApiVersion(req);
    const { sub, loc, pub, offer, sku, version } = req.params as Record<string, string>;
    ctx.world.assertSubscription(sub);
    const img = ctx.world.platformImage(loc, pub, offer, sku, version);
    if (!img || version.toLowerCase() === 'latest') {
      throw new ArmError(404, 'NotFound', `Artifact: VMImage was not found. (publisher '${pub}', offer '${offer}', sku '${sku}', version '${version}', location '${loc}')`);
    }
    return ok({
      location: img.location,
      name: img.version,
      id: platformId(sub, img),
      properties: {
        ...(img.plan ? { plan: { publisher: img.plan.publisher, name: img.plan.name, product: img.plan.product } } : {}),
        osDiskImage: { operatingSystem: img.osType },
        dataDiskImages: [],
        automaticOSUpgradeProperties: { automaticOSUpgradeSupported: false },
        hyperVGeneration: img.hyperVGeneration ?? 'V1',
        disallowed: { vmDiskType: 'Unmanaged' },
        features: img.features ?? [],
        architecture: img.architecture ?? 'x64',
      },
    });
  });

  const getter = (type: ResourceType, label: string, path: string, idOf: (p: Record<string, string>) => string, render?: (j: Json, req: ArmRequest) => Json) => {
    router.add('GET', path, (req) => {
      requireApiVersion(req);
      const p = req.params as Record<string, string>;
      ctx.world.assertResourceGroup(p.sub as string, p.rg as string);
      const r = ctx.world.get(idOf(p));
      if (!r || r.type !== type) throw notFound(label, Object.entries(p).filter(([k]) => k !== 'sub' && k !== 'rg').map(([, v]) => v).join('/'), p.rg);
      const json = structuredClone(r.json);
      return ok(render ? render(json, req) : json);
    });
    router.add('DELETE', path, (req) => {
      requireApiVersion(req);
      const p = req.params as Record<string, string>;
      ctx.world.assertResourceGroup(p.sub as string, p.rg as string);
      return { status: ctx.world.delete(idOf(p)) ? 200 : 204 };
    });
  };

  const rgOf = (p: Record<string, string>) => resourceGroupId(p.sub as string, p.rg as string);
  getter(TYPES.image, 'Microsoft.Compute/images', `${RG}/images/{image}`, (p) => `${rgOf(p)}/providers/Microsoft.Compute/images/${p.image}`);
  getter(TYPES.gallery, 'Microsoft.Compute/galleries', `${RG}/galleries/{gallery}`, (p) => `${rgOf(p)}/providers/Microsoft.Compute/galleries/${p.gallery}`);
  getter(
    TYPES.galleryImage,
    'Microsoft.Compute/galleries/images',
    `${RG}/galleries/{gallery}/images/{image}`,
    (p) => `${rgOf(p)}/providers/Microsoft.Compute/galleries/${p.gallery}/images/${p.image}`,
  );
  const withoutReplicationUnlessExpanded = (json: Json, req: ArmRequest): Json => {
    const expand = req.query.get('$expand') ?? '';
    if (!/replicationstatus/i.test(expand)) delete (json.properties as Json).replicationStatus;
    return json;
  };
  getter(
    TYPES.galleryImageVersion,
    'Microsoft.Compute/galleries/images/versions',
    `${RG}/galleries/{gallery}/images/{image}/versions/{version}`,
    (p) => `${rgOf(p)}/providers/Microsoft.Compute/galleries/${p.gallery}/images/${p.image}/versions/${p.version}`,
    withoutReplicationUnlessExpanded,
  );

  router.add('GET', '/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/usages', (req) => {
    requireApiVersion(req);
    const { sub, loc } = req.params as Record<string, string>;
    ctx.world.assertSubscription(sub as string);
    const value = ctx.world.usagesIn(loc as string).map((u) => ({
      unit: 'Count',
      currentValue: u.currentValue ?? 0,
      limit: u.limit,
      name: { value: u.name, localizedValue: u.name === 'cores' ? 'Total Regional vCPUs' : `${u.name} vCPUs` },
    }));
    return ok({ value });
  });

  router.add('GET', '/subscriptions/{sub}/providers/Microsoft.Compute/skus', (req) => {
    requireApiVersion(req);
    ctx.world.assertSubscription(req.params.sub as string);
    const location = skuLocationFilter(req.query.get('$filter'));
    const regions = location ? [location] : ctx.world.locations;
    const value = [...ctx.world.vmSkus.values()].flatMap((sku) =>
      regions
        .filter((region) => !sku.locations || sku.locations.some((l) => l.toLowerCase() === region.toLowerCase()))
        .map((region) => {
          const restricted = (sku.restrictedLocations ?? []).some((l) => l.toLowerCase() === region.toLowerCase());
          return {
            resourceType: 'virtualMachines',
            name: sku.name,
            tier: 'Standard',
            size: sku.name.replace(/^Standard_/, ''),
            family: sku.family,
            locations: [region],
            locationInfo: [{ location: region, zones: [], zoneDetails: [] }],
            capabilities: [
              { name: 'vCPUs', value: String(sku.vCpus) },
              { name: 'HyperVGenerations', value: 'V1,V2' },
            ],
            restrictions: restricted
              ? [{ type: 'Location', values: [region], restrictionInfo: { locations: [region] }, reasonCode: 'NotAvailableForSubscription' }]
              : [],
          };
        }),
    );
    return ok({ value });
  });

  router.add('GET', `${RG}/images`, (req) => {
    requireApiVersion(req);
    const { sub, rg } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    return ok({ value: ctx.world.list(TYPES.image, resourceGroupId(sub as string, rg as string)).map((r) => structuredClone(r.json)) });
  });

  // Lists for pickers: galleries of a subscription or group, definitions of a gallery.
  router.add('GET', '/subscriptions/{sub}/providers/Microsoft.Compute/galleries', (req) => {
    requireApiVersion(req);
    const sub = req.params.sub as string;
    ctx.world.assertSubscription(sub);
    return ok({ value: ctx.world.list(TYPES.gallery, `/subscriptions/${sub}`).map((r) => structuredClone(r.json)) });
  });

  router.add('GET', `${RG}/galleries`, (req) => {
    requireApiVersion(req);
    const { sub, rg } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    return ok({ value: ctx.world.list(TYPES.gallery, resourceGroupId(sub as string, rg as string)).map((r) => structuredClone(r.json)) });
  });

  router.add('GET', `${RG}/galleries/{gallery}/images`, (req) => {
    requireApiVersion(req);
    const { sub, rg, gallery } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    const galleryId = `${resourceGroupId(sub as string, rg as string)}/providers/Microsoft.Compute/galleries/${gallery}`;
    const found = ctx.world.get(galleryId);
    if (!found || found.type !== TYPES.gallery) throw notFound('Microsoft.Compute/galleries', gallery as string, rg);
    return ok({ value: ctx.world.list(TYPES.galleryImage, galleryId).map((r) => structuredClone(r.json)) });
  });

  router.add('GET', `${RG}/galleries/{gallery}/images/{image}/versions`, (req) => {
    requireApiVersion(req);
    const { sub, rg, gallery, image } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    const defId = `${resourceGroupId(sub as string, rg as string)}/providers/Microsoft.Compute/galleries/${gallery}/images/${image}`;
    if (!ctx.world.get(defId)) throw notFound('Microsoft.Compute/galleries/images', `${gallery}/${image}`, rg);
    const value = ctx.world.list(TYPES.galleryImageVersion, defId).map((r) => withoutReplicationUnlessExpanded(structuredClone(r.json), req));
    return ok({ value });
  });

  registerGalleryImageVersionPatch(router, ctx);
}

/** Writable publishingProfile fields; the others (publishedDate) are read-only and may be left out of a PATCH. */
const READ_ONLY_PUBLISHING = new Set(['publishedDate']);

/**
 * PATCH of a gallery image version, as promote and demote use it. Strict on
 * purpose: the body may change publishingProfile.excludeFromLatest and nothing
 * else (a field it repeats must keep its value), so a test proves that a
 * promotion changes exactly that. The answer is 200 with provisioningState
 * Updating; the version reads Succeeded once the update is done, which the
 * client finds by polling the version.
 */
function registerGalleryImageVersionPatch(router: Router, ctx: EmulatorContext): void {
  router.add('PATCH', `${RG}/galleries/{gallery}/images/{image}/versions/{version}`, (req) => {
    requireApiVersion(req);
    const p = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(p.sub as string, p.rg as string);
    const id = `${resourceGroupId(p.sub as string, p.rg as string)}/providers/Microsoft.Compute/galleries/${p.gallery}/images/${p.image}/versions/${p.version}`;
    const found = ctx.world.get(id);
    if (!found || found.type !== TYPES.galleryImageVersion) throw notFound('Microsoft.Compute/galleries/images/versions', `${p.gallery}/${p.image}/${p.version}`, p.rg);
    const body = (req.body ?? {}) as Json;
    const unexpected = Object.keys(body).filter((k) => k !== 'properties');
    const properties = (body.properties ?? {}) as Json;
    unexpected.push(...Object.keys(properties).filter((k) => k !== 'publishingProfile').map((k) => `properties.${k}`));
    const current = structuredClone(((found.json.properties as Json).publishingProfile ?? {}) as Json);
    const sent = (properties.publishingProfile ?? {}) as Json;
    for (const [key, value] of Object.entries(sent)) {
      if (key === 'excludeFromLatest' || READ_ONLY_PUBLISHING.has(key)) continue;
      if (canonical(value) !== canonical(current[key])) unexpected.push(`properties.publishingProfile.${key}`);
    }
    if (unexpected.length > 0) {
      throw new ArmError(400, 'InvalidParameter', `This update may change only properties.publishingProfile.excludeFromLatest; it also changes: ${unexpected.join(', ')}.`);
    }
    if (typeof sent.excludeFromLatest !== 'boolean') {
      throw new ArmError(400, 'InvalidParameter', 'properties.publishingProfile.excludeFromLatest must be true or false.');
    }
    const props = found.json.properties as Json;
    (props.publishingProfile as Json).excludeFromLatest = sent.excludeFromLatest;
    props.provisioningState = 'Updating';
    // A tracked background task, like the other simulated phases: stop() ends it and waiters hear of the change.
    void ctx.background(async () => {
      await ctx.sleep(ctx.timing().provisioningMs);
      if (ctx.world.get(id) === found) props.provisioningState = 'Succeeded';
    });
    return ok(withoutReplicationUnlessExpanded(structuredClone(found.json), req));
  });
}

/** JSON with sorted keys: a client may send the fields in its own order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Json).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutReplicationUnlessExpanded(json: Json, req: ArmRequest): Json {
  const expand = req.query.get('$expand') ?? '';
  if (!/replicationstatus/i.test(expand)) delete (json.properties as Json).replicationStatus;
  return json;
}

/** The only `$filter` the SKU list supports: `location eq '{region}'`. */
function skuLocationFilter(filter: string | null): string | undefined {
  if (filter === null || filter.trim() === '') return undefined;
  const m = /^location\s+eq\s+'([^']+)'$/i.exec(filter.trim());
  if (!m) throw new ArmError(400, 'InvalidFilter', `The filter '${filter}' is not supported; only location eq '<location>' is.`);
  return m[1];
}
