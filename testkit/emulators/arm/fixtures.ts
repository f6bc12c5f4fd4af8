/** Artifacts for the emulator's build tests: a small tar.gz uploaded to Azurite, with or without a SAS. */
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import * as tar from 'tar-stream';
import type { AzuriteHandle } from '../azurite';

export async function makeTarGz(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', () => resolve());
    gzip.on('error', reject);
  });
  pack.pipe(gzip);
  await done;
  return Buffer.concat(chunks);
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export interface UploadedArtifact {
  /** URL without SAS. */
  url: string;
  /** URL with a read-only SAS for this blob. */
  sasUrl: string;
  sha256: string;
  size: number;
}

export async function uploadArtifact(azurite: AzuriteHandle, blobName: string, data: Buffer): Promise<UploadedArtifact> {
  const account = azurite.userAccount;
  const credential = new StorageSharedKeyCredential(account.name, account.key);
  const service = new BlobServiceClient(azurite.url(account.name), credential);
  const container = service.getContainerClient('artifacts');
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient(blobName);
  await blob.uploadData(data);
  const sas = generateBlobSASQueryParameters(
    {
      containerName: 'artifacts',
      blobName,
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: new Date(Date.now() + 3_600_000),
      protocol: SASProtocol.Https,
    },
    credential,
  ).toString();
  return { url: blob.url, sasUrl: `${blob.url}?${sas}`, sha256: sha256(data), size: data.length };
}

/** Reads a blob of the staging account (where the build logs live). */
export async function readStagingBlob(azurite: AzuriteHandle, container: string, blobName: string): Promise<string> {
  const account = azurite.stagingAccount;
  const service = new BlobServiceClient(azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));
  const buf = await service.getContainerClient(container).getBlobClient(blobName).downloadToBuffer();
  return buf.toString('utf8');
}

export async function listStagingBlobs(azurite: AzuriteHandle, container: string): Promise<string[]> {
  const account = azurite.stagingAccount;
  const service = new BlobServiceClient(azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));
  const names: string[] = [];
  const cc = service.getContainerClient(container);
  if (!(await cc.exists())) return names;
  for await (const b of cc.listBlobsFlat()) names.push(b.name);
  return names;
}
