import * as assert from 'node:assert/strict';
import { INPUT_DEFAULTS } from '../../shared/config/defaults';
import { FILE_PATH_INPUTS, type InputName } from '../../shared/config/inputNames';
import { formatProblem, parseConfig, type ConfigFiles } from '../../shared/config/parse';
import type { ParseResult } from '../../shared/config/problems';
import type { ImageBuilderConfig, PipelineContext } from '../../shared/config/types';
import { createLocalizer, loadTaskMessages } from '../support/localizer';
import { readTaskJsonText } from '../taskjson/taskJsonFile';

export type Inputs = Partial<Record<InputName, string>>;

export const SUB = '0b1f6a2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const RG = `/subscriptions/${SUB}/resourceGroups`;

export const ids = {
  identity: `${RG}/rg-identity/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity`,
  buildVmIdentity: `${RG}/rg-identity/providers/Microsoft.ManagedIdentity/userAssignedIdentities/build-vm`,
  managedImage: `${RG}/rg-images/providers/Microsoft.Compute/images/golden-source`,
  managedImageTarget: `${RG}/rg-images/providers/Microsoft.Compute/images/web-image`,
  galleryDefinition: `${RG}/rg-gallery/providers/Microsoft.Compute/galleries/corpGallery/images/web`,
  galleryVersion: `${RG}/rg-gallery/providers/Microsoft.Compute/galleries/corpGallery/images/web/versions/1.2.3`,
  galleryLatest: `${RG}/rg-gallery/providers/Microsoft.Compute/galleries/corpGallery/images/base/versions/latest`,
  subnet: `${RG}/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-build/subnets/build`,
  aciSubnet: `${RG}/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-build/subnets/aci`,
  otherVnetSubnet: `${RG}/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-other/subnets/aci`,
  stagingGroup: `${RG}/rg-aib-staging`,
};

export const context: PipelineContext = {
  teamProject: 'Fabrikam Web',
  buildId: '4711',
  jobAttempt: '2',
  workingDirectory: '/agent/_work/1/s',
};

/** The inputs every run needs: connection, group, region, identity and a platform image with a gallery target. */
export const base: Inputs = {
  azureSubscription: 'arm-connection',
  resourceGroup: 'rg-images',
  location: 'westeurope',
  managedIdentity: ids.identity,
  baseImage: 'Canonical:ubuntu-24_04-lts:server',
  galleryImageId: ids.galleryDefinition,
};

export const loc = createLocalizer(loadTaskMessages(readTaskJsonText()));

/** Parses as the local runner does: unset inputs are undefined. */
export function parse(inputs: Inputs, files: ConfigFiles = {}, ctx: PipelineContext = context): ParseResult {
  return parseConfig((name) => inputs[name], ctx, files);
}

/**
 * Parses as the agent does: every input without a value gets its task.json
 * default, and filePath inputs arrive rooted (empty = the working directory).
 */
export function parseAsAgent(inputs: Inputs, files: ConfigFiles = {}): ParseResult {
  const full = (name: InputName): string => {
    const value = inputs[name] ?? INPUT_DEFAULTS[name] ?? '';
    return FILE_PATH_INPUTS.includes(name) && value === '' ? context.workingDirectory : value;
  };
  return parseConfig(full, context, files);
}

export function expectConfig(result: ParseResult): ImageBuilderConfig {
  if (!result.ok) assert.fail(`expected a config, got problems:\n${messagesOf(result).join('\n')}`);
  return result.config;
}

/** Formats with task.json's texts, failing on a placeholder count that does not match the arguments. */
export function messagesOf(result: ParseResult): string[] {
  if (result.ok) return [];
  return result.problems.map((problem) => {
    const template = loadTaskMessages(readTaskJsonText())[problem.key] ?? '';
    const placeholders = (template.replace(/%%/g, '').match(/%[sdifjoOc]/g) ?? []).length;
    assert.equal(placeholders, problem.args.length + 1, `${problem.key}: ${placeholders} placeholders for input + ${problem.args.length} arguments`);
    return formatProblem(problem, loc);
  });
}

export function problemsOf(inputs: Inputs, files: ConfigFiles = {}): string[] {
  const result = parse(inputs, files);
  assert.equal(result.ok, false, 'expected problems, got a config');
  return messagesOf(result);
}
