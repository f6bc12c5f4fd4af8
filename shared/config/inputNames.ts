/**
 * The task's input names: the contract YAML pipelines are written against.
 * task.json declares exactly these (a test checks both directions), so a
 * rename here without a matching alias there breaks users' pipelines.
 */
/** The inputs that say where the image goes (the template's `distribute` section). */
export const DISTRIBUTE_INPUTS = [
  'distributeType',
  'imageIdForDistribute',
  'managedImageLocation',
  'galleryImageId',
  'galleryImageVersion',
  'replicationRegions',
  'storageAccountType',
  'excludeFromLatest',
  'galleryVersioning',
  'galleryVersioningMajor',
  'vhdUri',
  'artifactTags',
  'runOutputName',
] as const;

export const INPUT_NAMES = [
  // connection
  'azureSubscription',
  'resourceGroup',
  'location',
  'managedIdentity',
  'templateName',
  // source
  'sourceType',
  'baseImage',
  'baseImageVersion',
  'pinLatestVersion',
  'planInfo',
  'managedImageId',
  'galleryImageVersionId',
  // customize
  'provisioner',
  'packagePath',
  'storageAccountName',
  'storageContainer',
  'artifactAccess',
  'artifactDestination',
  'inlineScript',
  'scriptPath',
  'runElevated',
  'runAsSystem',
  'windowsRestart',
  'windowsUpdateProvisioner',
  'removeArtifacts',
  'additionalCustomizers',
  // validate
  'validationInlineScript',
  'sourceValidationOnly',
  'continueDistributeOnFailure',
  // distribute
  ...DISTRIBUTE_INPUTS,
  // build VM
  'vmSize',
  'osDiskSizeGB',
  'buildTimeoutInMinutes',
  'vnetSubnetId',
  'containerInstanceSubnetId',
  'proxyVmSize',
  'buildVmIdentities',
  'stagingResourceGroup',
  // advanced
  'templateTags',
  'onCustomizerError',
  'onValidationError',
  'optimizeVmBoot',
  'cleanup',
  'sweepLeftovers',
  'skipUnchanged',
  'pollIntervalSeconds',
  'dryRun',
  'preflight',
  'preflightOnly',
  'templateJsonPath',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

/**
 * Inputs of type `filePath`. The agent roots these: an empty value arrives as
 * the working directory itself, so "not supplied" must be detected by comparing
 * with it rather than by emptiness.
 */
export const FILE_PATH_INPUTS: readonly InputName[] = ['packagePath', 'templateJsonPath'];
