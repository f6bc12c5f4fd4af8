/**
 * Public types of the ARM emulator: what tests seed, what they can read back,
 * and how they steer faults and the simulated build.
 */

export interface ArmEmulatorOptions {
  /** PEM certificate and key the HTTPS server presents. */
  tls: { cert: string; key: string };
  /** Azurite as the storage data plane: blob endpoint and shared key of an account. */
  storage: {
    blobEndpoint(accountName: string): string;
    accountKey(accountName: string): string;
    stagingAccountName: string;
  };
  /**
   * Verifies a bearer token for the ARM audience (`https://management.azure.com/`);
   * absent = accept any "Bearer x" (the header is still required).
   */
  verifyToken?: (token: string, audience: string) => Promise<boolean>;
  /**
   * Mints a token the simulated build VM uses for identity-based blob access
   * (audience https://storage.azure.com). Absent = an unsigned JWT that
   * Azurite `--oauth basic` accepts.
   */
  issueToken?: (audience: string, identityResourceId: string) => Promise<string>;
  /** Speed of the simulated build; default a few seconds in total. */
  buildTiming?: Partial<BuildTiming>;
}

/** Durations (milliseconds) of the simulated service's steps. */
export interface BuildTiming {
  /** PUT of a template: Creating -> Succeeded. */
  provisioningMs: number;
  /** Run: time spent in runSubState Queued. */
  queuedMs: number;
  /** Run: time spent in runSubState Building (source checks, staging group). */
  buildingMs: number;
  /** Run: time per customizer (log lines are spread over it). */
  customizerMs: number;
  /** Run: Optimizing, when optimize.vmBoot is Enabled. */
  optimizingMs: number;
  /** Run: Validating, when validate is given. */
  validatingMs: number;
  /** Run: Distributing, per distributor. */
  distributingMs: number;
  /** Cancel: Canceling -> Canceled. */
  cancelMs: number;
  /** Delete: Deleting -> gone. */
  deleteMs: number;
}

export interface BuildScenario {
  /** The customizer (by `name`) whose script "fails" (exit status 1). */
  failCustomizerName?: string;
  /** Distributor kinds that fail; with at least one success the run ends PartiallySucceeded. */
  failDistributorKinds?: Array<'ManagedImage' | 'SharedImage' | 'VHD'>;
  /**
   * When set, the PUT operation ends Failed with error {code, message}; the
   * template then reads provisioningState Failed and provisioningError
   * {provisioningErrorCode (default "Other", as recorded), message}, has no
   * lastRunStatus and already has its exactStagingResourceGroup.
   * `recordedProvisioningFailure(vnetId)` is the recorded one.
   */
  provisioningFailure?: { code: string; message: string; provisioningErrorCode?: string };
  /** Overrides of the build timing for subsequent operations (e.g. `scaledTiming(RECORDED_TIMING, 0.001)`). */
  timing?: Partial<BuildTiming>;
  /**
   * DELETE of a template whose run is Canceling (not recorded; both answers are plausible):
   * - 'conflict' (default): 409 OperationNotAllowed in ARM's {"error":{"code","message"}} shape;
   * - 'accept': 202 with Azure-AsyncOperation and Location; the delete starts once the
   *   cancel has finished (Canceled) and then takes deleteMs.
   */
  deleteWhileCanceling?: 'accept' | 'conflict';
  /**
   * Operation URLs carry the signed query `&t=..&c=..&s=..&h=..` the service adds
   * since about December 2023 (default true); false = the plain URL of older recordings.
   */
  signedOperationUrls?: boolean;
  /**
   * While creating, the service downloads scriptUri/sourceUri customizers and
   * fills in their sha256Checksum when not given (recorded; default true).
   */
  checksumsAtCreate?: boolean;
}

export interface SubscriptionSeed {
  subscriptionId: string;
  tenantId?: string;
  displayName?: string;
}

