/**
 * Everything the emulated subscription holds: resources by id, platform images,
 * provider registrations, permissions and image templates with their run state.
 * Handlers and the simulated build read and change this one store.
 */
import { BUILT_IN_ROLES, DEFAULT_PRINCIPAL_ROLES, DEFAULT_VCPU_LIMIT, VM_SKU_CATALOG } from './catalogs';
import { ArmError } from './http';
import { DEFAULT_LOCATIONS } from './locations';
import { templateRecordFromSeed } from './templateSeed';
import { idKey, isWithinScope, lastName, parseResourceId, resourceGroupId, stableGuid } from './resourceIds';
import type {
  ComputeUsageSeed,
  DownloadRecord,
  GalleryImageSeed,
  GalleryImageVersionSeed,
  GalleryImageVersionTargetRegionSeed,
  ImageTemplateSeed,
  ManagedImageSeed,
  PermissionSeed,
  PlatformImageSeed,
  ReplicationState,
  RoleAssignmentSeed,
  RoleDefinitionSeed,
  VmSkuSeed,
  World,
  WorldSnapshot,
} from './types';

export type Json = Record<string, unknown>;

export const TYPES = {
  resourceGroup: 'Microsoft.Resources/resourceGroups',
  identity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  storageAccount: 'Microsoft.Storage/storageAccounts',
  image: 'Microsoft.Compute/images',
  gallery: 'Microsoft.Compute/galleries',
  galleryImage: 'Microsoft.Compute/galleries/images',
  galleryImageVersion: 'Microsoft.Compute/galleries/images/versions',
} as const;
export type ResourceType = (typeof TYPES)[keyof typeof TYPES];

export interface StoredResource {
  id: string;
  type: ResourceType;
  json: Json;
}

export interface RunStatus {
  startTime: string;
  endTime?: string;
  runState: 'Running' | 'Canceling' | 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Canceled';
  runSubState?: 'Queued' | 'Building' | 'Customizing' | 'Optimizing' | 'Validating' | 'Distributing';
  message: string;
}

export interface RunOutput {
  name: string;
  artifactId?: string;
  artifactUri?: string;
}

export interface TemplateRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  apiVersion: string;
  /** The body the client sent (location, tags, identity, properties). */
  submitted: Json;
  provisioningState: 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting' | 'Canceled';
  provisioningError?: { provisioningErrorCode: string; message: string };
  lastRunStatus?: RunStatus;
  /** Resource id of the staging group once a run made or adopted it. */
  exactStagingResourceGroup?: string;
  /** True when the service created the staging group (then deleting the template deletes it). */
  stagingCreatedByService: boolean;
  runOutputs: RunOutput[];
  runIds: string[];
  /** Default-location VHDs (in the staging account) the template's runs wrote. */
  vhdBlobUrls: string[];
  triggers: Map<string, Json>;
  /** Set while a run is in progress: cancels it. */
  cancelRun?: () => void;
  /** Settles when the current run has ended (succeeded, failed or canceled). */
  runDone?: Promise<void>;
  /** Set once a DELETE was accepted: settles when the template is gone. */
  deleteDone?: Promise<void>;
  /** sha256 of customizer scripts (by index) the service computed while creating. */
  serviceChecksums?: Record<number, string>;
  /** The source version the last run resolved (`latest` pinned). */
  exactVersion?: string;
}

export interface PlatformImage extends PlatformImageSeed {
  osType: 'Linux' | 'Windows';
}

const COMMON_PROVIDERS = [
  'Microsoft.VirtualMachineImages',
  'Microsoft.Compute',
  'Microsoft.Storage',
  'Microsoft.Network',
  'Microsoft.ContainerInstance',
  'Microsoft.ManagedIdentity',
  'Microsoft.KeyVault',
  'Microsoft.Resources',
  'Microsoft.Authorization',
];

export const platformImageKey = (location: string, publisher: string, offer: string, sku: string): string =>
  [location, publisher, offer, sku].map((s) => s.toLowerCase().replace(/\s+/g, '')).join('|');

