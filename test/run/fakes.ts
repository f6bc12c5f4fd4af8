import type { ServiceConnection } from '../../shared/ports/serviceConnection';
import type { BuildServices, DeleteRequest, ListedTemplate, TemplateOperations, TemplateState } from '../../shared/ports/buildServices';
import type { PublishedGalleryVersion, PublishedManagedImage } from '../../shared/ports/publishedImages';

export const connection: ServiceConnection = {
  id: 'conn',
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  resourceManagerUrl: 'https://management.azure.com/',
  authorityHost: 'https://login.microsoftonline.com/',
  environment: 'AzureCloud',
  auth: { scheme: 'ManagedServiceIdentity' },
};

export interface FakeScript {
  /** States the own template's GET returns, one per call; the last one repeats. */
  existing?: Array<TemplateState | undefined>;
  createFails?: Error;
  /** Answers to the own template's DELETE, one per call; the last one repeats. */
  deleteAnswers?: DeleteRequest[];
  /** What a list of the resource group returns. */
  listed?: ListedTemplate[];
  listFails?: Error;
  /** Answers to DELETE of other templates by name. */
  sweepAnswers?: Record<string, DeleteRequest>;
  /** Content digest of the artifacts; a fixed one by default. */
  artifactsDigest?: string;
  /** Versions of every gallery image definition asked about. */
  galleryVersions?: PublishedGalleryVersion[];
  /** The managed image of any id asked about. */
  managedImage?: PublishedManagedImage;
}

/** Records every call the orchestration makes; each test scripts only what it needs. */
export function fakeServices(script: FakeScript = {}) {
  const calls: string[] = [];
  let gets = 0;
  let deletes = 0;
  const pick = <T>(list: T[] | undefined, i: number, fallback: T): T => (list && list.length > 0 ? list[Math.min(i, list.length - 1)]! : fallback);
  const templates: TemplateOperations = {
    get: async () => (calls.push('get'), pick(script.existing, gets++, undefined)),
    create: async () => {
      calls.push('create');
      if (script.createFails) throw script.createFails;
      return { id: '/t', provisioningState: 'Succeeded' };
    },
    requestDelete: async () => (calls.push('delete'), pick(script.deleteAnswers, deletes++, { kind: 'accepted' })),
    startRun: async () => void calls.push('startRun'),
    cancelRun: async () => void calls.push('cancelRun'),
    runOutputs: async () => (calls.push('runOutputs'), []),
  };
  const services: BuildServices = {
    templates,
    resourceGroupTemplates: {
      list: async () => {
        calls.push('list');
        if (script.listFails) throw script.listFails;
        return script.listed ?? [];
      },
      requestDelete: async (name) => (calls.push(`delete ${name}`), script.sweepAnswers?.[name] ?? { kind: 'accepted' }),
    },
    resolveLatestPlatformVersion: async () => (calls.push('resolveLatest'), '1.2.3'),
    digestArtifacts: async () => (calls.push('digest'), { sha256: script.artifactsDigest ?? 'c'.repeat(64), files: 1, bytes: 10 }),
    publishedImages: {
      galleryVersions: async () => (calls.push('galleryVersions'), script.galleryVersions ?? []),
      managedImage: async () => (calls.push('managedImage'), script.managedImage),
    },
    resolveLatestGalleryVersion: async (id: string) => (calls.push('resolveLatestGallery'), id.replace(/\/versions\/latest$/i, '/versions/2.0.1')),
    stageArtifacts: async () => {
      calls.push('stage');
      return {
        artifact: { url: 'https://acct.blob.core.windows.net/c/t/app.tar.gz?sig=abc', sizeBytes: 10, sha256: 'a'.repeat(64), format: 'tar.gz' },
        remove: async () => void calls.push('removeUpload'),
      };
    },
    preflightReader: () => {
      throw new Error('preflight is off in these tests');
    },
    // The staging group holds no storage account: the log tailer keeps saying "not yet".
    buildLogAccess: () => ({
      listStorageAccounts: async () => (calls.push('listStagingAccounts'), []),
      openContainer: () => {
        throw new Error('no staging account to open');
      },
      setSecret: () => undefined,
    }),
  };
  return { services, calls };
}
