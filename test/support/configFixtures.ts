/**
 * Builders of ImageBuilderConfig objects for tests. Each returns a fresh,
 * complete config in the shape parseConfig produces, so a test changes only
 * what it is about.
 */
import type {
  ArtifactAccess,
  ArtifactsConfig,
  DistributeTarget,
  ImageBuilderConfig,
  Provisioner,
  SourceConfig,
  TargetRegion,
} from '../../shared/config/types';
import type { StagedArtifact } from '../../shared/template/stagedArtifact';

export const SUBSCRIPTION = '00000000-0000-0000-0000-00000000aaaa';
const rg = (name: string): string => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${name}`;

/** Resource ids used across fixtures. */
export const ids = {
  templateIdentity: `${rg('rg-identities')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-template`,
  buildVmIdentity: `${rg('rg-identities')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-build-vm`,
  secondBuildVmIdentity: `${rg('rg-identities')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-build-vm-2`,
  sourceManagedImage: `${rg('rg-images')}/providers/Microsoft.Compute/images/base-image`,
  sourceGalleryVersion: `${rg('rg-images')}/providers/Microsoft.Compute/galleries/gallery1/images/base/versions/1.2.3`,
  targetManagedImage: `${rg('rg-images')}/providers/Microsoft.Compute/images/app-image`,
  galleryDefinition: `${rg('rg-images')}/providers/Microsoft.Compute/galleries/gallery1/images/app`,
  subnet: `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/build`,
  aciSubnet: `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/aci`,
  stagingResourceGroup: rg('rg-aib-staging'),
} as const;

export const LOCATION = 'westeurope';
export const VHD_URI = 'https://vhdstore.blob.core.windows.net/vhds/app.vhd';

export function platformSource(overrides: Partial<Extract<SourceConfig, { kind: 'platformImage' }>> = {}): SourceConfig {
  return {
    kind: 'platformImage',
    publisher: 'Canonical',
    offer: 'ubuntu-24_04-lts',
    sku: 'server',
    version: 'latest',
    pinLatestVersion: true,
    ...overrides,
  };
}

export function windowsPlatformSource(): SourceConfig {
  return platformSource({ publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-azure-edition' });
}

export function plannedPlatformSource(): SourceConfig {
  return platformSource({
    publisher: 'center-for-internet-security-inc',
    offer: 'cis-ubuntu-linux-2204-l1',
    sku: 'cis-ubuntu2204-l1',
    version: '2.1.0',
    plan: { planName: 'cis-ubuntu2204-l1', planProduct: 'cis-ubuntu-linux-2204-l1', planPublisher: 'center-for-internet-security-inc' },
  });
}

export function managedImageSource(): SourceConfig {
  return { kind: 'managedImage', imageId: ids.sourceManagedImage };
}

export function galleryVersionSource(imageVersionId: string = ids.sourceGalleryVersion): SourceConfig {
  return { kind: 'galleryImageVersion', imageVersionId };
}

export function managedImageTarget(overrides: Partial<Extract<DistributeTarget, { kind: 'managedImage' }>> = {}): DistributeTarget {
  return { kind: 'managedImage', imageId: ids.targetManagedImage, location: LOCATION, runOutputName: 'app-managed-image', artifactTags: {}, ...overrides };
}

export function galleryTarget(overrides: Partial<Extract<DistributeTarget, { kind: 'sharedImageGallery' }>> = {}): DistributeTarget {
  const regions: TargetRegion[] = [{ name: LOCATION }];
  return {
    kind: 'sharedImageGallery',
    galleryImageDefinitionId: ids.galleryDefinition,
    targetRegions: regions,
    excludeFromLatest: false,
    runOutputName: 'app-gallery',
    artifactTags: {},
    ...overrides,
  };
}

export function vhdTarget(overrides: Partial<Extract<DistributeTarget, { kind: 'vhd' }>> = {}): DistributeTarget {
  return { kind: 'vhd', runOutputName: 'app-vhd', artifactTags: {}, ...overrides };
}

export function artifactsFor(provisioner: Provisioner, access: ArtifactAccess = 'sas', overrides: Partial<ArtifactsConfig> = {}): ArtifactsConfig {
  return {
    packagePath: '/agent/_work/1/s/webapp',
    folderName: 'webapp',
    storageAccountName: 'artifactstore',
    storageContainer: 'imagebuilder-artifacts',
    access,
    destination: provisioner === 'powershell' ? 'C:\\BuildArtifacts\\webapp' : '/tmp/webapp',
    ...overrides,
  };
}

/** A SAS signature that tests look for (and expect redaction to remove). */
export const SAS_SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
export const SHA256 = 'a3f5d0c6b1e24f7d9c8b7a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d';
export const FILE_LIMIT = 20 * 1024 * 1024;

/** The archive as staging reports it: a SAS URL for `sas`, a plain blob URL for `identity`. */
export function stagedArtifact(provisioner: Provisioner, access: ArtifactAccess, sizeBytes: number): StagedArtifact {
  const format = provisioner === 'powershell' ? 'zip' : 'tar.gz';
  const blob = `https://artifactstore.blob.core.windows.net/imagebuilder-artifacts/t-42-1/webapp.${format}`;
  const sas = `?sv=2022-11-02&spr=https&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=${SAS_SIGNATURE}`;
  return { url: access === 'sas' ? blob + sas : blob, sizeBytes, sha256: SHA256, format };
}

/** A complete config: Linux or Windows, platform source, gallery distribution, no artifacts. */
export function baseConfig(provisioner: Provisioner = 'shell'): ImageBuilderConfig {
  return {
    target: {
      connection: 'azure-connection',
      resourceGroup: 'rg-aib',
      location: LOCATION,
      templateName: 'proj-42-1',
      managedIdentity: ids.templateIdentity,
    },
    provisioner,
    source: provisioner === 'powershell' ? windowsPlatformSource() : platformSource(),
    customize: {
      inlineScript: [],
      runElevated: false,
      runAsSystem: false,
      windowsRestart: false,
      windowsUpdate: false,
      removeArtifacts: true,
      additionalCustomizers: [],
    },
    validate: { inlineScript: [], sourceValidationOnly: false, continueDistributeOnFailure: false },
    distribute: [galleryTarget()],
    buildVm: { buildTimeoutInMinutes: 0, userAssignedIdentities: [] },
    errorHandling: { onCustomizerError: 'cleanup', onValidationError: 'cleanup' },
    optimizeVmBoot: false,
    templateTags: {},
    cleanup: 'always',
    sweepLeftovers: true,
    skipUnchanged: false,
    pollIntervalSeconds: 15,
    dryRun: false,
    preflight: true,
    preflightOnly: false,
  };
}

/** A fresh base config changed by `change`. */
export function configWith(provisioner: Provisioner, change: (config: ImageBuilderConfig) => void): ImageBuilderConfig {
  const config = baseConfig(provisioner);
  change(config);
  return config;
}

/** Every optional build VM setting filled in. */
export function fullBuildVm(config: ImageBuilderConfig): void {
  config.buildVm = {
    vmSize: 'Standard_D4s_v5',
    osDiskSizeGB: 128,
    buildTimeoutInMinutes: 120,
    vnet: { subnetId: ids.subnet, containerInstanceSubnetId: ids.aciSubnet },
    userAssignedIdentities: [ids.buildVmIdentity, ids.secondBuildVmIdentity],
    stagingResourceGroup: ids.stagingResourceGroup,
  };
  config.errorHandling = { onCustomizerError: 'abort', onValidationError: 'cleanup' };
  config.optimizeVmBoot = true;
  config.templateTags = { project: 'webapp', 'cost-center': '1234' };
}