/** Orders version strings numerically segment by segment (22.04.10 > 22.04.9). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

const REPLICATION_PROGRESS: Record<ReplicationState, number> = { Unknown: 0, InProgress: 50, Completed: 100, Failed: 0 };

/** `properties.replicationStatus` of a gallery image version: per region, and the aggregate of them. */
export function replicationStatusOf(regions: GalleryImageVersionTargetRegionSeed[]): Json {
  const summary = regions.map((r) => {
    const state = r.replicationState ?? 'Completed';
    return {
      region: r.name,
      state,
      details: state === 'Failed' ? `Replication to region '${r.name}' failed: the copy of the image could not be completed.` : '',
      progress: REPLICATION_PROGRESS[state],
    };
  });
  // The service reports the worst region: any failure fails the whole, any copy still running keeps it in progress.
  const aggregatedState = summary.some((r) => r.state === 'Failed') ? 'Failed' : summary.some((r) => r.state === 'InProgress') ? 'InProgress' : 'Completed';
  return { aggregatedState, summary };
}

export class WorldStore {
  readonly subscriptions = new Map<string, { subscriptionId: string; tenantId: string; displayName: string }>();
  /** Only when tests seeded subscriptions explicitly do unknown subscriptions answer 404. */
  strictSubscriptions = false;
  readonly resources = new Map<string, StoredResource>();
  /** key -> version (lowercase) -> image */
  readonly platformImages = new Map<string, Map<string, PlatformImage>>();
  readonly providers = new Map<string, string>();
  readonly permissions: PermissionSeed[] = [];
  readonly templates = new Map<string, TemplateRecord>();
  readonly downloads: DownloadRecord[] = [];
  /** VHD blob URLs written by distributions, until their template is deleted. */
  readonly vhdBlobs = new Set<string>();
  /** Region names the subscription lists. */
  locations: string[] = [...DEFAULT_LOCATIONS];
  /** Seeded usages, by `location|name` (lower case). */
  readonly computeUsages = new Map<string, ComputeUsageSeed>();
  /** VM sizes by name (lower case): the catalog, then what tests seeded. */
  readonly vmSkus = new Map<string, VmSkuSeed>(VM_SKU_CATALOG.map((s) => [s.name.toLowerCase(), s]));
  readonly roleAssignments: RoleAssignmentSeed[] = [];
  readonly roleDefinitions = new Map<string, RoleDefinitionSeed>(BUILT_IN_ROLES.map((r) => [r.name.toLowerCase(), r]));

  constructor(private readonly defaultTenantId: string) {}

  tenantOf(subscriptionId: string): string {
    return this.subscriptions.get(subscriptionId.toLowerCase())?.tenantId ?? this.defaultTenantId;
  }

  // ---- lookups -------------------------------------------------------------

  get(id: string): StoredResource | undefined {
    return this.resources.get(idKey(id));
  }

  list(type: ResourceType, scope?: string): StoredResource[] {
    return [...this.resources.values()].filter((r) => r.type === type && (scope === undefined || isWithinScope(r.id, scope)));
  }

  put(type: ResourceType, id: string, json: Json): StoredResource {
    const r: StoredResource = { id, type, json: { ...json, id, name: lastName(id), type } };
    this.resources.set(idKey(id), r);
    return r;
  }

  delete(id: string): boolean {
    return this.resources.delete(idKey(id));
  }

  /** Deletes a resource group and everything in it. */
  deleteResourceGroup(id: string): void {
    for (const [key, r] of this.resources) if (isWithinScope(r.id, id)) this.resources.delete(key);
  }

  assertSubscription(subscriptionId: string): void {
    if (this.strictSubscriptions && !this.subscriptions.has(subscriptionId.toLowerCase())) {
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
    }
  }

  assertResourceGroup(subscriptionId: string, name: string): StoredResource {
    this.assertSubscription(subscriptionId);
    const rg = this.get(resourceGroupId(subscriptionId, name));
    if (!rg) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
    return rg;
  }

  providerState(subscriptionId: string, namespace: string): string | undefined {
    const specific = this.providers.get(`${subscriptionId}|${namespace}`.toLowerCase());
    if (specific) return specific;
    const general = this.providers.get(`*|${namespace}`.toLowerCase());
    if (general) return general;
    return COMMON_PROVIDERS.some((p) => p.toLowerCase() === namespace.toLowerCase()) ? 'Registered' : undefined;
  }

  /** The most specific seeded permissions at or above the scope; full rights when none. */
  permissionsAt(scope: string): PermissionSeed[] {
    const matching = this.permissions.filter((p) => isWithinScope(scope, p.scope));
    if (matching.length === 0) return [{ scope, actions: ['*'], notActions: [], dataActions: ['*'], notDataActions: [] }];
    const longest = Math.max(...matching.map((p) => idKey(p.scope).length));
    return matching.filter((p) => idKey(p.scope).length === longest);
  }

