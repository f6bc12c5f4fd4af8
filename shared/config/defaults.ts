/** Default values of the task's inputs, the same as task.json declares. */
import type { InputName } from './inputNames';

/**
 * Default values of the inputs that have one. task.json declares the same
 * `defaultValue`s (a test compares them): the agent fills task.json defaults in
 * before the task starts, while tests rely on these.
 */
export const INPUT_DEFAULTS: Readonly<Partial<Record<InputName, string>>> = {
  sourceType: 'platformImage',
  baseImageVersion: 'latest',
  pinLatestVersion: 'true',
  provisioner: 'shell',
  storageContainer: 'imagebuilder-artifacts',
  artifactAccess: 'sas',
  runElevated: 'false',
  runAsSystem: 'false',
  windowsRestart: 'false',
  windowsUpdateProvisioner: 'false',
  removeArtifacts: 'true',
  sourceValidationOnly: 'false',
  continueDistributeOnFailure: 'false',
  distributeType: 'sharedImageGallery',
  storageAccountType: 'Standard_LRS',
  excludeFromLatest: 'false',
  galleryVersioning: 'latest',
  buildTimeoutInMinutes: '0',
  onCustomizerError: 'cleanup',
  onValidationError: 'cleanup',
  optimizeVmBoot: 'false',
  cleanup: 'always',
  sweepLeftovers: 'true',
  skipUnchanged: 'false',
  pollIntervalSeconds: '15',
  dryRun: 'false',
  preflight: 'true',
  preflightOnly: 'false',
};
