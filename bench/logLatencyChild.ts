/**
 * Live log latency and request budget, measured on the task's own watch
 * modules (statusPoller + logTailer + the storage-blob range reader) against
 * Azurite, in compressed time:
 *
 * - a writer appends a line to packerlogs/<run>/customization.log (an append
 *   blob, as the service writes it) every `lineEveryMs` of real time, each line
 *   carrying the time it was written;
 * - the poller runs at the production interval (15 s) but its sleeps are
 *   divided by `speedup`, so 15 s of build time pass in 1 s;
 * - the template read (an ARM GET in production) and the storage account
 *   listing/keys (ARM too) are counted in-process; storage requests are real
 *   HTTPS requests to Azurite, counted at the socket API.
 *
 * A line's latency at the real interval is the time it waited for the next read
 * (scaled back up by `speedup`) plus the time the read took (not scaled).
 *
 *   node build/bench/logLatencyChild.js '<json LatencyJob>'   (NODE_EXTRA_CA_CERTS set)
 */
import https = require('node:https');
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { LogSections } from '../shared/watch/logSections';
import { LogTailer, LOG_CONTAINER, type LogContainer, type RangeReader, type StagingLogDeps } from '../shared/watch/logTailer';
import { pollTemplateRun, type TemplateRunSnapshot } from '../shared/watch/statusPoller';
import { realClock } from '../shared/core/clock';
import { blobRangeReader } from '../shared/azure/stagingStorage';
import { taskMessages as WATCH_MESSAGES } from '../testkit/localizer';

export interface LatencyJob {
  blobEndpoint: string;
  account: string;
  key: string;
  intervalSeconds: number;
  speedup: number;
  /** Real seconds the compressed build runs. */
  durationSeconds: number;
  lineEveryMs: number;
}

export interface LatencyResult {
  /** Per line, seconds at the real poll interval. */
  latenciesSeconds: number[];
  linesWritten: number;
  linesSeen: number;
  polls: number;
  armRequests: number;
  storageRequests: number;
  /** Build time the run stands for, seconds. */
  simulatedBuildSeconds: number;
  requestsPerBuildHour: number;
}

function format(text: string, args: unknown[]): string {
  let i = 0;
  return text.replace(/%[sd]/g, () => String(args[i++]));
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as LatencyJob;
  let storageRequests = 0;
  // Every storage-blob request goes through https.request; counting there counts what goes on the wire.
  const originalRequest = https.request;
  https.request = ((...args: Parameters<typeof https.request>) => {
    // The task only reads (GET); the writer standing in for the service appends (PUT) and is not counted.
    const options = args[0] as https.RequestOptions;
    if (typeof options === 'object' && !(options instanceof URL) && options.method !== 'PUT') storageRequests++;
    return originalRequest(...args);
  }) as typeof https.request;

  const credential = new StorageSharedKeyCredential(job.account, job.key);
  const service = new BlobServiceClient(job.blobEndpoint, credential);
  const logs = service.getContainerClient(LOG_CONTAINER);
  await logs.createIfNotExists();
  const runId = `run-${Date.now()}`;
  const blob = logs.getAppendBlobClient(`${runId}/customization.log`);
  await blob.create();

  // The writer: one line every lineEveryMs, stamped with its write time.
  const written = new Map<number, number>();
  let lineNumber = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const n = ++lineNumber;
      const line = `bench line ${n}\n`;
      await blob.appendBlock(line, Buffer.byteLength(line));
      written.set(n, performance.now());
      await new Promise((r) => setTimeout(r, job.lineEveryMs));
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  const requestsBeforeWatch = storageRequests;

  // The watch, as the task wires it, with a host that stamps each printed line.
  let readStartedAt = 0;
  const latencies: number[] = [];
  const host = {
    loc: (key: string, ...args: unknown[]) => format((WATCH_MESSAGES as Record<string, string>)[key] ?? key, args),
    info(text: string) {
      const match = /^bench line (\d+)$/.exec(text);
      const writtenAt = match ? written.get(Number(match[1])) : undefined;
      if (writtenAt === undefined) return;
      const printedAt = performance.now();
      // The wait for the read runs in compressed time; the read itself does not.
      const waited = Math.max(0, readStartedAt - writtenAt) * job.speedup;
      latencies.push((waited + (printedAt - Math.max(readStartedAt, writtenAt))) / 1000);
    },
    debug: () => undefined,
    warning: (text: string) => process.stderr.write(`warning: ${text}\n`),
    beginGroup: () => undefined,
    endGroup: () => undefined,
    tempDirectory: () => os.tmpdir(),
  };
  let armRequests = 0;
  const deps: StagingLogDeps = {
    async listStorageAccounts() {
      armRequests++;
      return [{ name: job.account, blobEndpoint: job.blobEndpoint }];
    },
    async listAccountKeys() {
      armRequests++;
      return [job.key];
    },
    openContainer(account, access): LogContainer {
      const container = new ContainerClient(`${account.blobEndpoint}/${LOG_CONTAINER}`, access.kind === 'accountKey' ? new StorageSharedKeyCredential(account.name, access.key) : credential);
      return {
        async listBlobs() {
          const out = [];
          for await (const item of container.listBlobsFlat()) out.push({ name: item.name, lastModified: item.properties.lastModified });
          return out;
        },
        openBlob(name): RangeReader {
          const reader = blobRangeReader(container.getBlobClient(name));
          return {
            readRange(offset, maxBytes) {
              readStartedAt = performance.now();
              return reader.readRange(offset, maxBytes);
            },
          };
        },
        urlOf: (name) => `${account.blobEndpoint}/${LOG_CONTAINER}/${name}`,
      };
    },
    setSecret: () => undefined,
  };
  const tailer = new LogTailer({ host, sections: new LogSections({ ...host }), deps });

  const snapshot: TemplateRunSnapshot = {
    provisioningState: 'Succeeded',
    lastRunStatus: { runState: 'Running', runSubState: 'Customizing' },
    exactStagingResourceGroup: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/IT_bench_staging',
  };
  const started = performance.now();
  let polls = 0;
  const abort = new AbortController();
  const stopAt = setTimeout(() => abort.abort(), job.durationSeconds * 1000);
  await pollTemplateRun({
    getTemplate: async () => {
      armRequests++;
      polls++;
      return snapshot;
    },
    intervalSeconds: job.intervalSeconds,
    buildTimeoutInMinutes: 0,
    abortSignal: abort.signal,
    onTick: (s) => tailer.tick(s),
    // Real time, with the waits between polls compressed.
    clock: { now: realClock.now, sleep: (ms, signal) => realClock.sleep(ms / job.speedup, signal) },
  });
  clearTimeout(stopAt);
  const watchedMs = performance.now() - started;
  const taskStorageRequests = storageRequests - requestsBeforeWatch;
  writing = false;
  await writer;
  const simulatedBuildSeconds = (watchedMs / 1000) * job.speedup;
  const result: LatencyResult = {
    latenciesSeconds: latencies,
    linesWritten: lineNumber,
    linesSeen: latencies.length,
    polls,
    armRequests,
    storageRequests: taskStorageRequests,
    simulatedBuildSeconds,
    requestsPerBuildHour: ((armRequests + taskStorageRequests) / simulatedBuildSeconds) * 3600,
  };
  fs.rmSync(path.join(os.tmpdir(), `customization-${runId}.log`), { force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
