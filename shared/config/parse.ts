/** Task inputs to one typed ImageBuilderConfig, or every problem with the inputs; pure. */
import * as path from 'node:path';
import { findContradictions } from './contradictions';
import { customizerOsIssues, parseAdditionalCustomizers } from './customizers';
import { INPUT_NAMES, type InputName } from './inputNames';
import { InputReader } from './inputReader';
import {
  defaultTemplateName,
  isExplicitResourceName,
  isContainerName,
  isStorageAccountName,
  isVmSize,
  runOutputNames,
} from './names';
import { issue, type ConfigProblem, type ParseResult } from './problems';
import { REPLICA_STORAGE_TYPES, isRegionName, normalizeRegion, parseReplicationRegions } from './regions';
import {
  checkResourceId,
  isGalleryVersion,
  isResourceGroupId,
  isResourceGroupName,
  isResourceOfKind,
  parseGalleryImageId,
  parseResourceId,
  virtualNetworkOf,
} from './resourceId';
import { parseInteger, splitLines, splitList } from './scalars';
import { MAX_TAGS, parseTags } from './tags';
import type {
  ArtifactsConfig,
  BuildVmConfig,
  GalleryVersioning,
  CleanupPolicy,
  CustomizeConfig,
  DistributeKind,
  DistributeTarget,
  ErrorAction,
  ImageBuilderConfig,
  PipelineContext,
  Provisioner,
  PurchasePlan,
  SourceConfig,
  TargetRegion,
  TemplateTarget,
  UserTemplate,
  ValidateConfig,
  VnetConfig,
} from './types';
import type { DeploymentScope } from './armTemplate';
import { distributeFromTemplate, parseTemplateBody, sourceFromTemplate } from './userTemplate';

export { formatProblem, type ConfigProblem, type ParseResult } from './problems';
export { suppliedFilePath } from './filePaths';

/** Files the edge has read on the parser's behalf; the parser itself does no I/O. */
export interface ConfigFiles {
  /** Text of the file named by templateJsonPath, when that input is set and the file could be read. */
  templateJson?: string;
  /** Whether the path packagePath names exists on the agent; set by the edge when that input is supplied. */
  packagePathExists?: boolean;
}

type SourceKind = SourceConfig['kind'];
const SOURCE_KINDS: readonly SourceKind[] = ['platformImage', 'managedImage', 'galleryImageVersion'];
const DISTRIBUTE_KINDS: readonly DistributeKind[] = ['managedImage', 'sharedImageGallery', 'vhd'];
const ERROR_ACTIONS: readonly ErrorAction[] = ['cleanup', 'abort'];
const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['always', 'onSuccess', 'never'];
const PROVISIONERS: readonly Provisioner[] = ['shell', 'powershell'];

/** Placeholders v1's editor left in untouched fields; they mean "not set". */
const V1_BASE_IMAGE_PLACEHOLDER = 'publisher:offer:sku';
const V1_PLAN_PLACEHOLDER = 'planname:planproduct:planpublisher';

/**
 * Each poll is one read of the template (plus the log reads, which go to
 * storage). ARM refills a subscription's read budget at about 25 reads a
 * second per region, so a read every 2 s leaves room for many parallel jobs;
 * faster polling only spends that budget without making the build faster.
 */
const MIN_POLL_INTERVAL_SECONDS = 2;
/** A longer interval delays seeing the end of the build and its log by as much; five minutes is plenty for ARM's budget. */
const MAX_POLL_INTERVAL_SECONDS = 300;
const MAX_BUILD_TIMEOUT_MINUTES = 960;

/**
 * Turns the task's inputs into one typed config, or into the full list of
 * problems with them. Pure: nothing is read or called here, so every invalid
 * value is reported before anything happens in Azure.
 */
