/** ARM resource ids: building, parsing and comparing them (ARM ids are case-insensitive). */
import { createHash, randomUUID } from 'node:crypto';

export interface ParsedId {
  subscriptionId: string;
  resourceGroup?: string;
  /** e.g. Microsoft.Compute */
  namespace?: string;
  /** type/name pairs after the namespace, e.g. [['galleries','g'],['images','i']] */
  path: Array<[string, string]>;
}

export const idKey = (id: string): string => id.replace(/\/+$/, '').toLowerCase();

export function parseResourceId(id: string): ParsedId | undefined {
  const parts = id.split('/').filter((s) => s.length > 0);
  if (parts[0]?.toLowerCase() !== 'subscriptions' || parts[1] === undefined) return undefined;
  const parsed: ParsedId = { subscriptionId: parts[1], path: [] };
  let i = 2;
  if (parts[i]?.toLowerCase() === 'resourcegroups' && parts[i + 1] !== undefined) {
    parsed.resourceGroup = parts[i + 1];
    i += 2;
  }
  if (parts[i]?.toLowerCase() === 'providers' && parts[i + 1] !== undefined) {
    parsed.namespace = parts[i + 1];
    i += 2;
    while (parts[i] !== undefined && parts[i + 1] !== undefined) {
      parsed.path.push([parts[i] as string, parts[i + 1] as string]);
      i += 2;
    }
    if (parts[i] !== undefined) return undefined;
  } else if (parts[i] !== undefined) {
    return undefined;
  }
  return parsed;
}

export const resourceGroupId = (subscriptionId: string, name: string): string => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;

export function templateId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`;
}

/** The last name of an id. */
export const lastName = (id: string): string => id.replace(/\/+$/, '').split('/').pop() ?? id;

/** A GUID derived from a string, so seeded things get stable ids without the test naming them. */
export function stableGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const newGuid = (): string => randomUUID();

/** Does `id` lie at or below `scope`? */
export function isWithinScope(id: string, scope: string): boolean {
  const a = idKey(id);
  const s = idKey(scope);
  return a === s || a.startsWith(s + '/');
}

/** Image Builder spells the resource group segment of the ids it returns in lower case (recorded). */
export function serviceId(id: string): string {
  return id.replace(/\/resourceGroups\//i, '/resourcegroups/');
}
