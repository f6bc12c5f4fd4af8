/**
 * The build's customization.log, written to packerlogs/<runId>/customization.log
 * in the staging account as an append blob, line batch by line batch, so a
 * reader tailing it with ranged GETs sees it grow the way the real log does.
 */
import { AppendBlobClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';

export const LOG_CONTAINER = 'packerlogs';

export const logBlobName = (runId: string): string => `${runId}/customization.log`;

export class CustomizationLog {
  private readonly client: AppendBlobClient;
  private readonly container: ContainerClient;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  readonly url: string;

  constructor(
    blobEndpoint: string,
    accountName: string,
    accountKey: string,
    runId: string,
    /** The id that prefixes every Packer line. */
    private readonly packerId: string,
  ) {
    const credential = new StorageSharedKeyCredential(accountName, accountKey);
    const containerUrl = `${blobEndpoint.replace(/\/+$/, '')}/${LOG_CONTAINER}`;
    this.url = `${containerUrl}/${logBlobName(runId)}`;
    this.container = new ContainerClient(containerUrl, credential);
    this.client = new AppendBlobClient(this.url, credential);
  }

  async create(): Promise<void> {
    await this.container.createIfNotExists();
    await this.client.create({ blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' } });
  }

  /** `[<id>] PACKER OUT <text>` lines. */
  out(...lines: string[]): Promise<void> {
    return this.write(lines.map((l) => `[${this.packerId}] PACKER OUT ${l}`));
  }

  /** `[<id>] PACKER ERR <text>` lines. */
  err(...lines: string[]): Promise<void> {
    return this.write(lines.map((l) => `[${this.packerId}] PACKER ERR ${l}`));
  }

  /** Lines the service writes without the Packer prefix, e.g. `(telemetry) ...`. */
  plain(...lines: string[]): Promise<void> {
    return this.write(lines);
  }

  /** Waits for every queued append; throws the first append failure. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private write(lines: string[]): Promise<void> {
    const text = lines.map((l) => `${l}\n`).join('');
    const data = Buffer.from(text, 'utf8');
    this.chain = this.chain.then(async () => {
      if (this.failure || data.length === 0) return;
      try {
        await this.client.appendBlock(data, data.length);
      } catch (err) {
        this.failure = err as Error;
      }
    });
    return this.chain;
  }
}
