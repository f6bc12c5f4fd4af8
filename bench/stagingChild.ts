/**
 * One staging run in its own process, so its peak memory is its own: packs,
 * hashes and uploads a folder into a blob through the task's own staging code
 * (uploadArchive), then prints a JSON line with the time from the start of
 * staging to the committed blob, the peak RSS and the CPU used.
 *
 *   node build/bench/stagingChild.js '<json StagingJob>'
 *
 * The parent starts it with NODE_EXTRA_CA_CERTS naming the CA of the local
 * storage emulator's certificate.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { uploadArchive } from '../shared/azure/upload';

export interface StagingJob {
  folder: string;
  blobEndpoint: string;
  account: string;
  key: string;
  container: string;
  blobName: string;
}

export interface StagingRunResult {
  seconds: number;
  sizeBytes: number;
  sha256: string;
  /** Peak resident set size of this process, bytes. */
  peakRssBytes: number;
  /** RSS once the modules were loaded, before staging started. */
  startRssBytes: number;
  userCpuSeconds: number;
  systemCpuSeconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as StagingJob;
  const service = new BlobServiceClient(job.blobEndpoint, new StorageSharedKeyCredential(job.account, job.key));
  const container = service.getContainerClient(job.container);
  await container.createIfNotExists();
  const startRssBytes = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();

  const started = process.hrtime.bigint();
  const uploaded = await uploadArchive(container, job.blobName, job.folder, 'tar.gz');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const cpu = process.cpuUsage(cpuBefore);
  // Proof the blob is committed and whole, outside the timed span.
  const properties = await container.getBlockBlobClient(job.blobName).getProperties();
  if (properties.contentLength !== uploaded.sizeBytes) {
    throw new Error(`committed blob has ${properties.contentLength} bytes, the upload reported ${uploaded.sizeBytes}`);
  }
  const result: StagingRunResult = {
    seconds,
    sizeBytes: uploaded.sizeBytes,
    sha256: uploaded.sha256,
    // maxRSS is in KiB and covers the whole life of the process, worker threads included.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    startRssBytes,
    userCpuSeconds: cpu.user / 1e6,
    systemCpuSeconds: cpu.system / 1e6,
  };
  await container.getBlockBlobClient(job.blobName).deleteIfExists();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
