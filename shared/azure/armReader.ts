/**
 * The preflight reader over the Azure SDK clients of the run (see
 * shared/azure/clients.ts). Every call is a GET.
 *
 * Resources named by an id the user gave (identities, managed images, gallery
 * definitions and versions) are read with resources.getById: the id may be in
 * another subscription than the connection's, and the typed Compute client is
 * bound to one subscription, so reading through it would report a resource
 * of another subscription as missing. Microsoft.Authorization/permissions and
 * the subscription's locations have no client among the task's dependencies;
 * they are plain GETs through the Resource Manager client's pipeline (same
 * token, retry and endpoint).
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import type { ImageBuilderClient } from '@azure/arm-imagebuilder';
import type { GenericResource, ResourceManagementClient } from '@azure/arm-resources';
import type { StorageManagementClient } from '@azure/arm-storage';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type { ServiceConnection } from '../ports/serviceConnection';
import { normalizeOsType, regionKey, securityTypeFeature } from '../preflight/imageTraits';
import type {
  ComputeUsage,
  GalleryImageDefinitionInfo,
  GalleryImageVersionInfo,
  IdentityInfo,
  ManagedImageInfo,
  PermissionSet,
  PlatformImageVersionInfo,
  PreflightReader,
  ProviderRegistration,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
  StorageAccountInfo,
  TemplateInfo,
  VmSizeInfo,
} from '../preflight/types';

/** API versions of the resources read by id (stable, long supported). */
const API_VERSIONS = {
  identity: '2023-01-31',
  image: '2024-03-01',
  gallery: '2023-07-03',
  permissions: '2022-04-01',
  roleAssignments: '2022-04-01',
  roleDefinitions: '2022-04-01',
  locations: '2022-12-01',
} as const;

export interface PreflightClients {
  compute: ComputeManagementClient;
  resources: ResourceManagementClient;
  imageBuilder: ImageBuilderClient;
  storage: StorageManagementClient;
}

type Json = Record<string, unknown>;

export class ArmPreflightReader implements PreflightReader {
  private readonly endpoint: string;
  private readonly subscriptionId: string;

  constructor(
    private readonly clients: PreflightClients,
    connection: Pick<ServiceConnection, 'resourceManagerUrl' | 'subscriptionId'>,
  ) {
    this.endpoint = connection.resourceManagerUrl.replace(/\/+$/, '');
    this.subscriptionId = connection.subscriptionId;
  }

  getProviderRegistration(namespace: string, abortSignal?: AbortSignal): Promise<ProviderRegistration | undefined> {
    return orUndefined(async () => {
      const provider = await this.clients.resources.providers.get(namespace, { abortSignal });
      return { namespace: provider.namespace ?? namespace, registrationState: provider.registrationState ?? 'NotRegistered' };
    });
  }

  getIdentity(id: string, abortSignal?: AbortSignal): Promise<IdentityInfo | undefined> {
    return orUndefined(async () => {
      const resource = await this.byId(id, API_VERSIONS.identity, abortSignal);
      return { id: resource.id ?? id, principalId: str(props(resource)['principalId']) };
    });
  }

  getPlatformImageVersion(location: string, publisher: string, offer: string, sku: string, version: string, abortSignal?: AbortSignal): Promise<PlatformImageVersionInfo | undefined> {
    return orUndefined(async () => {
      const image = await this.clients.compute.virtualMachineImages.get(location, publisher, offer, sku, version, { abortSignal });
      return {
        version: image.name ?? version,
        osType: normalizeOsType(image.osDiskImage?.operatingSystem),
        hyperVGeneration: image.hyperVGeneration,
        securityType: securityTypeFeature(image.features),
        architecture: image.architecture,
        plan: image.plan ? { name: image.plan.name, product: image.plan.product, publisher: image.plan.publisher } : undefined,
      };
    });
  }

  listPlatformImageVersions(location: string, publisher: string, offer: string, sku: string, abortSignal?: AbortSignal): Promise<string[] | undefined> {
    return orUndefined(async () => {
      const versions = await this.clients.compute.virtualMachineImages.list(location, publisher, offer, sku, { abortSignal });
      return versions.map((v) => v.name).filter((name): name is string => typeof name === 'string');
    });
  }

