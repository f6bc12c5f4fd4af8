/**
 * End-to-end harness: the bundled AzureImageBuilder task, run the way the
 * agent runs it (testkit/agent), against every local stand-in for Azure
 * (testkit/emulators/localAzure.ts). Used by the e2e tests and by `npm start`.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTaskLikeAgent, type AgentEndpoint, type AgentRunOptions, type AgentRunResult } from './agent/runTaskLikeAgent';
import { findNode20 } from './agent/nodeBinaries';
import type { LocalAzure } from './emulators/localAzure';
import type { World } from './emulators/arm/index';
import { repoRoot } from './repoRoot';

export const TASK_DIR = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1');

export type SignInScheme = 'secret' | 'certificate' | 'federated' | 'managedIdentity';

/** Names of what seedImageWorld puts into the ARM stand-in. */
export interface ImageWorld {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  identityId: string;
  storageAccountName: string;
  linuxGalleryImageId: string;
  windowsGalleryImageId: string;
  managedImageId: string;
  sourceGalleryVersionId: string;
  linuxPlatformImage: string;
  windowsPlatformImage: string;
  newestLinuxVersion: string;
}

/** Sources and targets for every kind of build, in the scenario's subscription. */
export function seedImageWorld(azure: LocalAzure): ImageWorld {
  const { subscriptionId, resourceGroup, location } = azure.scenario;
  const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const gallery = `${rgId}/providers/Microsoft.Compute/galleries/imageGallery`;
  const world: ImageWorld = {
    subscriptionId,
    resourceGroup,
    location,
    identityId: azure.scenario.userAssignedIdentity.resourceId,
    storageAccountName: azure.azurite.userAccount.name,
    linuxGalleryImageId: `${gallery}/images/app-linux`,
    windowsGalleryImageId: `${gallery}/images/app-windows`,
    managedImageId: `${rgId}/providers/Microsoft.Compute/images/golden-linux`,
    sourceGalleryVersionId: `${gallery}/images/base-linux/versions/1.0.0`,
    linuxPlatformImage: 'Canonical:ubuntu-24_04-lts:server',
    windowsPlatformImage: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition',
    newestLinuxVersion: '24.04.202410100',
  };
  const seed: Partial<World> = {
    platformImages: [
      ...['24.04.202401010', '24.04.202409090', world.newestLinuxVersion].map((version) => ({
        location,
        publisher: 'Canonical',
        offer: 'ubuntu-24_04-lts',
        sku: 'server',
        version,
        osType: 'Linux' as const,
        hyperVGeneration: 'V2' as const,
      })),
      { location, publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-azure-edition', version: '20348.2762.241006', osType: 'Windows', hyperVGeneration: 'V2' },
    ],
    managedImages: [{ id: world.managedImageId, location, osType: 'Linux', hyperVGeneration: 'V2' }],
    galleries: [{ id: gallery, location }],
    galleryImages: [
      { id: world.linuxGalleryImageId, location, osType: 'Linux', hyperVGeneration: 'V2' },
      { id: world.windowsGalleryImageId, location, osType: 'Windows', hyperVGeneration: 'V2' },
      { id: `${gallery}/images/base-linux`, location, osType: 'Linux', hyperVGeneration: 'V2' },
    ],
    galleryImageVersions: [{ id: world.sourceGalleryVersionId, location, targetRegions: [{ name: location }] }],
  };
  azure.arm.seed(seed);
  return world;
}

/** An AzureRM service connection of the given scheme, as the agent hands it to a task. */
export function serviceConnection(
  azure: LocalAzure,
  scheme: SignInScheme,
  overrides: { clientSecret?: string; certificatePem?: string } = {},
): { id: string; endpoint: AgentEndpoint; variables: Record<string, string>; systemConnection?: AgentRunOptions['systemConnection'] } {
  const s = azure.scenario;
  const data = {
    subscriptionId: s.subscriptionId,
    subscriptionName: 'Image Builder (local)',
    environment: 'AzureCloud',
    environmentAuthorityUrl: `${azure.entra.authorityHost}/`,
    // Real connections carry ARM's token audience; the stand-in's URL is not it.
    activeDirectoryServiceEndpointResourceId: 'https://management.azure.com/',
    scopeLevel: 'Subscription',
  };
  const url = `${azure.arm.url}/`;
  switch (scheme) {
    case 'secret':
      return {
        id: randomUUID(),
        endpoint: {
          url,
          scheme: 'ServicePrincipal',
          parameters: {
            serviceprincipalid: s.secretApp.clientId,
            serviceprincipalkey: overrides.clientSecret ?? s.secretApp.clientSecret,
            tenantid: s.tenantId,
            authenticationType: 'spnKey',
          },
          data,
        },
        variables: {},
      };
    case 'certificate':
      return {
        id: randomUUID(),
        endpoint: {
          url,
          scheme: 'ServicePrincipal',
          parameters: {
            serviceprincipalid: s.certificateApp.clientId,
            servicePrincipalCertificate: overrides.certificatePem ?? s.certificateApp.pem,
            tenantid: s.tenantId,
            authenticationType: 'spnCertificate',
          },
          data,
        },
        variables: {},
      };
    case 'federated':
      return {
        id: s.federatedApp.serviceConnectionId,
        endpoint: {
          url,
          scheme: 'WorkloadIdentityFederation',
          parameters: { serviceprincipalid: s.federatedApp.clientId, tenantid: s.tenantId },
          data,
        },
        variables: { 'System.OidcRequestUri': azure.devops.oidcRequestUri },
        systemConnection: { url: azure.devops.collectionUri, accessToken: azure.devops.jobAccessToken },
      };
    case 'managedIdentity':
      return {
        id: randomUUID(),
        endpoint: { url, scheme: 'ManagedServiceIdentity', parameters: { tenantid: s.tenantId }, data },
        variables: {},
      };
  }
}

/** A small but real app folder to stage; `padBytes` adds incompressible data to push the archive over a size. */
export function makeAppFolder(padBytes = 0): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-app-'));
  const app = path.join(dir, 'webapp');
  fs.mkdirSync(path.join(app, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(app, 'README.md'), '# webapp\nServed by the baked image.\n');
  fs.writeFileSync(path.join(app, 'bin', 'install.sh'), '#!/bin/sh\nset -eu\necho installing webapp\n', { mode: 0o755 });
  fs.writeFileSync(path.join(app, 'index.html'), '<h1>hello from the image</h1>\n');
  if (padBytes > 0) {
    // Random bytes do not compress, so the archive really is this large.
    const fd = fs.openSync(path.join(app, 'payload.bin'), 'w');
    const chunk = 1024 * 1024;
    for (let written = 0; written < padBytes; written += chunk) {
      fs.writeSync(fd, require('node:crypto').randomBytes(Math.min(chunk, padBytes - written)));
    }
    fs.closeSync(fd);
  }
  return app;
}

export interface TaskRunRequest {
  azure: LocalAzure;
  scheme?: SignInScheme;
  inputs: Record<string, string>;
  nodePath?: string;
  cancel?: AgentRunOptions['cancel'];
  onLine?: (line: string) => void;
  connection?: ReturnType<typeof serviceConnection>;
  stepName?: string;
  timeoutMs?: number;
  /** System.DefaultWorkingDirectory; relative filePath inputs are rooted here. */
  workDir?: string;
  /** Pipeline variables over the agent stand-in's defaults (e.g. System.JobId of another job). */
  variables?: Record<string, string>;
  /** System.TaskInstanceId of the step. */
  taskInstanceId?: string;
  /** The agent's proxy and certificate settings. */
  proxy?: AgentRunOptions['proxy'];
  certificates?: AgentRunOptions['certificates'];
  /** Changes the agent machine's environment (a value of undefined removes the variable). */
  env?: Record<string, string | undefined>;
}

function machineEnv(azure: LocalAzure, changes: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...azure.childEnv(), ...changes };
}

