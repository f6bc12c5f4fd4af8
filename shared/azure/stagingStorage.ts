/** The storage adapters the log reader uses: finding the staging account, its containers and blobs. */
import type { TokenCredential } from '@azure/core-auth';
import type { StorageManagementClient } from '@azure/arm-storage';
import { BlobServiceClient, StorageSharedKeyCredential, type BlobClient } from '@azure/storage-blob';
import { LOG_CONTAINER, type BlobAccess, type LogBlobInfo, type LogContainer, type RangeRead, type RangeReader, type StagingAccount, type StagingLogDeps } from '../watch/logTailer';

/**
 * The real clients behind the log tailer's narrow interfaces: @azure/storage-blob
 * for the data plane and @azure/arm-storage for finding accounts and keys.
 */

/** `Content-Range: bytes 10-99/100` to 100. */
function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const match = contentRange ? /\/(\d+)\s*$/.exec(contentRange) : null;
  return match ? Number(match[1]) : undefined;
}

/** The body, but never more than `limit` bytes, should a server answer with more than the range asked for. */
async function readAll(stream: NodeJS.ReadableStream | undefined, limit: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer.subarray(0, limit - length));
    length += chunks[chunks.length - 1]!.length;
    if (length >= limit) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks);
}

/**
 * One ranged GET per call, for at most `maxBytes` (`Range: bytes=<offset>-<offset+maxBytes-1>`),
 * so one answer never holds more than the bound however much the VM wrote.
 * 416 (the offset is at or past the end) means nothing was appended: no
 * second request is made to learn the size.
 */
export function blobRangeReader(blob: Pick<BlobClient, 'download'>): RangeReader {
  return {
    async readRange(offset: number, maxBytes: number): Promise<RangeRead> {
      if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, not ${maxBytes}`);
      try {
        const response = await blob.download(offset, maxBytes);
        const bytes = await readAll(response.readableStreamBody, maxBytes);
        return { bytes, totalSize: totalFromContentRange(response.contentRange) ?? offset + bytes.length };
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode === 416) return { bytes: Buffer.alloc(0), totalSize: offset };
        throw error;
      }
    },
  };
}

function joinUrl(base: string, ...segments: string[]): string {
  return [base.replace(/\/+$/, ''), ...segments.map((s) => s.split('/').map(encodeURIComponent).join('/'))].join('/');
}

/** Makes the Blob service client of an account; the task's own factory adds its retry policy. */
export type BlobServiceFactory = (blobEndpoint: string, auth: TokenCredential | StorageSharedKeyCredential) => BlobServiceClient;

const plainBlobService: BlobServiceFactory = (blobEndpoint, auth) => new BlobServiceClient(blobEndpoint, auth);

/** Opens the `packerlogs` container of an account with the connection's token or an account key. */
export function createLogContainerOpener(
  credential: TokenCredential,
  serviceFor: BlobServiceFactory = plainBlobService,
): (account: StagingAccount, access: BlobAccess) => LogContainer {
  return (account, access) => {
    const containerUrl = joinUrl(account.blobEndpoint, LOG_CONTAINER);
    const auth = access.kind === 'accountKey' ? new StorageSharedKeyCredential(account.name, access.key) : credential;
    const container = serviceFor(account.blobEndpoint, auth).getContainerClient(LOG_CONTAINER);
    return {
      async listBlobs(): Promise<LogBlobInfo[]> {
        const blobs: LogBlobInfo[] = [];
        for await (const item of container.listBlobsFlat()) {
          blobs.push({ name: item.name, lastModified: item.properties.lastModified });
        }
        return blobs;
      },
      openBlob: (name) => blobRangeReader(container.getBlobClient(name)),
      urlOf: (name) => joinUrl(containerUrl, name),
    };
  };
}

/** ARM side: the accounts of the staging group, and their keys when the task may use them. */
export function armStagingAccounts(
  client: Pick<StorageManagementClient, 'storageAccounts'>,
  allowAccountKey: boolean,
): Pick<StagingLogDeps, 'listStorageAccounts' | 'listAccountKeys'> {
  const listStorageAccounts = async (resourceGroupName: string): Promise<StagingAccount[]> => {
    const accounts: StagingAccount[] = [];
    for await (const account of client.storageAccounts.listByResourceGroup(resourceGroupName)) {
      const blobEndpoint = account.primaryEndpoints?.blob;
      if (account.name && blobEndpoint) accounts.push({ name: account.name, blobEndpoint });
    }
    return accounts;
  };
  if (!allowAccountKey) return { listStorageAccounts };
  return {
    listStorageAccounts,
    listAccountKeys: async (resourceGroupName, accountName) => {
      const result = await client.storageAccounts.listKeys(resourceGroupName, accountName);
      return (result.keys ?? []).map((k) => k.value ?? '').filter((v) => v.length > 0);
    },
  };
}
