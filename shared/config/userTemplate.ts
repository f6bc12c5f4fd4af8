/** Reads the user's template file (request body or deployment template) into a body the inputs then complete. */
import { CUSTOMIZER_TYPES, VALIDATOR_TYPES, describeJsonType } from './customizers';
import { isDeploymentTemplate, liftImageTemplate, type DeploymentScope } from './armTemplate';
import { parseJsonInput } from './jsonInput';
import { issue, type Issue } from './problems';
import { parseGalleryImageId } from './resourceId';
import { REPLICA_STORAGE_TYPES } from './regions';
import type { DistributeTarget, ReplicaStorageAccountType, SourceConfig, TargetRegion } from './types';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The user's template file, in either form people keep it:
 * - the imageTemplates request body ({ location?, tags?, identity?, properties: {...} }),
 *   also as a resource fragment with type/apiVersion/dependsOn beside it;
 * - an ARM deployment template holding exactly one imageTemplates resource,
 *   which is lifted into that body (see armTemplate.ts).
 * The body must stay within the JSON input limits, its customizers and in-VM
 * validators must have types the API defines, and no kept value may still be
 * a sample's `<placeholder>`.
 */
export function parseTemplateBody(text: string, path: string, scope: DeploymentScope): { body?: Json; issue?: Issue; issues?: Issue[] } {
  const parsed = parseJsonInput(text);
  if (!parsed.ok) return { issue: parsed.syntax !== undefined ? issue('TemplateFileInvalidJson', path, parsed.syntax) : parsed.issue };
  const value = parsed.value;
  if (!isObject(value)) return { issue: issue('TemplateFileNotObject', path, describeJsonType(value)) };
  let body: Json = value;
  if (isDeploymentTemplate(value)) {
    const lifted = liftImageTemplate(value, path, scope);
    if (lifted.notImageTemplate !== undefined) return { issue: issue('TemplateFileNotObject', path, lifted.notImageTemplate) };
    if (!lifted.body) return { issues: lifted.issues };
    body = lifted.body;
  } else if (!isObject(value['properties'])) {
    return { issue: issue('TemplateFileNotObject', path, 'an object without a properties object') };
  }
  const properties = body['properties'] as Json;
  const validate = isObject(properties['validate']) ? properties['validate'] : {};
  const issues = [
    ...stepTypeIssues(properties['customize'], 'properties.customize', CUSTOMIZER_TYPES),
    ...stepTypeIssues(validate['inVMValidations'], 'properties.validate.inVMValidations', VALIDATOR_TYPES),
  ];
  // A file with placeholders is not read further: its ids would only add errors about the same <...> values.
  const placeholders = placeholderIssues(body, path);
  if (placeholders.length > 0) return { issues: [...issues, ...placeholders] };
  return { body, ...(issues.length > 0 ? { issues } : {}) };
}

/**
 * A sample's placeholder such as `<imgBuilderId>`, `<rgName>` or `<region1>`,
 * alone or inside a resource id. Published samples leave these for the user
 * to replace (their readmes do it with sed); submitted as is, the service
 * would refuse the template or, worse, build into a resource named `<...>`.
 */
const PLACEHOLDER = /<[A-Za-z][A-Za-z0-9_.-]*>/;
const PLACEHOLDERS = new RegExp(PLACEHOLDER.source, 'g');

/** Fields whose text is script or command line, where `<name>` is ordinary syntax (redirections, HTML, generics). */
const SCRIPT_FIELDS = new Set(['inline', 'restartCommand', 'restartCheckCommand', 'searchCriteria', 'filters']);

/**
 * Placeholders left in the values the task keeps. `location` and `identity`
 * are not searched: the task always replaces them with its inputs.
 */
function placeholderIssues(body: Json, path: string): Issue[] {
  const found: string[] = [];
  const visit = (value: unknown, where: string): void => {
    if (typeof value === 'string') {
      const all = value.match(PLACEHOLDERS);
      if (all) found.push(`${[...new Set(all)].join(', ')} at ${where}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${where}[${index}]`));
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const at = where === '' ? key : `${where}.${key}`;
        const placeholder = PLACEHOLDER.exec(key);
        if (placeholder) found.push(`${placeholder[0]} at ${at}`);
        if (!SCRIPT_FIELDS.has(key)) visit(item, at);
      }
    }
  };
  visit({ properties: body['properties'], tags: body['tags'] }, '');
  // One error for the file: a sample usually has several, all fixed in one edit.
  return found.length > 0 ? [issue('TemplateFilePlaceholder', path, found.join('; '))] : [];
}