export interface ResourceGroupSeed {
  subscriptionId: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

export interface IdentitySeed {
  /** Resource id of the user-assigned identity. */
  id: string;
  location?: string;
  principalId?: string;
  clientId?: string;
  tenantId?: string;
}

export interface StorageAccountSeed {
  /** Resource id of the storage account; its name must be an Azurite account. */
  id: string;
  location?: string;
  kind?: string;
  /** Default true. The stand-in reports it; Azurite still accepts the key. */
  allowSharedKeyAccess?: boolean;
  /** Default Enabled. */
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** `properties.networkAcls`; default: allow from every network. */
  networkAcls?: {
    defaultAction: 'Allow' | 'Deny';
    /** IP addresses or CIDR ranges. */
    ipRules?: string[];
    /** Subnet resource ids. */
    virtualNetworkRules?: string[];
    /** Default AzureServices. */
    bypass?: string;
  };
}

/** One Microsoft.Compute usage (quota) in a region; replaces the default of that name there. */
export interface ComputeUsageSeed {
  location: string;
  /** `cores` for the region's total vCPUs, else a family such as `standardDSv3Family`. */
  name: string;
  limit: number;
  currentValue?: number;
}

/** A virtual machine size of the resource SKU list; replaces the catalog entry of that name. */
export interface VmSkuSeed {
  name: string;
  family: string;
  vCpus: number;
  /** Where it is offered; default every region. */
  locations?: string[];
  /** Regions where it is listed but restricted for the subscription (reasonCode NotAvailableForSubscription). */
  restrictedLocations?: string[];
}

/** A role assignment of a principal (user-assigned identity, service principal). */
export interface RoleAssignmentSeed {
  principalId: string;
  scope: string;
  /** A built-in role name (Contributor, Reader, Storage Blob Data Reader ...) or a role definition id. */
  role: string;
}

/** A custom role definition, addressable at any scope by its GUID. */
export interface RoleDefinitionSeed {
  /** GUID of the definition. */
  name: string;
  roleName: string;
  permissions: Array<{ actions: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }>;
}

export interface PlatformImageSeed {
  location: string;
  publisher: string;
  offer: string;
  sku: string;
  /** Concrete version, e.g. 22.04.202401010. */
  version: string;
  osType?: 'Linux' | 'Windows';
  hyperVGeneration?: 'V1' | 'V2';
  /** e.g. [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }] */
  features?: Array<{ name: string; value: string }>;
  plan?: { name: string; product: string; publisher: string };
  architecture?: 'x64' | 'Arm64';
}

export interface ManagedImageSeed {
  id: string;
  location: string;
  osType?: 'Linux' | 'Windows';
  hyperVGeneration?: 'V1' | 'V2';
  tags?: Record<string, string>;
}

export interface GallerySeed {
  id: string;
  location: string;
}

export interface GalleryImageSeed {
  /** .../galleries/{g}/images/{i} */
  id: string;
  location: string;
  osType: 'Linux' | 'Windows';
  osState?: 'Generalized' | 'Specialized';
  hyperVGeneration?: 'V1' | 'V2';
  /** e.g. [{ name: 'SecurityType', value: 'TrustedLaunch' }] */
  features?: Array<{ name: string; value: string }>;
  identifier?: { publisher: string; offer: string; sku: string };
}

export type GalleryImageVersionProvisioningState = 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting';
export type ReplicationState = 'Unknown' | 'InProgress' | 'Completed' | 'Failed';

export interface GalleryImageVersionTargetRegionSeed {
  name: string;
  regionalReplicaCount?: number;
  storageAccountType?: string;
  /** Replication to this region, as `$expand=ReplicationStatus` reports it; default Completed. */
  replicationState?: ReplicationState;
}

export interface GalleryImageVersionSeed {
  /** .../galleries/{g}/images/{i}/versions/{v} */
  id: string;
  location: string;
  /** Default: one region, the version's location. */
  targetRegions?: GalleryImageVersionTargetRegionSeed[];
  excludeFromLatest?: boolean;
  tags?: Record<string, string>;
  /** Default Succeeded. */
  provisioningState?: GalleryImageVersionProvisioningState;
}

export interface ProviderSeed {
  /** Absent = every subscription. */
  subscriptionId?: string;
  namespace: string;
  registrationState: 'Registered' | 'NotRegistered' | 'Registering' | 'Unregistering';
}

export interface PermissionSeed {
  /** A scope (subscription, resource group or resource id); applies to everything below it. */
  scope: string;
  actions: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

export interface ImageTemplateSeed {
  /** Resource id of the template. */
  id: string;
  /**
   * The template resource as the service returns it (location, tags, identity,
   * properties ...). `properties.provisioningState` (default Succeeded),
   * `properties.provisioningError`, `properties.lastRunStatus` and
   * `properties.exactStagingResourceGroup` set the template's state, e.g. a
   * leftover template whose last run is still Running or ended Failed. A seeded
   * Running run stays Running until it is canceled.
   */
  resource: Record<string, unknown>;
  /** Outputs of the seeded last run. */
  runOutputs?: Array<{ name: string; artifactId?: string; artifactUri?: string }>;
  /** Default 2025-10-01. */
  apiVersion?: '2025-10-01' | '2024-02-01';
}

/** What tests seed; seeding merges into what is already there (same id = replaced). */
export interface World {
  subscriptions: SubscriptionSeed[];
  resourceGroups: ResourceGroupSeed[];
  identities: IdentitySeed[];
  storageAccounts: StorageAccountSeed[];
  platformImages: PlatformImageSeed[];
  managedImages: ManagedImageSeed[];
  galleries: GallerySeed[];
  galleryImages: GalleryImageSeed[];
  galleryImageVersions: GalleryImageVersionSeed[];
  providers: ProviderSeed[];
  permissions: PermissionSeed[];
  imageTemplates: ImageTemplateSeed[];
  /** Default: every family of the SKU catalog and `cores` with a limit of 350, none used. */
  computeUsages: ComputeUsageSeed[];
  /** Added to (or replacing entries of) the catalog of common sizes, offered everywhere. */
  vmSkus: VmSkuSeed[];
  /**
   * Role assignments. A principal with none seeded holds Contributor and
   * Storage Blob Data Reader on its subscription (so unrelated scenarios pass);
   * seeding any for a principal makes those its only ones.
   */
  roleAssignments: RoleAssignmentSeed[];
  roleDefinitions: RoleDefinitionSeed[];
  /**
   * Region names `GET /subscriptions/{id}/locations` lists; seeding replaces the
   * list. Default: about 25 public Azure regions (westus, eastus, westeurope ...).
   */
  locations?: string[];
}

export interface TemplateSnapshot {
  id: string;
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  provisioningState: string;
  lastRunStatus?: Record<string, unknown>;
  exactStagingResourceGroup?: string;
  runOutputs: Array<Record<string, unknown>>;
  /** Run ids of every run, in order (their logs live at packerlogs/<runId>/customization.log). */
  runIds: string[];
  /** The body accepted by the PUT (what the client sent). */
  submitted: Record<string, unknown>;
  apiVersion: string;
}

/** What the simulated build VM fetched, for tests to prove the artifact really travelled. */
export interface DownloadRecord {
  templateId: string;
  runId: string;
  customizerName: string;
  /** The URL without its query (no SAS in evidence). */
  url: string;
  auth: 'sas' | 'bearer' | 'anonymous';
  status: number;
  bytes: number;
  sha256: string;
  /** Expected checksum, when the customizer gave one. */
  expectedSha256?: string;
  /** Archive entry names, when the file was a tar.gz or zip. */
  entries?: string[];
}

export interface WorldSnapshot {
  imageTemplates: TemplateSnapshot[];
  resourceGroups: Array<{ id: string; name: string; location: string; tags: Record<string, string> }>;
  managedImages: Array<Record<string, unknown>>;
  galleryImageVersions: Array<Record<string, unknown>>;
  storageAccounts: Array<Record<string, unknown>>;
  /** Blob URLs of VHDs the distribution wrote (and that still exist as far as the emulator knows). */
  vhdBlobs: string[];
  downloads: DownloadRecord[];
  /** Builds, creations and deletions still in progress. */
  activeOperations: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the connection was reset by a fault. */
  status: number;
  /** ISO time. */
  startedAt: string;
  durationMs: number;
  /** The fault the stand-in applied to this request, if any. */
  fault?: FaultSpec['kind'];
}

/** Transient answers, and 403 for a refusal Azure gives a connection without the role (it does not go away). */
export type FaultStatus = 403 | 429 | 500 | 502 | 503 | 504;

export interface FaultSpec {
  /** Absent = any method. */
  method?: string;
  /** Matched against the request path (no query); a string is a case-insensitive regular expression. */
  pathPattern: RegExp | string;
  kind: 'status' | 'reset' | 'slow';
  status?: FaultStatus;
  retryAfterSeconds?: number;
  /** For 'slow': how long to hold the request before answering it normally. */
  delayMs?: number;
  /**
   * For 'slow', in-process only: hold the request until this settles instead
   * of for delayMs, so a test answers it on an event (say, once other requests
   * arrived) rather than after a duration. The emulator's stop() ends the hold.
   */
  until?: Promise<unknown>;
  /** How many matching requests the fault applies to. */
  count: number;
  /** Let this many matching requests through untouched first. */
  skip?: number;
  /**
   * Matched against the raw query string without `?` (e.g. `comp=block&blockid=...`);
   * a string is a case-insensitive regular expression. Absent = any query.
   */
  queryPattern?: RegExp | string;
  /**
   * Request headers (lower-case names) that must be present and match, e.g.
   * `{ 'x-ms-range': /^bytes=[1-9]/ }` for reads from an offset. Absent = any headers.
   */
  headerPatterns?: Record<string, RegExp | string>;
  /** For 'status': the `error` of the body instead of the generic one for the status. */
  errorBody?: { code: string; message: string };
  /** For 'status': extra response headers (e.g. `x-ms-failure-cause: service`). */
  responseHeaders?: Record<string, string>;
}

export interface CancelingHold {
  /** Settles when a cancel has spent its cancelMs and waits on this hold. */
  reached: Promise<void>;
  /** Lets held and later cancels end; safe to call more than once. */
  release(): void;
}

export interface ArmEmulator {
  /** https://127.0.0.1:<port> */
  url: string;
  seed(world: Partial<World>): void;
  state(): WorldSnapshot;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /**
   * The first logged request that matches, as soon as it arrives (before it
   * is answered; status and duration are not known yet). Already logged ones
   * count. Lets a test act on an event of the service instead of after a delay.
   */
  waitForRequest(match: (entry: RequestLogEntry) => boolean, signal?: AbortSignal): Promise<RequestLogEntry>;
  /**
   * The state as soon as `ready` holds for it: checked now and after every
   * change (an answered request, the end of a simulated phase). Lets a test
   * wait for the service to reach a state instead of polling it.
   */
  waitForState(ready: (state: WorldSnapshot) => boolean, signal?: AbortSignal): Promise<WorldSnapshot>;
  injectFault(f: FaultSpec): void;
  setScenario(s: Partial<BuildScenario>): void;
  /**
   * Keeps cancelled builds in Canceling (past cancelMs) until the hold is
   * released, so a test ends a cancel on an event, not after a duration.
   */
  holdCanceling(): CancelingHold;
  stop(): Promise<void>;
}
