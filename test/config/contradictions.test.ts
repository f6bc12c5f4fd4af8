import * as assert from 'node:assert/strict';
import { findContradictions } from '../../shared/config/contradictions';
import { formatProblem } from '../../shared/config/problems';
import { INPUT_DEFAULTS } from '../../shared/config/defaults';
import type { InputName } from '../../shared/config/inputNames';
import { base, context, expectConfig, ids, loc, parse, type Inputs } from './configFixtures';

/** Inputs as the agent delivers them: task.json defaults filled in, an empty filePath rooted to the working directory. */
function asAgent(inputs: Inputs): (name: InputName) => string | undefined {
  return (name) => {
    const value = inputs[name] ?? INPUT_DEFAULTS[name] ?? '';
    return (name === 'packagePath' || name === 'templateJsonPath') && value === '' ? context.workingDirectory : value;
  };
}

function warnings(inputs: Inputs): string[] {
  return findContradictions(asAgent(inputs), context.workingDirectory).map((p) => formatProblem(p, loc));
}

const withScript = { validationInlineScript: 'test -f /opt/app/ok' };
const withPackage = { packagePath: 'drop/app', storageAccountName: 'imagebuilderstaging' };

const cases: { title: string; inputs: Inputs; expected: string[] }[] = [
  { title: 'the defaults', inputs: {}, expected: [] },
  {
    title: 'onCustomizerError abort with cleanup always',
    inputs: { onCustomizerError: 'abort' },
    expected: ["Input 'onCustomizerError' is abort, which keeps the build VM for debugging, but cleanup is always: deleting the image template when the task ends deletes that VM too. cleanup wins; set cleanup to onSuccess or never to keep the VM."],
  },
  { title: 'onCustomizerError abort with cleanup onSuccess', inputs: { onCustomizerError: 'abort', cleanup: 'onSuccess' }, expected: [] },
  { title: 'onCustomizerError abort with cleanup never', inputs: { onCustomizerError: 'abort', cleanup: 'never' }, expected: [] },
  {
    title: 'onValidationError abort with a validation script and cleanup always',
    inputs: { ...withScript, onValidationError: 'abort' },
    expected: ["Input 'onValidationError' is abort, which keeps the build VM for debugging, but cleanup is always: deleting the image template when the task ends deletes that VM too. cleanup wins; set cleanup to onSuccess or never to keep the VM."],
  },
  {
    title: 'onValidationError abort without a validation script',
    inputs: { onValidationError: 'abort', cleanup: 'never' },
    expected: ["Input 'onValidationError' has no effect without validationInlineScript: nothing validates the image."],
  },
  {
    title: 'continueDistributeOnFailure without a validation script',
    inputs: { continueDistributeOnFailure: 'true' },
    expected: ["Input 'continueDistributeOnFailure' has no effect without validationInlineScript: nothing validates the image."],
  },
  { title: 'continueDistributeOnFailure with a validation script', inputs: { ...withScript, continueDistributeOnFailure: 'true' }, expected: [] },
  {
    title: 'sourceValidationOnly without a validation script',
    inputs: { sourceValidationOnly: 'true' },
    expected: ["Input 'sourceValidationOnly' has no effect without validationInlineScript: nothing validates the image."],
  },
  {
    title: 'sourceValidationOnly with customization inputs',
    inputs: { ...withScript, ...withPackage, sourceValidationOnly: 'true', inlineScript: 'echo hi', provisioner: 'powershell', windowsRestart: 'true' },
    expected: [
      "Input 'packagePath' is ignored: sourceValidationOnly is true, so Image Builder validates the source image as it is, without customizing it.",
      "Input 'inlineScript' is ignored: sourceValidationOnly is true, so Image Builder validates the source image as it is, without customizing it.",
      "Input 'windowsRestart' is ignored: sourceValidationOnly is true, so Image Builder validates the source image as it is, without customizing it.",
    ],
  },
  {
    title: 'sourceValidationOnly with continueDistributeOnFailure',
    inputs: { ...withScript, sourceValidationOnly: 'true', continueDistributeOnFailure: 'true' },
    expected: ["Input 'continueDistributeOnFailure' has no effect: sourceValidationOnly is true, so no new image is built and there is nothing to distribute."],
  },
  {
    title: 'dryRun with preflightOnly',
    inputs: { dryRun: 'true', preflightOnly: 'true' },
    expected: ["Input 'preflightOnly' is ignored: dryRun is true, so the task only shows the template and calls no Azure API, not even for the preflight checks. dryRun wins over preflightOnly."],
  },
  { title: 'dryRun alone', inputs: { dryRun: 'true' }, expected: [] },
  {
    title: 'storage inputs without packagePath',
    inputs: { storageAccountName: 'imagebuilderstaging', artifactAccess: 'identity', storageContainer: 'imagebuilder-artifacts' },
    expected: [
      "Input 'storageAccountName' is ignored: packagePath is empty, so no build artifacts are uploaded.",
      "Input 'artifactAccess' is ignored: packagePath is empty, so no build artifacts are uploaded.",
    ],
  },
  { title: 'storage inputs with packagePath', inputs: { ...withPackage, artifactAccess: 'identity' }, expected: [] },
  {
    title: 'gallery and VHD inputs while only a managed image is distributed',
    inputs: { distributeType: 'managedImage', imageIdForDistribute: ids.managedImageTarget, galleryImageId: ids.galleryDefinition, excludeFromLatest: 'true', vhdUri: 'https://sa.blob.core.windows.net/vhds/a.vhd' },
    expected: [
      "Input 'galleryImageId' is ignored: distributeType does not include 'sharedImageGallery'.",
      "Input 'excludeFromLatest' is ignored: distributeType does not include 'sharedImageGallery'.",
      "Input 'vhdUri' is ignored: distributeType does not include 'vhd'.",
    ],
  },
  {
    title: 'managed image inputs with the gallery only (v1 value sig)',
    inputs: { distributeType: 'sig', galleryImageId: ids.galleryDefinition, managedImageLocation: 'westeurope' },
    expected: ["Input 'managedImageLocation' is ignored: distributeType does not include 'managedImage'."],
  },
  { title: 'every distributor chosen', inputs: { distributeType: 'managedImage,sharedImageGallery,vhd', imageIdForDistribute: ids.managedImageTarget, galleryImageId: ids.galleryDefinition, vhdUri: 'https://sa.blob.core.windows.net/vhds/a.vhd' }, expected: [] },
];