export function parseConfig(
  inputs: (name: InputName) => string | undefined,
  context: PipelineContext,
  files: ConfigFiles,
): ParseResult {
  const reader = new InputReader(inputs, context.workingDirectory);
  const provisioner = reader.choice('provisioner', PROVISIONERS);
  const target = readTarget(reader, context);
  const userTemplate = readUserTemplate(reader, files, { location: target.location, resourceGroup: target.resourceGroup, subscriptionId: context.subscriptionId });
  const source = readSource(reader, provisioner, userTemplate?.body);
  const artifacts = readArtifacts(reader, provisioner, files);
  const customize = readCustomize(reader, provisioner, artifacts !== undefined);
  const validate = readValidate(reader);
  const distribute = readDistribute(reader, target, userTemplate?.body);
  const buildVm = readBuildVm(reader);
  const templateTags = parseTags(reader.supplied('templateTags') ?? '');
  reader.addAll('templateTags', templateTags.issues);
  checkMergedTagCount(reader, userTemplate, templateTags.tags);
  const errorHandling = {
    onCustomizerError: reader.choice('onCustomizerError', ERROR_ACTIONS),
    onValidationError: reader.choice('onValidationError', ERROR_ACTIONS),
  };
  const optimizeVmBoot = reader.bool('optimizeVmBoot');
  const cleanup = reader.choice('cleanup', CLEANUP_POLICIES);
  const sweepLeftovers = reader.bool('sweepLeftovers');
  const skipUnchanged = reader.bool('skipUnchanged');
  const pollIntervalSeconds = readPollInterval(reader);
  const dryRun = reader.bool('dryRun');
  const preflight = reader.bool('preflight');
  const preflightOnly = reader.bool('preflightOnly');
  if (preflightOnly && !preflight) reader.add('preflightOnly', issue('PreflightOnlyNeedsPreflight'));

  if (reader.problems.length > 0 || source === undefined) return { ok: false, problems: withoutFollowOns(reader, userTemplate) };
  const config: ImageBuilderConfig = {
    target,
    provisioner,
    source,
    ...(artifacts ? { artifacts } : {}),
    customize,
    validate,
    distribute,
    buildVm,
    errorHandling,
    optimizeVmBoot,
    templateTags: templateTags.tags,
    cleanup,
    sweepLeftovers,
    skipUnchanged,
    pollIntervalSeconds,
    dryRun,
    preflight,
    preflightOnly,
    ...(userTemplate ? { userTemplate } : {}),
  };
  // Inputs that pull against each other are warnings: each names both inputs and says which one wins.
  return { ok: true, config, warnings: findContradictions(inputs, context.workingDirectory) };
}

function readTarget(reader: InputReader, context: PipelineContext): TemplateTarget {
  const connection = reader.required('azureSubscription') ?? '';
  const resourceGroup = reader.required('resourceGroup') ?? '';
  if (resourceGroup !== '' && !isResourceGroupName(resourceGroup)) {
    reader.add('resourceGroup', issue('InvalidResourceGroupName', resourceGroup));
  }
  const location = readRegion(reader, 'location', reader.required('location')) ?? '';
  const managedIdentity = reader.required('managedIdentity') ?? '';
  if (managedIdentity !== '') {
    const found = checkResourceId(managedIdentity, 'userAssignedIdentity');
    if (found) reader.add('managedIdentity', found);
  }
  const givenName = reader.supplied('templateName');
  if (givenName !== undefined && !isExplicitResourceName(givenName)) {
    reader.add('templateName', issue('InvalidTemplateName', givenName));
  }
  return { connection, resourceGroup, location, templateName: givenName ?? defaultTemplateName(context), managedIdentity };
}

function readRegion(reader: InputReader, name: InputName, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (isRegionName(value)) return normalizeRegion(value);
  reader.add(name, issue('InvalidRegion', value));
  return undefined;
}

/** Inputs the template file would have supplied: when the file is unusable, their absence is not a second error. */
const FILLED_BY_TEMPLATE_FILE = ['SourceInputRequired', 'DistributorInputRequired'];

function withoutFollowOns(reader: InputReader, userTemplate: UserTemplate | undefined): ConfigProblem[] {
  const unusableFile = reader.supplied('templateJsonPath') !== undefined && userTemplate === undefined;
  return unusableFile ? reader.problems.filter((p) => !FILLED_BY_TEMPLATE_FILE.includes(p.key)) : reader.problems;
}

function readUserTemplate(reader: InputReader, files: ConfigFiles, scope: DeploymentScope): UserTemplate | undefined {
  const templatePath = reader.supplied('templateJsonPath');
  if (templatePath === undefined) return undefined;
  if (files.templateJson === undefined) {
    reader.add('templateJsonPath', issue('TemplateFileUnread', templatePath));
    return undefined;
  }
  const parsed = parseTemplateBody(files.templateJson, templatePath, scope);
  if (parsed.issue) reader.add('templateJsonPath', parsed.issue);
  reader.addAll('templateJsonPath', parsed.issues ?? []);
  if (!parsed.body) return undefined;
  return { body: parsed.body, explicitInputs: INPUT_NAMES.filter((name) => reader.explicit(name)) };
}

