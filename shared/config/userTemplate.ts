import { CUSTOMIZER_TYPES, VALIDATOR_TYPES, describeJsonType } from './customizers';
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
 * The user's template file: a JSON object in the imageTemplates request shape
 * ({ location?, tags?, identity?, properties: {...} }), within the JSON input
 * limits, whose customizers and in-VM validators have types the API defines.
 */
export function parseTemplateBody(text: string, path: string): { body?: Json; issue?: Issue; issues?: Issue[] } {
  const parsed = parseJsonInput(text);
  if (!parsed.ok) return { issue: parsed.syntax !== undefined ? issue('TemplateFileInvalidJson', path, parsed.syntax) : parsed.issue };
  const value = parsed.value;
  if (!isObject(value) || !isObject(value['properties'])) {
    return { issue: issue('TemplateFileNotObject', path, isObject(value) ? 'no properties object' : describeJsonType(value)) };
  }
  const properties = value['properties'];
  const validate = isObject(properties['validate']) ? properties['validate'] : {};
  const issues = [
    ...stepTypeIssues(properties['customize'], 'properties.customize', CUSTOMIZER_TYPES),
    ...stepTypeIssues(validate['inVMValidations'], 'properties.validate.inVMValidations', VALIDATOR_TYPES),
  ];
  return { body: value, ...(issues.length > 0 ? { issues } : {}) };
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
