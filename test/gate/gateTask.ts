/** The gate task's definition and what a test needs to render its request. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';
import type { ServerTaskDefinition } from './httpRequestTask';

export const gateTaskJsonPath = path.join(repoRoot, 'tasks', 'AzureImageVersionCheck', 'AzureImageVersionCheckV1', 'task.json');

export function loadGateTask(): ServerTaskDefinition {
  return JSON.parse(fs.readFileSync(gateTaskJsonPath, 'utf8')) as ServerTaskDefinition;
}

export const subscriptionId = '11111111-2222-3333-4444-555555555555';

export function versionId(version: string, image = 'ubuntu-web', gallery = 'imagesGallery', resourceGroup = 'images-rg', subscription = subscriptionId): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/galleries/${gallery}/images/${image}/versions/${version}`;
}

/** A gallery image version as ARM returns it with $expand=ReplicationStatus. */
export function versionBody(provisioningState: string, regionStates: Array<[string, string]> | undefined): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    publishingProfile: { targetRegions: (regionStates ?? []).map(([name]) => ({ name, regionalReplicaCount: 1 })) },
    provisioningState,
  };
  if (regionStates) {
    properties.replicationStatus = {
      aggregatedState: regionStates.every(([, s]) => s === 'Completed') ? 'Completed' : 'InProgress',
      summary: regionStates.map(([region, state]) => ({ region, state, details: '', progress: state === 'Completed' ? 100 : 40 })),
    };
  }
  return { name: '1.0.0', type: 'Microsoft.Compute/galleries/images/versions', location: 'westeurope', properties };
}