// Image name parts (publisher, offer, sku) as the Compute API spells them.
const IMAGE_NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// A platform image version: three dot-separated whole numbers, e.g. 2024.01.15 or 20348.2227.240104.
const PLATFORM_VERSION = /^\d+\.\d+\.\d+$/;

function readSource(reader: InputReader, provisioner: Provisioner, templateBody?: Record<string, unknown>): SourceConfig | undefined {
  const sourceType = reader.choice('sourceType', SOURCE_KINDS, { marketplace: 'platformImage' });
  const pinLatestVersion = reader.bool('pinLatestVersion');
  const fromFile = (input: InputName): SourceConfig | undefined => {
    const source = templateBody ? sourceFromTemplate(templateBody, pinLatestVersion) : undefined;
    if (!source) reader.add(input, issue('SourceInputRequired', sourceType));
    return source;
  };
  switch (sourceType) {
    case 'platformImage': {
      const source = readPlatformImage(reader, provisioner, pinLatestVersion);
      const given = reader.supplied('baseImage') !== undefined && !isV1BaseImagePlaceholder(reader);
      return given ? source : fromFile('baseImage');
    }
    case 'managedImage': {
      const imageId = reader.supplied('managedImageId');
      if (imageId === undefined) return fromFile('managedImageId');
      const found = checkResourceId(imageId, 'managedImage');
      if (found) reader.add('managedImageId', found);
      return found ? undefined : { kind: 'managedImage', imageId };
    }
    case 'galleryImageVersion': {
      const imageVersionId = reader.supplied('galleryImageVersionId');
      if (imageVersionId === undefined) return fromFile('galleryImageVersionId');
      const version = parseResourceId(imageVersionId)?.segments[2]?.name ?? '';
      const valid = isResourceOfKind(imageVersionId, 'galleryImageVersion') && (version.toLowerCase() === 'latest' || isGalleryVersion(version));
      if (!valid) reader.add('galleryImageVersionId', issue('InvalidGalleryImageVersionId', imageVersionId));
      return valid ? { kind: 'galleryImageVersion', imageVersionId } : undefined;
    }
  }
}

function isV1BaseImagePlaceholder(reader: InputReader): boolean {
  return reader.supplied('baseImage')?.toLowerCase() === V1_BASE_IMAGE_PLACEHOLDER;
}

/** Undefined when baseImage is not set (the caller decides what that means) or invalid (a problem is recorded). */
function readPlatformImage(reader: InputReader, provisioner: Provisioner, pinLatestVersion: boolean): SourceConfig | undefined {
  const baseImage = reader.supplied('baseImage');
  const versionInput = reader.text('baseImageVersion') ?? 'latest';
  const versionValid = versionInput.toLowerCase() === 'latest' || PLATFORM_VERSION.test(versionInput);
  if (!versionValid) reader.add('baseImageVersion', issue('InvalidImageVersion', versionInput));
  const plan = readPlan(reader);
  if (baseImage === undefined || isV1BaseImagePlaceholder(reader)) return undefined;

  const parts = baseImage.split(':').map((part) => part.trim());
  const [publisher, offer, sku, fourth] = parts;
  if ((parts.length !== 3 && parts.length !== 4) || !parts.every((part) => IMAGE_NAME_PART.test(part)) || !publisher || !offer || !sku) {
    reader.add('baseImage', issue('InvalidBaseImage', baseImage));
    return undefined;
  }
  // v1's image picker stored publisher:offer:sku:<os>; that fourth part is the OS, not a version.
  const osTag = fourth !== undefined && /^(windows|linux)$/i.test(fourth) ? fourth.toLowerCase() : undefined;
  if (osTag !== undefined && (osTag === 'windows') !== (provisioner === 'powershell')) {
    reader.add('baseImage', issue('BaseImageOsMismatch', osTag, provisioner));
  }
  let version = versionInput.toLowerCase() === 'latest' ? 'latest' : versionInput;
  if (fourth !== undefined && osTag === undefined) {
    if (fourth.toLowerCase() !== 'latest' && !PLATFORM_VERSION.test(fourth)) {
      reader.add('baseImage', issue('InvalidBaseImage', baseImage));
      return undefined;
    }
    const inBaseImage = fourth.toLowerCase() === 'latest' ? 'latest' : fourth;
    if (reader.explicit('baseImageVersion') && versionInput.toLowerCase() !== inBaseImage.toLowerCase()) {
      reader.add('baseImageVersion', issue('BaseImageVersionConflict', versionInput, inBaseImage));
    }
    version = inBaseImage;
  }
  if (!versionValid) return undefined;
  return { kind: 'platformImage', publisher, offer, sku, version, pinLatestVersion, ...(plan ? { plan } : {}) };
}

