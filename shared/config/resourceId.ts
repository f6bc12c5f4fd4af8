/** Checks Azure resource ids the inputs take, down to provider and type. */
import { issue, type Issue } from './problems';

/**
 * Azure resource ids the task accepts, checked down to the provider and type
 * segments: a subnet id pasted where an identity id belongs must fail here,
 * not an hour into the build.
 */

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** Provider namespace as written, e.g. `Microsoft.Compute`. */
  provider: string;
  /** Type and name pairs in order: galleries/g, images/i, versions/1.0.0. */
  segments: { type: string; name: string }[];
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RESOURCE_GROUP_NAME = /^[-\w.()\p{L}\p{N}]{1,90}$/u;
const RESOURCE_NAME = /^[^\s/?#]+$/;

export function isResourceGroupName(name: string): boolean {
  return RESOURCE_GROUP_NAME.test(name) && !name.endsWith('.');
}

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Splits `/subscriptions/{guid}/resourceGroups/{rg}[/providers/{ns}/{type}/{name}...]`; undefined when malformed. */
function splitId(id: string): { subscriptionId: string; resourceGroup: string; rest: string[] } | undefined {
  const parts = id.split('/');
  if (parts[0] !== '' || !same(parts[1], 'subscriptions') || !same(parts[3], 'resourceGroups')) return undefined;
  const subscriptionId = parts[2] ?? '';
  const resourceGroup = parts[4] ?? '';
  if (!GUID.test(subscriptionId) || !isResourceGroupName(resourceGroup)) return undefined;
  return { subscriptionId, resourceGroup, rest: parts.slice(5) };
}

export function parseResourceId(id: string): ParsedResourceId | undefined {
  const split = splitId(id);
  if (!split) return undefined;
  const { rest } = split;
  // providers/{ns} then at least one type/name pair.
  if (rest.length < 4 || rest.length % 2 !== 0 || !same(rest[0], 'providers')) return undefined;
  const provider = rest[1] ?? '';
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/.test(provider)) return undefined;
  const segments: { type: string; name: string }[] = [];
  for (let i = 2; i < rest.length; i += 2) {
    const type = rest[i] ?? '';
    const name = rest[i + 1] ?? '';
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(type) || !RESOURCE_NAME.test(name)) return undefined;
    segments.push({ type, name });
  }
  return { subscriptionId: split.subscriptionId, resourceGroup: split.resourceGroup, provider, segments };
}

/** The resource kinds inputs refer to, with the message that describes the expected id. */
const RESOURCE_KINDS = {
  userAssignedIdentity: {
    provider: 'Microsoft.ManagedIdentity',
    types: ['userAssignedIdentities'],
    messageKey: 'InvalidIdentityId',
  },
  managedImage: { provider: 'Microsoft.Compute', types: ['images'], messageKey: 'InvalidManagedImageId' },
  galleryImageVersion: {
    provider: 'Microsoft.Compute',
    types: ['galleries', 'images', 'versions'],
    messageKey: 'InvalidGalleryImageVersionId',
  },
  subnet: { provider: 'Microsoft.Network', types: ['virtualNetworks', 'subnets'], messageKey: 'InvalidSubnetId' },
} as const;

export type ResourceKind = keyof typeof RESOURCE_KINDS;

/** True when `id` is a well-formed id of the given kind (provider and every type segment match). */
export function isResourceOfKind(id: string, kind: ResourceKind): boolean {
  const parsed = parseResourceId(id);
  const expected = RESOURCE_KINDS[kind];
  return (
    parsed !== undefined &&
    same(parsed.provider, expected.provider) &&
    parsed.segments.length === expected.types.length &&
    parsed.segments.every((segment, i) => same(segment.type, expected.types[i] ?? ''))
  );
}

/** Undefined when valid, otherwise the issue describing the expected id. */
export function checkResourceId(id: string, kind: ResourceKind): Issue | undefined {
  return isResourceOfKind(id, kind) ? undefined : issue(RESOURCE_KINDS[kind].messageKey, id);
}

export function isResourceGroupId(id: string): boolean {
  const split = splitId(id.replace(/\/$/, ''));
  return split !== undefined && split.rest.length === 0;
}

/** `major.minor.patch` of whole numbers within int32, as Azure Compute Gallery requires. */
export function isGalleryVersion(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return match !== null && match.slice(1).every((part) => Number(part) <= 2147483647);
}

/** The gallery image definition a version id belongs to: the id without `/versions/{version}`. */
export type GalleryImageReference = { definitionId: string; version?: string };

/**
 * Splits a gallery image id that names either a definition or a version.
 * Undefined when it is neither.
 */
export function parseGalleryImageId(id: string): GalleryImageReference | undefined {
  const parsed = parseResourceId(id);
  if (!parsed || !same(parsed.provider, 'Microsoft.Compute')) return undefined;
  const types = parsed.segments.map((s) => s.type.toLowerCase());
  if (types.length === 2 && types[0] === 'galleries' && types[1] === 'images') return { definitionId: id };
  if (types.length === 3 && types[0] === 'galleries' && types[1] === 'images' && types[2] === 'versions') {
    const version = parsed.segments[2]?.name ?? '';
    return { definitionId: id.slice(0, id.length - version.length - '/versions/'.length), version };
  }
  return undefined;
}

/** The virtual network part of a subnet id, lower-cased for comparison. */
export function virtualNetworkOf(subnetId: string): string {
  return subnetId.replace(/\/subnets\/[^/]+$/i, '').toLowerCase();
}
