/** Region inputs: names or display names to the service's region names, and replica settings. */
import { issue, type Issue } from './problems';
import { splitList } from './scalars';
import type { ReplicaStorageAccountType, TargetRegion } from './types';

export const REPLICA_STORAGE_TYPES: readonly ReplicaStorageAccountType[] = ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS'];

/**
 * A region as a name (`eastus`, `westeurope`, `usgovvirginia`) or as the
 * display name the location picker shows (`East US`, `West Europe`,
 * `USGov Virginia`): the picker lists the Image Builder provider's locations,
 * which Azure gives by display name.
 */
export function isRegionName(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]*( [A-Za-z0-9]+)*$/.test(text.trim()) && normalizeRegion(text).length >= 2 && normalizeRegion(text).length <= 50;
}

/**
 * The programmatic name the gallery and image APIs want. Azure's region names
 * are their display names in lower case without spaces (`West US 2` is
 * `westus2`), so one rule covers both forms.
 */
export function normalizeRegion(text: string): string {
  return text.trim().replace(/ /g, '').toLowerCase();
}

export interface RegionListResult {
  regions: TargetRegion[];
  issues: Issue[];
}

/**
 * Parses `region[=replicaCount][:storageAccountType]` items separated by commas
 * or newlines. Regions without a storage type get `defaultStorageType`, so the
 * template never depends on the deprecated top-level gallery storage type.
 */
export function parseReplicationRegions(text: string, defaultStorageType: ReplicaStorageAccountType): RegionListResult {
  const regions: TargetRegion[] = [];
  const issues: Issue[] = [];
  for (const item of splitList(text)) {
    const match = /^([^=:\s]+)\s*(?:=\s*([^:\s]*))?\s*(?::\s*(\S*))?$/.exec(item);
    const name = match?.[1];
    if (!match || name === undefined || !isRegionName(name)) {
      issues.push(issue('InvalidReplicationRegion', item));
      continue;
    }
    const region: TargetRegion = { name: normalizeRegion(name), storageAccountType: defaultStorageType };
    const count = match[2];
    if (count !== undefined) {
      const replicas = /^\d+$/.test(count) ? Number(count) : NaN;
      if (!(replicas >= 1 && replicas <= 100)) {
        issues.push(issue('InvalidReplicaCount', item));
        continue;
      }
      region.replicaCount = replicas;
    }
    const storage = match[3];
    if (storage !== undefined) {
      const type = REPLICA_STORAGE_TYPES.find((t) => t.toLowerCase() === storage.toLowerCase());
      if (type === undefined) {
        issues.push(issue('InvalidReplicaStorageType', item, REPLICA_STORAGE_TYPES.join(', ')));
        continue;
      }
      region.storageAccountType = type;
    }
    if (regions.some((r) => r.name === region.name)) {
      issues.push(issue('DuplicateReplicationRegion', region.name));
      continue;
    }
    regions.push(region);
  }
  return { regions, issues };
}