  getManagedImage(id: string, abortSignal?: AbortSignal): Promise<ManagedImageInfo | undefined> {
    return orUndefined(async () => {
      const resource = await this.byId(id, API_VERSIONS.image, abortSignal);
      const p = props(resource);
      const osDisk = obj(obj(p['storageProfile'])['osDisk']);
      return { id: resource.id ?? id, location: resource.location, osType: normalizeOsType(str(osDisk['osType'])), hyperVGeneration: str(p['hyperVGeneration']) };
    });
  }

  getGalleryImageDefinition(id: string, abortSignal?: AbortSignal): Promise<GalleryImageDefinitionInfo | undefined> {
    return orUndefined(async () => {
      const resource = await this.byId(id, API_VERSIONS.gallery, abortSignal);
      const p = props(resource);
      const features = Array.isArray(p['features']) ? (p['features'] as Array<{ name?: string; value?: string }>) : undefined;
      return {
        id: resource.id ?? id,
        location: resource.location,
        osType: normalizeOsType(str(p['osType'])),
        hyperVGeneration: str(p['hyperVGeneration']),
        securityType: securityTypeFeature(features),
        architecture: str(p['architecture']),
      };
    });
  }

  getGalleryImageVersion(id: string, abortSignal?: AbortSignal): Promise<GalleryImageVersionInfo | undefined> {
    return orUndefined(async () => {
      const resource = await this.byId(id, API_VERSIONS.gallery, abortSignal);
      const p = props(resource);
      const regions = obj(p['publishingProfile'])['targetRegions'];
      return {
        id: resource.id ?? id,
        location: resource.location,
        // The service answers display names here ("West Europe").
        targetRegions: Array.isArray(regions) ? regions.map((r) => str(obj(r)['name'])).filter((n): n is string => n !== undefined).map(regionKey) : [],
        provisioningState: str(p['provisioningState']),
      };
    });
  }

  getTemplate(resourceGroup: string, name: string, abortSignal?: AbortSignal): Promise<TemplateInfo | undefined> {
    return orUndefined(async () => {
      const template = await this.clients.imageBuilder.virtualMachineImageTemplates.get(resourceGroup, name, { abortSignal });
      return {
        id: template.id ?? name,
        provisioningState: template.provisioningState,
        runState: template.lastRunStatus?.runState,
        runSubState: template.lastRunStatus?.runSubState,
      };
    });
  }

  async getPermissions(scope: string, abortSignal?: AbortSignal): Promise<PermissionSet[]> {
    const path = `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/permissions`;
    const items = await this.getAll(`${this.endpoint}${path}?api-version=${API_VERSIONS.permissions}`, abortSignal);
    return items.map(permissionSet);
  }

  async listLocations(abortSignal?: AbortSignal): Promise<string[]> {
    const url = `${this.endpoint}/subscriptions/${this.subscriptionId}/locations?api-version=${API_VERSIONS.locations}`;
    const items = await this.getAll(url, abortSignal);
    return items.map((item) => str(item['name'])).filter((n): n is string => n !== undefined);
  }

  async findStorageAccount(name: string, abortSignal?: AbortSignal): Promise<StorageAccountInfo | undefined> {
    for await (const account of this.clients.storage.storageAccounts.list({ abortSignal })) {
      if (account.name?.toLowerCase() !== name.toLowerCase() || !account.id) continue;
      // The list answer carries the whole account, network rules included: no second read.
      const rules = account.networkRuleSet;
      return {
        id: account.id,
        location: account.location,
        allowSharedKeyAccess: account.allowSharedKeyAccess,
        publicNetworkAccess: account.publicNetworkAccess,
        networkRules: rules
          ? {
              defaultAction: rules.defaultAction,
              ipRules: (rules.ipRules ?? []).map((r) => r.iPAddressOrRange).filter((v): v is string => typeof v === 'string'),
              virtualNetworkRules: (rules.virtualNetworkRules ?? []).map((r) => r.virtualNetworkResourceId).filter((v): v is string => typeof v === 'string'),
              bypass: rules.bypass,
            }
          : undefined,
      };
    }
    return undefined;
  }

  async listComputeUsages(location: string, abortSignal?: AbortSignal): Promise<ComputeUsage[]> {
    const usages: ComputeUsage[] = [];
    for await (const usage of this.clients.compute.usage.list(location, { abortSignal })) {
      if (!usage.name?.value) continue;
      usages.push({ name: usage.name.value, localizedName: usage.name.localizedValue, currentValue: usage.currentValue, limit: usage.limit });
    }
    return usages;
  }

