/**
 * The typed configuration of one Image Builder run.
 *
 * Everything the task's inputs say is turned into this shape by `parseConfig`
 * (shared/config/parse.ts) before any call to Azure. Unions are discriminated
 * by `kind` so that a source or a distribution target can only carry the
 * fields that make sense for it.
 */

/** How scripts run on the build VM; decides Linux (`shell`) or Windows (`powershell`). */
export type Provisioner = 'shell' | 'powershell';

export interface PurchasePlan {
  planName: string;
  planProduct: string;
  planPublisher: string;
}

export type SourceConfig =
  | {
      kind: 'platformImage';
      publisher: string;
      offer: string;
      sku: string;
      /** `latest` or an exact version such as `2024.01.15`. */
      version: string;
      /** Resolve `latest` to the newest version at submit time. */
      pinLatestVersion: boolean;
      plan?: PurchasePlan;
    }
  | { kind: 'managedImage'; imageId: string }
  | { kind: 'galleryImageVersion'; imageVersionId: string };

export type ArtifactAccess = 'sas' | 'identity';

/** Build artifacts packed on the agent and unpacked on the build VM. */
export interface ArtifactsConfig {
  /** Absolute path of the file or folder to pack. */
  packagePath: string;
  /** Last path segment of packagePath; names the archive and the default destination. */
  folderName: string;
  storageAccountName: string;
  storageContainer: string;
  access: ArtifactAccess;
  /** Where the archive is unpacked on the VM. */
  destination: string;
}

export interface CustomizeConfig {
  /** Lines of the inline script run after the artifacts are unpacked. */
  inlineScript: string[];
  /** Path, relative to the unpacked artifacts, of a script run after the inline script. */
  scriptPath?: string;
  /** Windows only. */
  runElevated: boolean;
  /** Windows only; requires runElevated. */
  runAsSystem: boolean;
  /** Windows only. */
  windowsRestart: boolean;
  /** Windows only. */
  windowsUpdate: boolean;
  removeArtifacts: boolean;
  /** Customizer objects appended after the task's own, as the user wrote them. */
  additionalCustomizers: Record<string, unknown>[];
}

export interface ValidateConfig {
  inlineScript: string[];
  sourceValidationOnly: boolean;
  continueDistributeOnFailure: boolean;
}

export type ReplicaStorageAccountType = 'Standard_LRS' | 'Standard_ZRS' | 'Premium_LRS';

export interface TargetRegion {
  name: string;
  replicaCount?: number;
  storageAccountType?: ReplicaStorageAccountType;
}

export type DistributeTarget =
  | {
      kind: 'managedImage';
      imageId: string;
      location: string;
      runOutputName: string;
      artifactTags: Record<string, string>;
    }
  | {
      kind: 'sharedImageGallery';
      /** Gallery image definition id (no `/versions/...`). */
      galleryImageDefinitionId: string;
      /** Explicit `x.y.z`; absent means the service picks the version. */
      version?: string;
      targetRegions: TargetRegion[];
      excludeFromLatest: boolean;
      /**
       * How the service numbers an automatic version (no explicit version).
       * Absent: `Latest` with no fixed major, the task's default.
       */
      versioning?: GalleryVersioning;
      runOutputName: string;
      artifactTags: Record<string, string>;
    }
  | {
      kind: 'vhd';
      /** Absent: the service writes to the staging storage account. */
      uri?: string;
      runOutputName: string;
      artifactTags: Record<string, string>;
    };

export type DistributeKind = DistributeTarget['kind'];

export interface VnetConfig {
  subnetId: string;
  containerInstanceSubnetId?: string;
  proxyVmSize?: string;
}

/** The SharedImage distributor's `versioning`; `ServiceDefault` sends none. */
export type GalleryVersioning = { scheme: 'Latest'; major: number } | { scheme: 'Source' } | { scheme: 'ServiceDefault' };

export interface BuildVmConfig {
  vmSize?: string;
  osDiskSizeGB?: number;
  /** 0 means the service default (240 minutes). */
  buildTimeoutInMinutes: number;
  vnet?: VnetConfig;
  /** Identities attached to the build VM. */
  userAssignedIdentities: string[];
  /** Resource id of a staging resource group; absent means service-made. */
  stagingResourceGroup?: string;
}

export type ErrorAction = 'cleanup' | 'abort';
export type CleanupPolicy = 'always' | 'onSuccess' | 'never';

export interface TemplateTarget {
  /** Service connection (endpoint) id or name. */
  connection: string;
  resourceGroup: string;
  location: string;
  templateName: string;
  /** Resource id of the user-assigned identity the service uses. */
  managedIdentity: string;
}

export interface ImageBuilderConfig {
  target: TemplateTarget;
  provisioner: Provisioner;
  source: SourceConfig;
  artifacts?: ArtifactsConfig;
  customize: CustomizeConfig;
  validate: ValidateConfig;
  distribute: DistributeTarget[];
  buildVm: BuildVmConfig;
  errorHandling: { onCustomizerError: ErrorAction; onValidationError: ErrorAction };
  optimizeVmBoot: boolean;
  templateTags: Record<string, string>;
  cleanup: CleanupPolicy;
  /** Before creating, request deletion of this task's finished leftover templates in the resource group. */
  sweepLeftovers: boolean;
  /** Build nothing when the newest image already carries this run's build fingerprint. */
  skipUnchanged: boolean;
  pollIntervalSeconds: number;
  dryRun: boolean;
  /** Run the read-only preflight checks before creating anything. */
  preflight: boolean;
  /** Run the preflight checks and stop (pull-request validation). */
  preflightOnly: boolean;
  /** The user's own template (templateJsonPath); explicit inputs are applied over it. */
  userTemplate?: UserTemplate;
}

/**
 * A template the user wrote. The task injects its artifact steps into it and
 * applies only the inputs the user set explicitly, so task defaults never
 * overwrite what the file says.
 */
export interface UserTemplate {
  /** Request body in the REST wire shape: { location?, tags?, identity?, properties: {...} }. */
  body: Record<string, unknown>;
  /** Names of the inputs the user set (not defaulted). */
  explicitInputs: readonly string[];
}

/**
 * Facts about the pipeline run that shape defaults (the template name) but are
 * not inputs. The edge reads them from agent variables; tests make them up.
 */
export interface PipelineContext {
  teamProject: string;
  buildId: string;
  jobAttempt: string;
  /** System.JobId: tells apart the jobs of one run (parallel jobs, matrix legs). */
  jobId?: string;
  /** System.TaskInstanceId: tells apart two steps of this task in one job. */
  taskInstanceId?: string;
  /** Where relative paths are rooted (System.DefaultWorkingDirectory). */
  workingDirectory: string;
  /**
   * The service connection's subscription, when the edge can read it from the
   * connection without calling Azure: subscription() in a deployment template.
   */
  subscriptionId?: string;
}
