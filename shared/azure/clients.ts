/**
 * The Azure SDK clients of one run, all pointed at the connection's Resource
 * Manager URL with the matching token scope, and all retrying through
 * retry.ts.
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/core-auth';
import type { Pipeline } from '@azure/core-rest-pipeline';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { armScopeOf, registeringTokens } from './credentials';
import { applyRetryPolicy, type RetryTuning } from './retry';
import { applyNetworkSettings } from './network';
import type { NetworkSettings } from '../ports/networkSettings';
import type { ServiceConnection } from '../ports/serviceConnection';

export interface AzureClientOptions {
  /** Called with every token the clients obtain, so the host can mask it. */
  onSecret?(secret: string): void;
  retry?: RetryTuning;
}

export interface AzureClients {
  imageBuilder: ImageBuilderClient;
  compute: ComputeManagementClient;
  storage: StorageManagementClient;
  resources: ResourceManagementClient;
  /** The credential the clients use (with token registration when onSecret was given), for data-plane clients. */
  credential: TokenCredential;
  /** A Blob service client for an account's blob endpoint, with the same retry policy. */
  blobServiceFor(blobEndpoint: string, auth: TokenCredential | StorageSharedKeyCredential): BlobServiceClient;
}

export function createAzureClients(connection: ServiceConnection, credential: TokenCredential, options: AzureClientOptions = {}): AzureClients {
  const tokens = options.onSecret ? registeringTokens(credential, options.onSecret) : credential;
  // The modular clients take `endpoint` without a trailing slash and build paths onto it.
  const endpoint = connection.resourceManagerUrl.replace(/\/+$/, '');
  const scope = armScopeOf(connection);
  const modular = { endpoint, credentials: { scopes: [scope] } };

  const imageBuilder = new ImageBuilderClient(tokens, connection.subscriptionId, modular);
  const compute = new ComputeManagementClient(tokens, connection.subscriptionId, modular);
  const storage = new StorageManagementClient(tokens, connection.subscriptionId, modular);
  // AutoRest client: the URL template uses $host, the token policy uses credentialScopes.
  const resources = new ResourceManagementClient(tokens, connection.subscriptionId, {
    endpoint,
    $host: endpoint,
    credentialScopes: [scope],
  });
  for (const client of [imageBuilder, compute, storage, resources]) {
    applyRetryPolicy(client.pipeline, options.retry);
    applyNetworkSettings(client.pipeline, connection.network);
  }

  return {
    imageBuilder,
    compute,
    storage,
    resources,
    credential: tokens,
    blobServiceFor: (blobEndpoint, auth) => blobServiceFor(blobEndpoint, auth, options.retry, connection.network),
  };
}

/**
 * A BlobServiceClient whose pipeline retries with retry.ts instead of the
 * blob SDK's StorageRetryPolicy (which skips 408, 429, 502, 504 and
 * Retry-After) and connects as the agent's network settings say. Container
 * and blob clients made from it share its pipeline.
 */
export function blobServiceFor(
  blobEndpoint: string,
  auth: TokenCredential | StorageSharedKeyCredential,
  retry?: RetryTuning,
  network?: NetworkSettings,
): BlobServiceClient {
  const client = new BlobServiceClient(blobEndpoint, auth);
  const pipeline = corePipelineOf(client);
  applyRetryPolicy(pipeline, retry);
  applyNetworkSettings(pipeline, network);
  return client;
}

/**
 * The core pipeline behind a storage client. The blob SDK accepts no extra
 * policies through its options, so the one place to change retrying is the
 * pipeline its generated client holds; the SDK version is pinned and the
 * shape is checked so a change fails loudly instead of silently not retrying.
 */
function corePipelineOf(client: BlobServiceClient): Pipeline {
  const context = (client as unknown as { storageClientContext?: { pipeline?: Pipeline } }).storageClientContext;
  const pipeline = context?.pipeline;
  if (!pipeline || typeof pipeline.removePolicy !== 'function' || typeof pipeline.addPolicy !== 'function') {
    throw new Error('@azure/storage-blob no longer exposes its request pipeline where expected; the retry policy cannot be installed');
  }
  return pipeline;
}