  /** Usages of a region: `cores` and every catalog family at the default limit, unless seeded. */
  usagesIn(location: string): ComputeUsageSeed[] {
    const loc = location.toLowerCase();
    const names = new Set(['cores', ...[...this.vmSkus.values()].map((s) => s.family)]);
    for (const seeded of this.computeUsages.values()) if (seeded.location.toLowerCase() === loc) names.add(seeded.name);
    return [...names].map((name) => this.computeUsages.get(`${loc}|${name}`.toLowerCase()) ?? { location, name, limit: DEFAULT_VCPU_LIMIT, currentValue: 0 });
  }

  /** The role definition of that GUID (built-in or seeded). */
  roleDefinition(guid: string): RoleDefinitionSeed | undefined {
    return this.roleDefinitions.get(guid.toLowerCase());
  }

  /** GUID of a role given by name or by definition id. */
  roleGuid(role: string): string {
    const byName = [...this.roleDefinitions.values()].find((r) => r.roleName.toLowerCase() === role.toLowerCase());
    if (byName) return byName.name;
    return lastName(role);
  }

  /** The principal's assignments; a principal with none seeded holds the default roles on the subscription. */
  assignmentsOf(principalId: string, subscriptionId: string): RoleAssignmentSeed[] {
    const seeded = this.roleAssignments.filter((a) => a.principalId.toLowerCase() === principalId.toLowerCase());
    if (seeded.length > 0) return seeded;
    return DEFAULT_PRINCIPAL_ROLES.map((role) => ({ principalId, scope: `/subscriptions/${subscriptionId}`, role }));
  }

  platformImage(location: string, publisher: string, offer: string, sku: string, version: string): PlatformImage | undefined {
    const versions = this.platformImages.get(platformImageKey(location, publisher, offer, sku));
    if (!versions) return undefined;
    if (version.toLowerCase() === 'latest') {
      const sorted = [...versions.values()].sort((a, b) => compareVersions(b.version, a.version));
      return sorted[0];
    }
    return versions.get(version.toLowerCase());
  }

  // ---- seeding ---------------------------------------------------------------

  /** Creates the resource group of a seeded resource when the test did not seed it itself. */
  private ensureGroupOf(id: string, location: string): void {
    const p = parseResourceId(id);
    if (!p?.resourceGroup) return;
    const rgId = resourceGroupId(p.subscriptionId, p.resourceGroup);
    if (!this.get(rgId)) this.putResourceGroup(p.subscriptionId, p.resourceGroup, location, {});
  }

  putResourceGroup(subscriptionId: string, name: string, location: string, tags: Record<string, string>): StoredResource {
    return this.put(TYPES.resourceGroup, resourceGroupId(subscriptionId, name), {
      location,
      tags,
      properties: { provisioningState: 'Succeeded' },
    });
  }

  identityJson(id: string, seed: { location?: string; principalId?: string; clientId?: string; tenantId?: string }): Json {
    const p = parseResourceId(id);
    return {
      location: seed.location ?? 'westus',
      tags: {},
      properties: {
        tenantId: seed.tenantId ?? this.tenantOf(p?.subscriptionId ?? ''),
        principalId: seed.principalId ?? stableGuid(`principal:${idKey(id)}`),
        clientId: seed.clientId ?? stableGuid(`client:${idKey(id)}`),
      },
    };
  }

  managedImageJson(seed: ManagedImageSeed): Json {
    return {
      location: seed.location,
      tags: seed.tags ?? {},
      properties: {
        storageProfile: {
          osDisk: { osType: seed.osType ?? 'Linux', osState: 'Generalized', caching: 'ReadWrite', storageAccountType: 'Standard_LRS' },
          dataDisks: [],
          zoneResilient: false,
        },
        hyperVGeneration: seed.hyperVGeneration ?? 'V1',
        provisioningState: 'Succeeded',
      },
    };
  }

  galleryImageJson(seed: GalleryImageSeed): Json {
    const name = lastName(seed.id);
    return {
      location: seed.location,
      tags: {},
      properties: {
        osType: seed.osType,
        osState: seed.osState ?? 'Generalized',
        hyperVGeneration: seed.hyperVGeneration ?? 'V1',
        ...(seed.features ? { features: seed.features } : {}),
        identifier: seed.identifier ?? { publisher: 'contoso', offer: name, sku: name },
        provisioningState: 'Succeeded',
      },
    };
  }

