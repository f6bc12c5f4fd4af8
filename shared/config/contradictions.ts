/** Warnings for input combinations that pull against each other. */
import type { InputName } from './inputNames';
import { InputReader } from './inputReader';
import { issue, type ConfigProblem, type Issue } from './problems';
import { splitList } from './scalars';

/**
 * Input combinations that are valid one by one but pull against each other:
 * one of them is ignored, or wins over the other. Each is a warning that names
 * the input it is attached to in its first %s and the other input in its text,
 * so the user sees both. Combinations that cannot work at all (runAsSystem
 * without runElevated, preflightOnly without preflight, proxyVmSize with a
 * container instance subnet, Windows switches with the shell provisioner) are
 * input errors of the parser instead.
 *
 * Pure: reads the raw inputs the way the parser does (defaults applied, an
 * empty filePath counts as not set) and does nothing else.
 */
export function findContradictions(inputs: (name: InputName) => string | undefined, workingDirectory: string): ConfigProblem[] {
  const reader = new InputReader(inputs, workingDirectory);
  const on = (name: InputName): boolean => reader.text(name)?.toLowerCase() === 'true';
  const is = (name: InputName, value: string): boolean => reader.text(name)?.toLowerCase() === value.toLowerCase();
  const found: ConfigProblem[] = [];
  const warn = (input: InputName, what: Issue): void => {
    found.push({ input, ...what });
  };

  const hasValidation = reader.supplied('validationInlineScript') !== undefined;
  // cleanup decides last: `always` deletes the template, and Image Builder deletes the kept build VM with it.
  if (is('onCustomizerError', 'abort') && is('cleanup', 'always')) warn('onCustomizerError', issue('AbortedVmDeletedByCleanup'));
  if (hasValidation && is('onValidationError', 'abort') && is('cleanup', 'always')) warn('onValidationError', issue('AbortedVmDeletedByCleanup'));

  if (!hasValidation) {
    if (is('onValidationError', 'abort')) warn('onValidationError', issue('ValidationSettingWithoutScript'));
    if (on('continueDistributeOnFailure')) warn('continueDistributeOnFailure', issue('ValidationSettingWithoutScript'));
    if (on('sourceValidationOnly')) warn('sourceValidationOnly', issue('ValidationSettingWithoutScript'));
  }

  if (on('sourceValidationOnly')) {
    for (const name of CUSTOMIZATION_INPUTS) {
      const set = BOOLEAN_CUSTOMIZATIONS.includes(name) ? on(name) : reader.supplied(name) !== undefined;
      if (set) warn(name, issue('CustomizationSkippedBySourceValidationOnly'));
    }
    if (on('continueDistributeOnFailure')) warn('continueDistributeOnFailure', issue('DistributionSkippedBySourceValidationOnly'));
  }

  if (on('dryRun') && on('preflightOnly')) warn('preflightOnly', issue('PreflightSkippedByDryRun'));

  if (reader.supplied('packagePath') === undefined) {
    for (const name of ARTIFACT_INPUTS) if (reader.explicit(name)) warn(name, issue('ArtifactInputWithoutPackage'));
  }

  const kinds = distributeKinds(reader.text('distributeType') ?? '');
  for (const [name, kind] of DISTRIBUTOR_INPUTS) {
    if (!kinds.has(kind.toLowerCase()) && reader.explicit(name)) warn(name, issue('DistributorInputUnused', kind));
  }
  return found;
}

const BOOLEAN_CUSTOMIZATIONS: readonly InputName[] = ['windowsRestart', 'windowsUpdateProvisioner'];
/** What sourceValidationOnly leaves out: Image Builder validates the source image as it is. */
const CUSTOMIZATION_INPUTS: readonly InputName[] = ['packagePath', 'inlineScript', 'additionalCustomizers', ...BOOLEAN_CUSTOMIZATIONS];

/** Read only for the upload of packagePath. */
const ARTIFACT_INPUTS: readonly InputName[] = ['storageAccountName', 'storageContainer', 'artifactAccess', 'artifactDestination'];

/** Inputs of one distributor, used only when distributeType includes it. */
const DISTRIBUTOR_INPUTS: readonly (readonly [InputName, string])[] = [
  ['imageIdForDistribute', 'managedImage'],
  ['managedImageLocation', 'managedImage'],
  ['galleryImageId', 'sharedImageGallery'],
  ['galleryImageVersion', 'sharedImageGallery'],
  ['replicationRegions', 'sharedImageGallery'],
  ['storageAccountType', 'sharedImageGallery'],
  ['excludeFromLatest', 'sharedImageGallery'],
  ['galleryVersioning', 'sharedImageGallery'],
  ['galleryVersioningMajor', 'sharedImageGallery'],
  ['vhdUri', 'vhd'],
];

/** Lower-case kinds; v1's `sig` is the gallery. */
function distributeKinds(text: string): Set<string> {
  return new Set(splitList(text).map((item) => (item.toLowerCase() === 'sig' ? 'sharedimagegallery' : item.toLowerCase())));
}