function readPlan(reader: InputReader): PurchasePlan | undefined {
  const planInfo = reader.supplied('planInfo');
  if (planInfo === undefined || planInfo.toLowerCase() === V1_PLAN_PLACEHOLDER) return undefined;
  const parts = planInfo.split(':').map((part) => part.trim());
  const [planName, planProduct, planPublisher] = parts;
  if (parts.length !== 3 || !planName || !planProduct || !planPublisher) {
    reader.add('planInfo', issue('InvalidPlanInfo', planInfo));
    return undefined;
  }
  return { planName, planProduct, planPublisher };
}

function readArtifacts(reader: InputReader, provisioner: Provisioner, files: ConfigFiles): ArtifactsConfig | undefined {
  const storageAccountName = reader.supplied('storageAccountName');
  if (storageAccountName !== undefined && !isStorageAccountName(storageAccountName)) {
    reader.add('storageAccountName', issue('InvalidStorageAccountName', storageAccountName));
  }
  const storageContainer = reader.text('storageContainer') ?? '';
  if (!isContainerName(storageContainer)) reader.add('storageContainer', issue('InvalidContainerName', storageContainer));
  const access = reader.choice('artifactAccess', ['sas', 'identity'] as const);
  const packagePath = reader.supplied('packagePath');
  const givenDestination = reader.supplied('artifactDestination');
  if (givenDestination !== undefined) {
    // On Windows the rest of the path may not hold what Windows refuses in a file name.
    const absolute = provisioner === 'shell' ? givenDestination.startsWith('/') : /^[A-Za-z]:[\\/][^<>:"|?*\x00-\x1f]*$/.test(givenDestination);
    if (!absolute) {
      const example = provisioner === 'shell' ? '/opt/app' : 'C:\\BuildArtifacts\\app';
      reader.add('artifactDestination', issue('InvalidArtifactDestination', provisioner, example, givenDestination));
    }
  }
  if (packagePath === undefined) return undefined;
  if (files.packagePathExists === false) reader.add('packagePath', issue('PackagePathNotFound', packagePath));
  if (storageAccountName === undefined) reader.add('storageAccountName', issue('StorageAccountRequiredWithPackage'));
  const folderName = path.basename(packagePath);
  const destination =
    givenDestination ?? (provisioner === 'shell' ? `/tmp/${folderName}` : `C:\\BuildArtifacts\\${folderName}`);
  return { packagePath, folderName, storageAccountName: storageAccountName ?? '', storageContainer, access, destination };
}

const WINDOWS_ONLY_SWITCHES = ['runElevated', 'runAsSystem', 'windowsRestart', 'windowsUpdateProvisioner'] as const;

function readCustomize(reader: InputReader, provisioner: Provisioner, hasArtifacts: boolean): CustomizeConfig {
  const inlineScript = splitLines(reader.supplied('inlineScript') ?? '');
  const scriptPath = reader.supplied('scriptPath');
  if (scriptPath !== undefined) {
    if (!hasArtifacts) reader.add('scriptPath', issue('ScriptPathNeedsPackage'));
    const escapes = /^([\\/]|[A-Za-z]:)/.test(scriptPath) || scriptPath.split(/[\\/]/).includes('..');
    if (escapes) reader.add('scriptPath', issue('InvalidScriptPath', scriptPath));
  }
  const switches = Object.fromEntries(WINDOWS_ONLY_SWITCHES.map((name) => [name, reader.bool(name)])) as Record<
    (typeof WINDOWS_ONLY_SWITCHES)[number],
    boolean
  >;
  if (provisioner === 'shell') {
    for (const name of WINDOWS_ONLY_SWITCHES) if (switches[name]) reader.add(name, issue('WindowsOnlyInput', provisioner));
  } else if (switches.runAsSystem && !switches.runElevated) {
    reader.add('runAsSystem', issue('RunAsSystemNeedsRunElevated'));
  }
  const removeArtifacts = reader.bool('removeArtifacts');
  const customizersText = reader.supplied('additionalCustomizers');
  const customizers = customizersText === undefined ? { customizers: [], issues: [] } : parseAdditionalCustomizers(customizersText);
  reader.addAll('additionalCustomizers', customizers.issues);
  if (customizers.issues.length === 0) reader.addAll('additionalCustomizers', customizerOsIssues(customizers.customizers, provisioner));
  return {
    inlineScript,
    ...(scriptPath !== undefined ? { scriptPath } : {}),
    runElevated: switches.runElevated,
    runAsSystem: switches.runAsSystem,
    windowsRestart: switches.windowsRestart,
    windowsUpdate: switches.windowsUpdateProvisioner,
    removeArtifacts,
    additionalCustomizers: customizers.customizers,
  };
}

function readValidate(reader: InputReader): ValidateConfig {
  return {
    inlineScript: splitLines(reader.supplied('validationInlineScript') ?? ''),
    sourceValidationOnly: reader.bool('sourceValidationOnly'),
    continueDistributeOnFailure: reader.bool('continueDistributeOnFailure'),
  };
}

const DISTRIBUTE_INPUTS: readonly InputName[] = ['distributeType', 'imageIdForDistribute', 'galleryImageId', 'vhdUri'];

function readDistributeKinds(reader: InputReader): DistributeKind[] {
  const kinds: DistributeKind[] = [];
  const items = splitList(reader.text('distributeType') ?? '');
  if (items.length === 0) reader.add('distributeType', issue('DistributeTypeEmpty'));
  for (const item of items) {
    const lower = item.toLowerCase();
    // `sig` is v1's value for the gallery.
    const kind = lower === 'sig' ? 'sharedImageGallery' : DISTRIBUTE_KINDS.find((k) => k.toLowerCase() === lower);
    if (kind === undefined) reader.add('distributeType', issue('InvalidDistributeType', item));
    else if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds;
}

function readDistribute(reader: InputReader, target: TemplateTarget, templateBody?: Record<string, unknown>): DistributeTarget[] {
  // Read every distribution input, whether or not its distributor is chosen, so typos surface either way.
  const storageAccountType = reader.choice('storageAccountType', REPLICA_STORAGE_TYPES);
  const excludeFromLatest = reader.bool('excludeFromLatest');
  const versioning = readGalleryVersioning(reader);
  const artifactTags = parseTags(reader.supplied('artifactTags') ?? '');
  reader.addAll('artifactTags', artifactTags.issues);
  const explicitRunOutputName = reader.supplied('runOutputName');
  if (explicitRunOutputName !== undefined && !isExplicitResourceName(explicitRunOutputName)) {
    reader.add('runOutputName', issue('InvalidRunOutputName', explicitRunOutputName));
  }

  if (templateBody && Array.isArray((templateBody['properties'] as Record<string, unknown>)['distribute']) && !DISTRIBUTE_INPUTS.some((name) => reader.explicit(name))) {
    const fromFile = distributeFromTemplate(templateBody, target.location);
    reader.addAll('templateJsonPath', fromFile.issues);
    if (fromFile.targets.length > 0 || fromFile.issues.length > 0) return fromFile.targets;
  }

  const kinds = readDistributeKinds(reader);
  const names = runOutputNames(kinds, target.templateName, explicitRunOutputName);
  const targets: DistributeTarget[] = [];
  for (const kind of kinds) {
    const common = { runOutputName: names[kind], artifactTags: artifactTags.tags };
    if (kind === 'managedImage') {
      const imageId = reader.supplied('imageIdForDistribute');
      if (imageId === undefined) reader.add('imageIdForDistribute', issue('DistributorInputRequired', kind));
      const found = imageId === undefined ? undefined : checkResourceId(imageId, 'managedImage');
      if (found) reader.add('imageIdForDistribute', found);
      const location = readRegion(reader, 'managedImageLocation', reader.supplied('managedImageLocation')) ?? target.location;
      targets.push({ kind, imageId: imageId ?? '', location, ...common });
    } else if (kind === 'sharedImageGallery') {
      const gallery = readGalleryTarget(reader, target.location, storageAccountType);
      if (gallery.version !== undefined && reader.explicit('galleryVersioning')) {
        // An explicit version is not numbered by the service, so a scheme would be silently ignored.
        reader.add('galleryVersioning', issue('GalleryVersioningWithVersion', reader.text('galleryVersioning'), gallery.version));
      }
      targets.push({ kind, ...gallery, excludeFromLatest, ...(gallery.version === undefined ? { versioning } : {}), ...common });
    } else {
      const uri = reader.supplied('vhdUri');
      if (uri !== undefined && !isHttpsUrl(uri)) reader.add('vhdUri', issue('InvalidVhdUri', uri));
      targets.push({ kind, ...(uri !== undefined ? { uri } : {}), ...common });
    }
  }
  return targets;
}

const GALLERY_VERSIONING = ['none', 'latest', 'source'] as const;

/** `galleryVersioning` and, with `latest`, `galleryVersioningMajor` (-1 or absent: no fixed major). */
function readGalleryVersioning(reader: InputReader): GalleryVersioning {
  const scheme = reader.choice('galleryVersioning', GALLERY_VERSIONING);
  const major = reader.int('galleryVersioningMajor', { min: -1, max: 2147483647 });
  if (major !== undefined && scheme !== 'latest') {
    reader.add('galleryVersioningMajor', issue('GalleryVersioningMajorNeedsLatest', scheme));
  }
  switch (scheme) {
    case 'none':
      return { scheme: 'ServiceDefault' };
    case 'source':
      return { scheme: 'Source' };
    case 'latest':
      return { scheme: 'Latest', major: major ?? -1 };
  }
}

function readGalleryTarget(
  reader: InputReader,
  buildLocation: string,
  storageAccountType: (typeof REPLICA_STORAGE_TYPES)[number],
): { galleryImageDefinitionId: string; version?: string; targetRegions: TargetRegion[] } {
  const galleryImageId = reader.supplied('galleryImageId');
  if (galleryImageId === undefined) reader.add('galleryImageId', issue('DistributorInputRequired', 'sharedImageGallery'));
  const reference = galleryImageId === undefined ? undefined : parseGalleryImageId(galleryImageId);
  if (galleryImageId !== undefined && reference === undefined) reader.add('galleryImageId', issue('InvalidGalleryImageId', galleryImageId));
  if (reference?.version !== undefined && !isGalleryVersion(reference.version)) {
    reader.add('galleryImageId', issue('InvalidGalleryVersion', reference.version));
  }
  const explicitVersion = reader.supplied('galleryImageVersion');
  if (explicitVersion !== undefined && !isGalleryVersion(explicitVersion)) {
    reader.add('galleryImageVersion', issue('InvalidGalleryVersion', explicitVersion));
  } else if (explicitVersion !== undefined && reference?.version !== undefined && reference.version !== explicitVersion) {
    reader.add('galleryImageVersion', issue('GalleryVersionConflict', explicitVersion, reference.version));
  }
  const version = explicitVersion ?? reference?.version;
  const regionsText = reader.supplied('replicationRegions');
  const regions = regionsText === undefined ? undefined : parseReplicationRegions(regionsText, storageAccountType);
  if (regions) reader.addAll('replicationRegions', regions.issues);
  return {
    galleryImageDefinitionId: reference?.definitionId ?? '',
    ...(version !== undefined ? { version } : {}),
    targetRegions: regions?.regions.length ? regions.regions : [{ name: buildLocation, storageAccountType }],
  };
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function readBuildVm(reader: InputReader): BuildVmConfig {
  const vmSize = reader.supplied('vmSize');
  if (vmSize !== undefined && !isVmSize(vmSize)) reader.add('vmSize', issue('InvalidVmSize', vmSize));
  const osDiskSizeGB = reader.int('osDiskSizeGB', { min: 0 });
  const buildTimeoutInMinutes = reader.int('buildTimeoutInMinutes', { min: 0, max: MAX_BUILD_TIMEOUT_MINUTES }) ?? 0;
  const vnet = readVnet(reader);
  const identities: string[] = [];
  for (const id of splitList(reader.supplied('buildVmIdentities') ?? '')) {
    const found = checkResourceId(id, 'userAssignedIdentity');
    if (found) reader.add('buildVmIdentities', found);
    else if (!identities.some((known) => known.toLowerCase() === id.toLowerCase())) identities.push(id);
  }
  const stagingText = reader.supplied('stagingResourceGroup');
  const stagingResourceGroup = stagingText?.replace(/\/$/, '');
  if (stagingText !== undefined && !isResourceGroupId(stagingText)) {
    reader.add('stagingResourceGroup', issue('InvalidResourceGroupId', stagingText));
  }
  return {
    ...(vmSize !== undefined ? { vmSize } : {}),
    ...(osDiskSizeGB !== undefined ? { osDiskSizeGB } : {}),
    buildTimeoutInMinutes,
    ...(vnet ? { vnet } : {}),
    userAssignedIdentities: identities,
    ...(stagingResourceGroup !== undefined ? { stagingResourceGroup } : {}),
  };
}

function readVnet(reader: InputReader): VnetConfig | undefined {
  const subnetId = reader.supplied('vnetSubnetId');
  const containerInstanceSubnetId = reader.supplied('containerInstanceSubnetId');
  const proxyVmSize = reader.supplied('proxyVmSize');
  for (const [name, id] of [['vnetSubnetId', subnetId], ['containerInstanceSubnetId', containerInstanceSubnetId]] as const) {
    const found = id === undefined ? undefined : checkResourceId(id, 'subnet');
    if (found) reader.add(name, found);
  }
  if (containerInstanceSubnetId !== undefined) {
    if (subnetId === undefined) reader.add('containerInstanceSubnetId', issue('ContainerInstanceSubnetNeedsVnet'));
    else if (virtualNetworkOf(subnetId) !== virtualNetworkOf(containerInstanceSubnetId)) {
      reader.add('containerInstanceSubnetId', issue('ContainerInstanceSubnetOtherVnet', virtualNetworkOf(subnetId)));
    }
  }
  if (proxyVmSize !== undefined) {
    if (!isVmSize(proxyVmSize)) reader.add('proxyVmSize', issue('InvalidVmSize', proxyVmSize));
    if (containerInstanceSubnetId !== undefined) reader.add('proxyVmSize', issue('ProxyVmSizeWithContainerInstance'));
    else if (subnetId === undefined) reader.add('proxyVmSize', issue('ProxyVmSizeNeedsVnet'));
  }
  if (subnetId === undefined) return undefined;
  return {
    subnetId,
    ...(containerInstanceSubnetId !== undefined ? { containerInstanceSubnetId } : {}),
    ...(proxyVmSize !== undefined && containerInstanceSubnetId === undefined ? { proxyVmSize } : {}),
  };
}

function readPollInterval(reader: InputReader): number {
  const text = reader.text('pollIntervalSeconds') ?? '15';
  const parsed = parseInteger(text, { min: 0 });
  if (!parsed.ok) {
    reader.add('pollIntervalSeconds', parsed.issue);
    return 15;
  }
  if (parsed.value < MIN_POLL_INTERVAL_SECONDS) {
    reader.add('pollIntervalSeconds', issue('PollIntervalTooShort', MIN_POLL_INTERVAL_SECONDS, text));
    return MIN_POLL_INTERVAL_SECONDS;
  }
  if (parsed.value > MAX_POLL_INTERVAL_SECONDS) {
    reader.add('pollIntervalSeconds', issue('PollIntervalTooLong', MAX_POLL_INTERVAL_SECONDS, text));
    return MAX_POLL_INTERVAL_SECONDS;
  }
  return parsed.value;
}

/**
 * The template file's tags and templateTags are sent as one set (the inputs
 * added to the file's), so Azure's limit applies to them together.
 */
function checkMergedTagCount(reader: InputReader, userTemplate: UserTemplate | undefined, inputTags: Record<string, string>): void {
  const fileTags = userTemplate?.body['tags'];
  if (typeof fileTags !== 'object' || fileTags === null || Array.isArray(fileTags)) return;
  const inputCount = Object.keys(inputTags).length;
  if (inputCount > MAX_TAGS) return; // already reported on templateTags
  const merged = reader.explicit('templateTags') ? new Set([...Object.keys(fileTags), ...Object.keys(inputTags)]).size : Object.keys(fileTags).length;
  if (merged > MAX_TAGS) reader.add('templateJsonPath', issue('TooManyTags', MAX_TAGS, merged));
}
