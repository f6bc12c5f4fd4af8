/** The imageTemplates request body (API 2025-10-01) as the task builds it. */
import type { StagedArtifact } from './stagedArtifact';

/** What staging and version resolution found out before the template is built. */
export interface StagedInputs {
  /** The uploaded archive; absent when there are no artifacts (or nothing was staged yet). */
  artifact?: StagedArtifact;
  /** The newest version of the platform image, when `latest` was resolved. */
  pinnedPlatformVersion?: string;
  /** The exact gallery image version id a gallery source's `.../versions/latest` stood for at submit. */
  pinnedGalleryVersionId?: string;
}

/**
 * The imageTemplates request body of API 2025-10-01, in its REST wire shape
 * (`properties` nested), as the engine produces it. Polymorphic sections are
 * discriminated unions on `type`, so a customizer can only carry the fields of
 * its own kind. Read-only fields of the service are left out on purpose: the
 * engine never sends them.
 */

export interface PlatformImagePurchasePlan {
  planName: string;
  planProduct: string;
  planPublisher: string;
}

export interface PlatformImageSource {
  type: 'PlatformImage';
  publisher: string;
  offer: string;
  sku: string;
  /** `latest` or an exact version. */
  version: string;
  planInfo?: PlatformImagePurchasePlan;
}

export interface ManagedImageSource {
  type: 'ManagedImage';
  imageId: string;
}

export interface SharedImageVersionSource {
  type: 'SharedImageVersion';
  imageVersionId: string;
}

export type ImageTemplateSource = PlatformImageSource | ManagedImageSource | SharedImageVersionSource;

/** A script given inline or by URL; the service wants exactly one of the two. */
interface ScriptStep {
  name?: string;
  scriptUri?: string;
  sha256Checksum?: string;
  inline?: string[];
}

export interface ShellCustomizer extends ScriptStep {
  type: 'Shell';
}

export interface PowerShellCustomizer extends ScriptStep {
  type: 'PowerShell';
  runElevated?: boolean;
  /** Only together with runElevated. */
  runAsSystem?: boolean;
  validExitCodes?: number[];
}

export interface WindowsRestartCustomizer {
  type: 'WindowsRestart';
  name?: string;
  restartCommand?: string;
  restartCheckCommand?: string;
  /** Such as `5m` or `2h`. */
  restartTimeout?: string;
}

export interface WindowsUpdateCustomizer {
  type: 'WindowsUpdate';
  name?: string;
  searchCriteria?: string;
  filters?: string[];
  updateLimit?: number;
}

export interface FileCustomizer {
  type: 'File';
  name?: string;
  sourceUri?: string;
  destination?: string;
  sha256Checksum?: string;
}

export type ImageTemplateCustomizer =
  | ShellCustomizer
  | PowerShellCustomizer
  | WindowsRestartCustomizer
  | WindowsUpdateCustomizer
  | FileCustomizer;

export interface ShellValidator extends ScriptStep {
  type: 'Shell';
}

export interface PowerShellValidator extends ScriptStep {
  type: 'PowerShell';
  runElevated?: boolean;
  runAsSystem?: boolean;
  validExitCodes?: number[];
}

export interface FileValidator {
  type: 'File';
  name?: string;
  sourceUri?: string;
  destination?: string;
  sha256Checksum?: string;
}

export type ImageTemplateInVMValidator = ShellValidator | PowerShellValidator | FileValidator;

export interface ImageTemplateValidate {
  continueDistributeOnFailure?: boolean;
  sourceValidationOnly?: boolean;
  inVMValidations?: ImageTemplateInVMValidator[];
}

interface DistributorBase {
  /** `^[A-Za-z0-9-_.]{1,64}$`, unique within the template. */
  runOutputName: string;
  artifactTags?: Record<string, string>;
}

export interface ManagedImageDistributor extends DistributorBase {
  type: 'ManagedImage';
  imageId: string;
  location: string;
}

export type SharedImageStorageAccountType = 'Standard_LRS' | 'Standard_ZRS' | 'Premium_LRS';

export interface GalleryTargetRegion {
  name: string;
  replicaCount?: number;
  storageAccountType?: SharedImageStorageAccountType;
}

export type DistributeVersioner = { scheme: 'Latest'; major?: number } | { scheme: 'Source' };

export interface SharedImageDistributor extends DistributorBase {
  type: 'SharedImage';
  /** An image definition id (automatic version) or `<definition>/versions/x.y.z`. */
  galleryImageId: string;
  targetRegions?: GalleryTargetRegion[];
  excludeFromLatest?: boolean;
  versioning?: DistributeVersioner;
  replicationMode?: 'Full' | 'Shallow';
}

export interface VhdDistributor extends DistributorBase {
  type: 'VHD';
  /** Absent: the service writes into the staging storage account. */
  uri?: string;
}

export type ImageTemplateDistributor = ManagedImageDistributor | SharedImageDistributor | VhdDistributor;

export type OnBuildError = 'cleanup' | 'abort';
export type FeatureState = 'Enabled' | 'Disabled';

export interface ImageTemplateVnetConfig {
  subnetId?: string;
  containerInstanceSubnetId?: string;
  proxyVmSize?: string;
}

export interface ImageTemplateVmProfile {
  vmSize?: string;
  osDiskSizeGB?: number;
  /** Identities attached to the build VM (not the template's own identity). */
  userAssignedIdentities?: string[];
  vnetConfig?: ImageTemplateVnetConfig;
}

export interface ImageTemplateProperties {
  source: ImageTemplateSource;
  customize?: ImageTemplateCustomizer[];
  optimize?: {
    vmBoot?: { state: FeatureState };
    workload?: { state?: FeatureState; scriptUri?: string; sha256Checksum?: string };
  };
  validate?: ImageTemplateValidate;
  distribute: ImageTemplateDistributor[];
  errorHandling?: { onCustomizerError?: OnBuildError; onValidationError?: OnBuildError };
  /** 0..960; 0 or absent means the service default (240). */
  buildTimeoutInMinutes?: number;
  vmProfile?: ImageTemplateVmProfile;
  additionalDataDisks?: { sizeGB?: number }[];
  stagingResourceGroup?: string;
  autoRun?: { state?: FeatureState };
  managedResourceTags?: Record<string, string>;
}

export interface ImageTemplateIdentity {
  type: 'UserAssigned';
  /** Keyed by identity resource id; the values are empty objects in requests. */
  userAssignedIdentities: Record<string, Record<string, never>>;
}

export interface ImageTemplateBody {
  location: string;
  tags?: Record<string, string>;
  identity: ImageTemplateIdentity;
  properties: ImageTemplateProperties;
}
