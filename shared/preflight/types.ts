/**
 * The read-only preflight checks: what they read from Azure and what they say.
 *
 * Checks see Azure only through `PreflightReader`, a narrow read-only view
 * (undefined for "does not exist"), so they are plain functions that tests
 * drive with a fake and production drives with the ARM adapter (armReader.ts).
 * Nothing here can create, change or delete anything.
 */
import type { InputName } from '../config/inputNames';
import type { ImageBuilderConfig } from '../config/types';

export type OsType = 'Linux' | 'Windows';

export interface ProviderRegistration {
  namespace: string;
  /** Registered, NotRegistered, Registering, Unregistering (as ARM spells it). */
  registrationState: string;
}

export interface IdentityInfo {
  id: string;
  principalId?: string;
}

export interface ImagePlan {
  name: string;
  product: string;
  publisher: string;
}

/** What the checks compare between a source image and a gallery image definition. */
export interface ImageTraits {
  osType?: OsType;
  /** V1 or V2. */
  hyperVGeneration?: string;
  /** The `SecurityType` feature as declared (Standard, TrustedLaunch, TrustedLaunchSupported, ...). */
  securityType?: string;
  /** x64 or Arm64, as declared. */
  architecture?: string;
}

export interface PlatformImageVersionInfo extends ImageTraits {
  version: string;
  plan?: ImagePlan;
}

export interface ManagedImageInfo extends ImageTraits {
  id: string;
  location?: string;
}

export interface GalleryImageDefinitionInfo extends ImageTraits {
  id: string;
  location?: string;
}

export interface GalleryImageVersionInfo {
  id: string;
  location?: string;
  /** Programmatic region names (lower case, no spaces) the version is replicated to. */
  targetRegions: string[];
  provisioningState?: string;
}

export interface TemplateInfo {
  id: string;
  provisioningState?: string;
  runState?: string;
  runSubState?: string;
}

