/**
 * Azurite servers kept for the next local Azure of the same process. Starting
 * Azurite costs about two seconds of CPU (a full test run started 45 of them,
 * a quarter of the run's CPU), and a mocha worker sets up one local Azure per
 * test file, one after another. A released server is emptied (every container
 * of every account deleted) and handed to the next caller that asks for the
 * same account names, so each caller still starts from empty storage.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startAzurite, type AzuriteHandle, type StartAzuriteOptions } from './azurite';

export interface LeasedAzurite {
  azurite: AzuriteHandle;
  /** Empties the server and keeps it for the next lease; stops it when it cannot be emptied. */
  release(): Promise<void>;
}

/** Idle servers by their account names (in order: the first is the user account). */
const idle = new Map<string, AzuriteHandle[]>();

/** Account names in order; keys stay those of the server first started with these names. */
function poolKey(options: StartAzuriteOptions): string {
  return options.accounts ? Object.keys(options.accounts).join(',') : '';
}

/** An idle server with the same account names, or a new one. */
export async function leaseAzurite(options: StartAzuriteOptions = {}): Promise<LeasedAzurite> {
  const key = poolKey(options);
  const azurite = idle.get(key)?.pop() ?? (await startAzurite(options));
  let released = false;
  return {
    azurite,
    release: async () => {
      if (released) return;
      released = true;
      try {
        await empty(azurite);
      } catch {
        await azurite.stop();
        return;
      }
      const servers = idle.get(key) ?? [];
      servers.push(azurite);
      idle.set(key, servers);
    },
  };
}

/** Deletes every container of every account (Azurite removes a container and its blobs at once). */
async function empty(azurite: AzuriteHandle): Promise<void> {
  await Promise.all(
    azurite.accounts.map(async (account) => {
      // No retries: a server that does not answer at once is stopped, not waited for.
      const service = new BlobServiceClient(azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key), { retryOptions: { maxTries: 1 } });
      for await (const container of service.listContainers()) await service.deleteContainer(container.name);
    }),
  );
}