  async listVmSizes(location: string, abortSignal?: AbortSignal): Promise<VmSizeInfo[]> {
    const sizes: VmSizeInfo[] = [];
    const wanted = regionKey(location);
    for await (const sku of this.clients.compute.resourceSkus.list({ filter: `location eq '${wanted}'`, abortSignal })) {
      if (sku.resourceType !== 'virtualMachines' || !sku.name) continue;
      if (sku.locations && !sku.locations.some((l) => regionKey(l) === wanted)) continue;
      const vCpus = Number(sku.capabilities?.find((c) => c.name === 'vCPUs')?.value);
      sizes.push({
        name: sku.name,
        family: sku.family,
        vCpus: Number.isFinite(vCpus) ? vCpus : undefined,
        locationRestrictions: (sku.restrictions ?? [])
          .filter((r) => r.type === 'Location' && (r.values ?? []).some((v) => regionKey(v) === wanted))
          .map((r) => r.reasonCode ?? 'Unknown'),
      });
    }
    return sizes;
  }

  async listRoleAssignments(scope: string, principalId: string, abortSignal?: AbortSignal): Promise<RoleAssignmentInfo[]> {
    const filter = encodeURIComponent(`assignedTo('${principalId}')`);
    const path = `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleAssignments`;
    const items = await this.getAll(`${this.endpoint}${path}?$filter=${filter}&api-version=${API_VERSIONS.roleAssignments}`, abortSignal);
    return items
      .map((item) => obj(item['properties']))
      .map((p) => ({ scope: str(p['scope']), roleDefinitionId: str(p['roleDefinitionId']) }))
      .filter((a): a is RoleAssignmentInfo => a.scope !== undefined && a.roleDefinitionId !== undefined);
  }

  getRoleDefinition(id: string, abortSignal?: AbortSignal): Promise<RoleDefinitionInfo | undefined> {
    return orUndefined(async () => {
      const url = `${this.endpoint}${id}?api-version=${API_VERSIONS.roleDefinitions}`;
      const response = await this.clients.resources.sendRequest(createPipelineRequest({ url, method: 'GET', abortSignal }));
      const body = parseJson(response.bodyAsText);
      if (response.status < 200 || response.status >= 300) throw restError(body, response.status, url);
      const p = obj(body['properties']);
      const permissions = Array.isArray(p['permissions']) ? (p['permissions'] as unknown[]).map(obj) : [];
      return { id: str(body['id']) ?? id, roleName: str(p['roleName']), permissions: permissions.map(permissionSet) };
    });
  }

  private byId(id: string, apiVersion: string, abortSignal?: AbortSignal): Promise<GenericResource> {
    // The client's URL template is `{$host}/{resourceId}` (unencoded); an id with its
    // usual leading slash makes `//subscriptions/...`, which the URL builder turns
    // into a path without `subscriptions`. So the id goes in without it.
    return this.clients.resources.resources.getById(id.replace(/^\/+/, ''), apiVersion, { abortSignal });
  }

  /** GETs a list answer (`{ value, nextLink }`) and follows nextLink. */
  private async getAll(firstUrl: string, abortSignal?: AbortSignal): Promise<Json[]> {
    const items: Json[] = [];
    let url: string | undefined = firstUrl;
    for (let page = 0; url !== undefined && page < 100; page++) {
      const request = createPipelineRequest({ url, method: 'GET', abortSignal });
      const response = await this.clients.resources.sendRequest(request);
      const body = parseJson(response.bodyAsText);
      if (response.status < 200 || response.status >= 300) throw restError(body, response.status, url);
      if (Array.isArray(body['value'])) items.push(...(body['value'] as unknown[]).map(obj));
      url = str(body['nextLink']);
    }
    return items;
  }
}

function restError(body: Json, status: number, url: string): RestError {
  const error = obj(body['error']);
  return new RestError(str(error['message']) ?? `GET ${new URL(url).pathname} answered ${status}`, { code: str(error['code']), statusCode: status });
}

function permissionSet(item: Json): PermissionSet {
  return {
    actions: strings(item['actions']),
    notActions: strings(item['notActions']),
    dataActions: strings(item['dataActions']),
    notDataActions: strings(item['notDataActions']),
  };
}

/** The read, or undefined when ARM says the thing (or its resource group) does not exist. */
async function orUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

function parseJson(text: string | null | undefined): Json {
  if (!text) return {};
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function props(resource: GenericResource): Json {
  return obj(resource.properties);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