  galleryImageVersionJson(seed: GalleryImageVersionSeed, sourceId?: string): Json {
    const regions = seed.targetRegions ?? [{ name: seed.location }];
    return {
      location: seed.location,
      tags: seed.tags ?? {},
      properties: {
        publishingProfile: {
          targetRegions: regions.map((r) => ({
            name: r.name,
            regionalReplicaCount: r.regionalReplicaCount ?? 1,
            storageAccountType: r.storageAccountType ?? 'Standard_LRS',
          })),
          replicaCount: 1,
          excludeFromLatest: seed.excludeFromLatest ?? false,
          publishedDate: new Date().toISOString(),
          storageAccountType: 'Standard_LRS',
        },
        storageProfile: sourceId ? { source: { virtualMachineId: sourceId } } : { osDiskImage: { sizeInGB: 30, hostCaching: 'ReadWrite' } },
        provisioningState: seed.provisioningState ?? 'Succeeded',
        replicationStatus: replicationStatusOf(regions),
      },
    };
  }

  seed(world: Partial<World>): void {
    for (const s of world.subscriptions ?? []) {
      this.strictSubscriptions = true;
      this.subscriptions.set(s.subscriptionId.toLowerCase(), {
        subscriptionId: s.subscriptionId,
        tenantId: s.tenantId ?? this.defaultTenantId,
        displayName: s.displayName ?? `Subscription ${s.subscriptionId}`,
      });
    }
    for (const rg of world.resourceGroups ?? []) this.putResourceGroup(rg.subscriptionId, rg.name, rg.location, rg.tags ?? {});
    for (const i of world.identities ?? []) {
      this.ensureGroupOf(i.id, i.location ?? 'westus');
      this.put(TYPES.identity, i.id, this.identityJson(i.id, i));
    }
    for (const sa of world.storageAccounts ?? []) {
      this.ensureGroupOf(sa.id, sa.location ?? 'westus');
      this.put(TYPES.storageAccount, sa.id, {
        location: sa.location ?? 'westus',
        kind: sa.kind ?? 'StorageV2',
        // The account's access settings, rendered into its properties.
        access: {
          allowSharedKeyAccess: sa.allowSharedKeyAccess ?? true,
          publicNetworkAccess: sa.publicNetworkAccess ?? 'Enabled',
          networkAcls: {
            bypass: sa.networkAcls?.bypass ?? 'AzureServices',
            virtualNetworkRules: (sa.networkAcls?.virtualNetworkRules ?? []).map((id) => ({ id, action: 'Allow', state: 'Succeeded' })),
            ipRules: (sa.networkAcls?.ipRules ?? []).map((value) => ({ value, action: 'Allow' })),
            defaultAction: sa.networkAcls?.defaultAction ?? 'Allow',
          },
        },
      });
    }
    for (const img of world.platformImages ?? []) {
      const key = platformImageKey(img.location, img.publisher, img.offer, img.sku);
      const versions = this.platformImages.get(key) ?? new Map<string, PlatformImage>();
      versions.set(img.version.toLowerCase(), { ...img, osType: img.osType ?? 'Linux' });
      this.platformImages.set(key, versions);
    }
    for (const m of world.managedImages ?? []) {
      this.ensureGroupOf(m.id, m.location);
      this.put(TYPES.image, m.id, this.managedImageJson(m));
    }
    for (const g of world.galleries ?? []) {
      this.ensureGroupOf(g.id, g.location);
      this.put(TYPES.gallery, g.id, { location: g.location, tags: {}, properties: { identifier: { uniqueName: stableGuid(g.id) }, provisioningState: 'Succeeded' } });
    }
    for (const gi of world.galleryImages ?? []) {
      this.ensureGroupOf(gi.id, gi.location);
      this.ensureGalleryOf(gi.id, gi.location);
      this.put(TYPES.galleryImage, gi.id, this.galleryImageJson(gi));
    }
    for (const v of world.galleryImageVersions ?? []) {
      this.ensureGroupOf(v.id, v.location);
      this.ensureGalleryOf(v.id, v.location);
      this.put(TYPES.galleryImageVersion, v.id, this.galleryImageVersionJson(v));
    }
    for (const p of world.providers ?? []) {
      this.providers.set(`${p.subscriptionId ?? '*'}|${p.namespace}`.toLowerCase(), p.registrationState);
    }
    for (const perm of world.permissions ?? []) {
      const i = this.permissions.findIndex((p) => idKey(p.scope) === idKey(perm.scope));
      if (i >= 0) this.permissions.splice(i, 1);
      this.permissions.push(perm);
    }
    if (world.locations) this.locations = [...world.locations];
    for (const u of world.computeUsages ?? []) this.computeUsages.set(`${u.location}|${u.name}`.toLowerCase(), u);
    for (const sku of world.vmSkus ?? []) this.vmSkus.set(sku.name.toLowerCase(), sku);
    for (const d of world.roleDefinitions ?? []) this.roleDefinitions.set(d.name.toLowerCase(), d);
    if (world.roleAssignments) {
      // Seeding a principal's assignments replaces what it had.
      const principals = new Set(world.roleAssignments.map((a) => a.principalId.toLowerCase()));
      const kept = this.roleAssignments.filter((a) => !principals.has(a.principalId.toLowerCase()));
      this.roleAssignments.splice(0, this.roleAssignments.length, ...kept, ...world.roleAssignments);
    }
    for (const seed of world.imageTemplates ?? []) this.seedTemplate(seed);
  }