/** One entry of Microsoft.Authorization/permissions: what one role assignment grants at a scope. */
export interface PermissionSet {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/** `properties.networkAcls` of a storage account, as far as the checks need it. */
export interface StorageNetworkRules {
  /** Allow or Deny: what happens to a request no rule matches. */
  defaultAction: string;
  /** IP addresses or CIDR ranges allowed through. */
  ipRules: string[];
  /** Subnet resource ids allowed through. */
  virtualNetworkRules: string[];
  /** e.g. `AzureServices`, `Logging, Metrics`, `None`. */
  bypass?: string;
}

export interface StorageAccountInfo {
  id: string;
  location?: string;
  /** False when the account refuses its keys (and every SAS they sign); absent means allowed, as in ARM. */
  allowSharedKeyAccess?: boolean;
  /** Enabled, Disabled or SecuredByPerimeter; absent means Enabled. */
  publicNetworkAccess?: string;
  networkRules?: StorageNetworkRules;
}

/** One line of Microsoft.Compute usages in a region (`cores`, `standardDSv3Family`, ...). */
export interface ComputeUsage {
  /** The quota's name (`name.value`). */
  name: string;
  /** `name.localizedValue`, e.g. "Total Regional vCPUs". */
  localizedName?: string;
  currentValue: number;
  limit: number;
}

/** A virtual machine size as the resource SKU list describes it in one region. */
export interface VmSizeInfo {
  /** e.g. Standard_D2s_v3. */
  name: string;
  /** The quota family, e.g. standardDSv3Family. */
  family?: string;
  vCpus?: number;
  /** Reason codes of the restrictions that apply to the whole region (NotAvailableForSubscription, QuotaId). */
  locationRestrictions: string[];
}

/** A role assignment of a principal: which role, where. */
export interface RoleAssignmentInfo {
  scope: string;
  roleDefinitionId: string;
}

export interface RoleDefinitionInfo {
  id: string;
  roleName?: string;
  permissions: PermissionSet[];
}

/**
 * Azure as the checks read it, for the connection's subscription. Every method
 * resolves to undefined when the thing does not exist (ARM 404) and rejects on
 * any other failure; runPreflight turns a rejection into a warning.
 */
export interface PreflightReader {
  getProviderRegistration(namespace: string, signal?: AbortSignal): Promise<ProviderRegistration | undefined>;
  getIdentity(id: string, signal?: AbortSignal): Promise<IdentityInfo | undefined>;
  getPlatformImageVersion(
    location: string,
    publisher: string,
    offer: string,
    sku: string,
    version: string,
    signal?: AbortSignal,
  ): Promise<PlatformImageVersionInfo | undefined>;
  /** Version names; undefined when the publisher, offer or sku is unknown in that location. */
  listPlatformImageVersions(location: string, publisher: string, offer: string, sku: string, signal?: AbortSignal): Promise<string[] | undefined>;
  getManagedImage(id: string, signal?: AbortSignal): Promise<ManagedImageInfo | undefined>;
  getGalleryImageVersion(id: string, signal?: AbortSignal): Promise<GalleryImageVersionInfo | undefined>;
  getGalleryImageDefinition(id: string, signal?: AbortSignal): Promise<GalleryImageDefinitionInfo | undefined>;
  getTemplate(resourceGroup: string, name: string, signal?: AbortSignal): Promise<TemplateInfo | undefined>;
  /** What the caller (the service connection) may do at the scope. */
  getPermissions(scope: string, signal?: AbortSignal): Promise<PermissionSet[]>;
  /** Programmatic names of the regions of the subscription (eastus, westeurope, ...). */
  listLocations(signal?: AbortSignal): Promise<string[]>;
  /** The storage account of that name in the subscription. */
  findStorageAccount(name: string, signal?: AbortSignal): Promise<StorageAccountInfo | undefined>;
  /** Compute quotas of the subscription in the region (vCPUs in total and per VM family). */
  listComputeUsages(location: string, signal?: AbortSignal): Promise<ComputeUsage[]>;
  /** Virtual machine sizes the region lists for the subscription (restricted ones included, marked). */
  listVmSizes(location: string, signal?: AbortSignal): Promise<VmSizeInfo[]>;
  /**
   * Role assignments of the principal (directly or through its groups) that
   * the scope lists: at, above and below it. Rejects with 403 when the
   * connection may not read role assignments there.
   */
  listRoleAssignments(scope: string, principalId: string, signal?: AbortSignal): Promise<RoleAssignmentInfo[]>;
  getRoleDefinition(id: string, signal?: AbortSignal): Promise<RoleDefinitionInfo | undefined>;
}

export type CheckStatus = 'passed' | 'warning' | 'failed';

/** One line of the checklist. The text is `host.loc(key, ...args)`. */
export interface CheckResult {
  /** The check that produced it (a CheckId). */
  id: CheckId;
  status: CheckStatus;
  /** The input that leads to the problem (named in error issues). */
  input?: InputName;
  key: string;
  args: unknown[];
}

export const CHECK_IDS = [
  'resourceProviders',
  'identities',
  'source',
  'galleryCompatibility',
  'regions',
  'galleryRegion',
  'templateName',
  'permissions',
  'storageAccess',
  'quota',
  'identityRights',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export interface PreflightContext {
  config: ImageBuilderConfig;
  /** The connection's subscription (providers and regions are per subscription). */
  subscriptionId: string;
  reader: PreflightReader;
  /** Aborted when the check runs out of time or the task is cancelled. */
  signal: AbortSignal;
}

export type PreflightCheckFn = (ctx: PreflightContext) => Promise<CheckResult[]>;

export interface PreflightCheck {
  id: CheckId;
  run: PreflightCheckFn;
}

export type PreflightVerdict = 'passed' | 'warnings' | 'failed';

export interface PreflightOutcome {
  verdict: PreflightVerdict;
  results: CheckResult[];
  /** Wall-clock time of the whole preflight. */
  elapsedMs: number;
}
