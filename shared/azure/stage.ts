/**
 * Stages the build artifacts: finds the storage account by name in the
 * subscription, uploads the packed archive into it, and makes the URL the
 * build VM will fetch (with a read-only SAS, or bare for identity access).
 */
import type { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/core-auth';
import { StorageSharedKeyCredential, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { ArtifactsConfig, ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import { archiveFormatFor, artifactBlobName } from '../staging/naming';
import { blobReadSas, sasWindow, tryUserDelegationSigner, type SasSigner } from './sas';
import { StagingError } from '../staging/stagingError';
import type { StagedArtifact } from '../template/stagedArtifact';
import { uploadArchive } from './upload';
import { statusOf } from '../core/httpAnswer';

export interface StageDeps {
  storage: Pick<StorageManagementClient, 'storageAccounts'>;
  /** The connection's credential (tokens for https://storage.azure.com). */
  credential: TokenCredential;
  blobServiceFor(blobEndpoint: string, auth: TokenCredential | StorageSharedKeyCredential): BlobServiceClient;
  /** Registers a value the log must mask (account key, SAS signature). */
  onSecret(value: string): void;
  now?(): Date;
}

export type StageLog = Pick<TaskHost, 'loc' | 'info' | 'warning'>;

export interface StageOptions {
  /** Bytes uploaded so far, for the host's progress. */
  onProgress?(bytes: number): void;
  abortSignal?: AbortSignal;
}

export interface StagedArtifacts {
  artifact: StagedArtifact;
  /** Deletes the uploaded blob; a blob already gone is not an error. */
  cleanup(): Promise<void>;
}

interface FoundAccount {
  name: string;
  resourceGroup: string;
  blobEndpoint: string;
  /** False when the account refuses its keys: then the connection's token is the only way in. */
  sharedKeyAllowed: boolean;
}

const isDenied = (error: unknown) => statusOf(error) === 401 || statusOf(error) === 403;

async function findAccount(deps: StageDeps, name: string): Promise<FoundAccount> {
  for await (const account of deps.storage.storageAccounts.list()) {
    if (account.name?.toLowerCase() !== name.toLowerCase()) continue;
    const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(account.id ?? '')?.[1];
    const blobEndpoint = account.primaryEndpoints?.blob;
    if (!resourceGroup || !blobEndpoint) {
      throw new StagingError('storageAccountName', 'StorageAccountNoBlobEndpoint', [name]);
    }
    return { name: account.name, resourceGroup, blobEndpoint, sharedKeyAllowed: account.allowSharedKeyAccess !== false };
  }
  throw new StagingError(
    'storageAccountName',
    'StorageAccountNotFound',
    [name],
  );
}

function sharedKeyDisabled(account: FoundAccount, cause?: unknown): StagingError {
  return new StagingError(
    'storageAccountName',
    'StorageAccountSharedKeyDisabled',
    [account.name],
    { cause },
  );
}

async function accountKey(deps: StageDeps, account: FoundAccount): Promise<StorageSharedKeyCredential> {
  // The key would be refused: say why instead of failing on the upload.
  if (!account.sharedKeyAllowed) throw sharedKeyDisabled(account);
  let keys;
  try {
    keys = await deps.storage.storageAccounts.listKeys(account.resourceGroup, account.name);
  } catch (error) {
    if (!isDenied(error)) throw error;
    throw new StagingError(
      'storageAccountName',
      'StorageAccountNoAccess',
      [account.name],
      { cause: error },
    );
  }
  const key = keys.keys?.find((k) => k.value && (k.permissions ?? 'FULL').toUpperCase() === 'FULL')?.value;
  if (!key) {
    throw new StagingError('storageAccountName', 'StorageAccountNoKey', [account.name]);
  }
  deps.onSecret(key);
  return new StorageSharedKeyCredential(account.name, key);
}

/**
 * The container, reached with the connection's own token when it has data-plane
 * rights (creating the container proves them), else with the account key.
 */
async function openContainer(
  deps: StageDeps,
  account: FoundAccount,
  containerName: string,
  log: StageLog,
  abortSignal: AbortSignal | undefined,
): Promise<{ service: BlobServiceClient; container: ContainerClient; sharedKey?: StorageSharedKeyCredential }> {
  const bearerService = deps.blobServiceFor(account.blobEndpoint, deps.credential);
  const bearerContainer = bearerService.getContainerClient(containerName);
  try {
    await bearerContainer.createIfNotExists({ abortSignal });
    return { service: bearerService, container: bearerContainer };
  } catch (error) {
    if (!isDenied(error)) throw error;
    if (!account.sharedKeyAllowed) throw sharedKeyDisabled(account, error);
    log.info(log.loc('StagingAccountKeyFallback', account.name));
  }
  const sharedKey = await accountKey(deps, account);
  const service = deps.blobServiceFor(account.blobEndpoint, sharedKey);
  const container = service.getContainerClient(containerName);
  await container.createIfNotExists({ abortSignal });
  return { service, container, sharedKey };
}

async function sasSigner(
  deps: StageDeps,
  account: FoundAccount,
  opened: { service: BlobServiceClient; sharedKey?: StorageSharedKeyCredential },
  window: ReturnType<typeof sasWindow>,
): Promise<SasSigner> {
  if (!opened.sharedKey) {
    // Preferred: no account key leaves ARM, and the SAS dies with the connection's rights.
    const delegated = await tryUserDelegationSigner(opened.service, window);
    if (delegated) return delegated;
  }
  return { kind: 'accountKey', credential: opened.sharedKey ?? (await accountKey(deps, account)) };
}

export async function stageArtifacts(deps: StageDeps, config: ImageBuilderConfig, log: StageLog, options: StageOptions = {}): Promise<StagedArtifacts> {
  const artifacts: ArtifactsConfig | undefined = config.artifacts;
  if (!artifacts) throw new TypeError('stageArtifacts needs config.artifacts');
  const format = archiveFormatFor(config.provisioner);
  const blobName = artifactBlobName(config.target.templateName, artifacts.folderName, format);

  const account = await findAccount(deps, artifacts.storageAccountName);
  const opened = await openContainer(deps, account, artifacts.storageContainer, log, options.abortSignal);
  const uploaded = await uploadArchive(opened.container, blobName, artifacts.packagePath, format, {
    onProgress: options.onProgress,
    abortSignal: options.abortSignal,
    onSkipped: (name, reason) => log.warning(reason === 'nameNotUtf8' ? log.loc('StagingEntryNameNotUtf8', name) : log.loc('StagingEntrySkipped', name)),
  });
  const cleanup = async () => {
    await opened.container.getBlockBlobClient(blobName).deleteIfExists({ deleteSnapshots: 'include' });
  };

  let url = uploaded.url;
  if (artifacts.access === 'sas') {
    try {
      const window = sasWindow(config.buildVm.buildTimeoutInMinutes, deps.now?.() ?? new Date());
      const signer = await sasSigner(deps, account, opened, window);
      url = `${uploaded.url}?${blobReadSas(artifacts.storageContainer, blobName, signer, window, deps.onSecret)}`;
    } catch (error) {
      // The blob is useless without a way to read it; do not leave it behind.
      await cleanup().catch(() => undefined);
      throw error;
    }
  }
  log.info(log.loc('StagingUploaded', blobName, uploaded.sizeBytes, uploaded.sha256, account.name));
  return {
    artifact: { url, sizeBytes: uploaded.sizeBytes, sha256: uploaded.sha256, format },
    cleanup,
  };
}