/** Runs the bundled task once, through the agent stand-in. */
export async function runImageBuilderTask(request: TaskRunRequest): Promise<AgentRunResult & { connectionId: string }> {
  const connection = request.connection ?? serviceConnection(request.azure, request.scheme ?? 'secret');
  const result = await runTaskLikeAgent({
    taskDir: TASK_DIR,
    inputs: { azureSubscription: connection.id, ...request.inputs },
    endpoints: { [connection.id]: connection.endpoint },
    variables: { ...connection.variables, ...(request.variables ?? {}) },
    ...(request.taskInstanceId ? { taskInstanceId: request.taskInstanceId } : {}),
    ...(connection.systemConnection ? { systemConnection: connection.systemConnection } : {}),
    env: machineEnv(request.azure, request.env),
    ...(request.proxy ? { proxy: request.proxy } : {}),
    ...(request.certificates ? { certificates: request.certificates } : {}),
    stepName: request.stepName ?? 'bake',
    ...(request.nodePath ? { nodePath: request.nodePath } : {}),
    ...(request.cancel ? { cancel: request.cancel } : {}),
    ...(request.onLine ? { onLine: request.onLine } : {}),
    timeoutMs: request.timeoutMs ?? 120_000,
    ...(request.workDir ? { workDir: request.workDir } : {}),
  });
  return { ...result, connectionId: connection.id };
}

/** The inputs of a typical Linux build into the gallery, with artifacts. */
export function linuxGalleryInputs(world: ImageWorld, packagePath: string): Record<string, string> {
  return {
    resourceGroup: world.resourceGroup,
    location: world.location,
    managedIdentity: world.identityId,
    baseImage: world.linuxPlatformImage,
    packagePath,
    storageAccountName: world.storageAccountName,
    inlineScript: 'sh bin/install.sh',
    galleryImageId: world.linuxGalleryImageId,
    pollIntervalSeconds: '2',
  };
}

let node20: string | undefined;
/** The Node 20 binary, whatever runs the tests (npm test may put Node 24 first on PATH). */
export function node20Path(): string {
  return (node20 ??= findNode20());
}

let counter = 0;
/** A template name unique within the run, so scenarios sharing one stand-in never see each other's resources. */
export function uniqueTemplateName(prefix: string): string {
  counter += 1;
  return `e2e-${prefix}-${process.pid}-${counter}`;
}

/** Short phases for the ARM stand-in: a build a task run watches in a few seconds. */
export const FAST_BUILD = {
  provisioningMs: 100,
  queuedMs: 100,
  buildingMs: 200,
  customizerMs: 300,
  optimizingMs: 100,
  validatingMs: 100,
  distributingMs: 200,
  cancelMs: 200,
  deleteMs: 200,
};