/** Entries of a customize or validation list whose type the API does not define (the service would refuse the template). */
function stepTypeIssues(list: unknown, where: string, allowed: readonly string[]): Issue[] {
  if (!Array.isArray(list)) return [];
  const issues: Issue[] = [];
  list.forEach((step: unknown, index) => {
    const type = isObject(step) ? step['type'] : undefined;
    if (typeof type !== 'string' || !allowed.includes(type)) {
      issues.push(issue('TemplateFileStepTypeUnknown', index + 1, where, typeof type === 'string' ? type : '', allowed.join(', ')));
    }
  });
  return issues;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The source the file names, so that a template file can supply it instead of
 * the source inputs. Undefined when the file has none the task understands.
 */
export function sourceFromTemplate(body: Json, pinLatestVersion: boolean): SourceConfig | undefined {
  const source = (body['properties'] as Json)['source'];
  if (!isObject(source)) return undefined;
  switch (source['type']) {
    case 'PlatformImage': {
      const publisher = str(source['publisher']);
      const offer = str(source['offer']);
      const sku = str(source['sku']);
      if (!publisher || !offer || !sku) return undefined;
      const plan = isObject(source['planInfo']) ? source['planInfo'] : undefined;
      const planName = str(plan?.['planName']);
      const planProduct = str(plan?.['planProduct']);
      const planPublisher = str(plan?.['planPublisher']);
      return {
        kind: 'platformImage',
        publisher,
        offer,
        sku,
        version: str(source['version']) ?? 'latest',
        pinLatestVersion,
        ...(planName && planProduct && planPublisher ? { plan: { planName, planProduct, planPublisher } } : {}),
      };
    }
    case 'ManagedImage': {
      const imageId = str(source['imageId']);
      return imageId ? { kind: 'managedImage', imageId } : undefined;
    }
    case 'SharedImageVersion': {
      const imageVersionId = str(source['imageVersionId']);
      return imageVersionId ? { kind: 'galleryImageVersion', imageVersionId } : undefined;
    }
    default:
      return undefined;
  }
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function storageType(value: unknown): ReplicaStorageAccountType | undefined {
  return REPLICA_STORAGE_TYPES.find((type) => type === value);
}

function targetRegions(distributor: Json, fallbackRegion: string): TargetRegion[] {
  const fallbackType = storageType(distributor['storageAccountType']);
  const withType = (region: TargetRegion): TargetRegion => (region.storageAccountType ? region : { ...region, ...(fallbackType ? { storageAccountType: fallbackType } : {}) });
  if (Array.isArray(distributor['targetRegions'])) {
    return distributor['targetRegions'].filter(isObject).flatMap((region) => {
      const name = str(region['name']);
      if (!name) return [];
      const replicaCount = typeof region['replicaCount'] === 'number' ? region['replicaCount'] : undefined;
      const type = storageType(region['storageAccountType']);
      return [withType({ name, ...(replicaCount !== undefined ? { replicaCount } : {}), ...(type ? { storageAccountType: type } : {}) })];
    });
  }
  if (Array.isArray(distributor['replicationRegions'])) {
    return distributor['replicationRegions'].flatMap((name) => (str(name) ? [withType({ name: name as string })] : []));
  }
  return [withType({ name: fallbackRegion })];
}

/**
 * The distributors the file declares, in the task's typed form, so outputs and
 * preflight know the targets when the file rather than the inputs sets them.
 * An entry the task cannot read is an issue naming its position.
 */
export function distributeFromTemplate(body: Json, buildLocation: string): { targets: DistributeTarget[]; issues: Issue[] } {
  const list = (body['properties'] as Json)['distribute'];
  const targets: DistributeTarget[] = [];
  const issues: Issue[] = [];
  if (!Array.isArray(list)) return { targets, issues };
  list.forEach((distributor: unknown, index) => {
    const position = index + 1;
    if (!isObject(distributor) || !str(distributor['runOutputName'])) {
      issues.push(issue('TemplateFileDistributorInvalid', position));
      return;
    }
    const runOutputName = distributor['runOutputName'] as string;
    const artifactTags = stringMap(distributor['artifactTags']);
    switch (distributor['type']) {
      case 'ManagedImage': {
        const imageId = str(distributor['imageId']);
        const location = str(distributor['location']);
        if (imageId && location) targets.push({ kind: 'managedImage', imageId, location, runOutputName, artifactTags });
        else issues.push(issue('TemplateFileDistributorInvalid', position));
        return;
      }
      case 'SharedImage': {
        const gallery = parseGalleryImageId(str(distributor['galleryImageId']) ?? '');
        if (!gallery) {
          issues.push(issue('TemplateFileDistributorInvalid', position));
          return;
        }
        targets.push({
          kind: 'sharedImageGallery',
          galleryImageDefinitionId: gallery.definitionId,
          ...(gallery.version ? { version: gallery.version } : {}),
          targetRegions: targetRegions(distributor, buildLocation),
          excludeFromLatest: distributor['excludeFromLatest'] === true,
          runOutputName,
          artifactTags,
        });
        return;
      }
      case 'VHD': {
        const uri = str(distributor['uri']);
        targets.push({ kind: 'vhd', ...(uri ? { uri } : {}), runOutputName, artifactTags });
        return;
      }
      default:
        issues.push(issue('TemplateFileDistributorInvalid', position));
    }
  });
  return { targets, issues };
}