describe('contradicting inputs', () => {
  for (const { title, inputs, expected } of cases) {
    it(title, () => assert.deepEqual(warnings(inputs), expected));
  }

  it('names the other input in the text of every warning', () => {
    const others: Record<string, RegExp> = {
      onCustomizerError: /\bcleanup\b/,
      onValidationError: /\bcleanup\b|validationInlineScript/,
      continueDistributeOnFailure: /validationInlineScript|sourceValidationOnly/,
      sourceValidationOnly: /validationInlineScript/,
      packagePath: /sourceValidationOnly/,
      inlineScript: /sourceValidationOnly/,
      windowsRestart: /sourceValidationOnly/,
      preflightOnly: /dryRun/,
    };
    for (const { inputs } of cases) {
      for (const problem of findContradictions(asAgent(inputs), context.workingDirectory)) {
        const text = formatProblem(problem, loc);
        const other = others[problem.input] ?? /packagePath|distributeType/;
        assert.match(text, other, text);
      }
    }
  });

  it('is what the parser hands back with a valid config, next to the config', () => {
    const result = parse({ ...base, onCustomizerError: 'abort', dryRun: 'true', preflightOnly: 'true' });
    expectConfig(result);
    assert.ok(result.ok);
    assert.deepEqual(result.warnings?.map((w) => w.input), ['onCustomizerError', 'preflightOnly']);
  });
});