  private seedTemplate(seed: ImageTemplateSeed): void {
    const t = templateRecordFromSeed(seed);
    const location = String(t.submitted.location ?? 'westus');
    this.ensureGroupOf(t.id, location);
    const staging = t.exactStagingResourceGroup ? parseResourceId(t.exactStagingResourceGroup) : undefined;
    if (staging?.resourceGroup && !this.get(resourceGroupId(staging.subscriptionId, staging.resourceGroup))) {
      // A leftover's staging group is still there, tagged the way the service tags its own.
      const tags: Record<string, string> = t.stagingCreatedByService
        ? { createdBy: 'AzureVMImageBuilder', imageTemplateName: t.name, imageTemplateResourceGroupName: t.resourceGroup }
        : { usedBy: 'AzureVMImageBuilder', imageTemplateName: t.name, imageTemplateResourceGroupName: t.resourceGroup };
      this.putResourceGroup(staging.subscriptionId, staging.resourceGroup, location, tags);
    }
    // A replaced template's build must not go on writing into a record nobody sees.
    this.templates.get(idKey(t.id))?.cancelRun?.();
    this.templates.set(idKey(t.id), t);
  }

  private ensureGalleryOf(id: string, location: string): void {
    const m = /^(.*\/galleries\/[^/]+)\//i.exec(id);
    if (m && !this.get(m[1] as string)) {
      this.put(TYPES.gallery, m[1] as string, { location, tags: {}, properties: { provisioningState: 'Succeeded' } });
    }
  }

  snapshot(renderTemplate: (t: TemplateRecord) => Json, activeOperations: number): WorldSnapshot {
    const jsonOf = (type: ResourceType) => this.list(type).map((r) => structuredClone(r.json));
    return {
      imageTemplates: [...this.templates.values()].map((t) => {
        const rendered = renderTemplate(t);
        const props = rendered.properties as Json;
        return {
          id: t.id,
          name: t.name,
          resourceGroup: t.resourceGroup,
          subscriptionId: t.subscriptionId,
          provisioningState: t.provisioningState,
          ...(props.lastRunStatus ? { lastRunStatus: props.lastRunStatus as Json } : {}),
          ...(t.exactStagingResourceGroup ? { exactStagingResourceGroup: t.exactStagingResourceGroup } : {}),
          runOutputs: t.runOutputs.map((o) => ({ ...o })),
          runIds: [...t.runIds],
          submitted: structuredClone(t.submitted),
          apiVersion: t.apiVersion,
        };
      }),
      resourceGroups: this.list(TYPES.resourceGroup).map((r) => ({
        id: r.id,
        name: lastName(r.id),
        location: String(r.json.location),
        tags: { ...((r.json.tags as Record<string, string> | undefined) ?? {}) },
      })),
      managedImages: jsonOf(TYPES.image),
      galleryImageVersions: jsonOf(TYPES.galleryImageVersion),
      storageAccounts: jsonOf(TYPES.storageAccount),
      vhdBlobs: [...this.vhdBlobs],
      downloads: this.downloads.map((d) => ({ ...d, ...(d.entries ? { entries: [...d.entries] } : {}) })),
      activeOperations,
    };
  }
}
