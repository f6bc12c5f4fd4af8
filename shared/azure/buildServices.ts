/** The composition that implements the BuildServices port with the Azure SDK clients of one service connection. */
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import type { ServiceConnection } from '../ports/serviceConnection';
import { createCredential, secretsOf } from './credentials';
import { createAzureClients } from './clients';
import { stageArtifacts } from './stage';
import { LocalizedError } from '../core/localizedError';
import { armStagingAccounts, createLogContainerOpener } from './stagingStorage';
import type { BuildServices } from '../ports/buildServices';
import { createResourceGroupTemplates, createTemplateOperations } from './templateOperations';
import { newestVersion } from '../images/versionOrder';
import { definitionOfLatest, latestGalleryVersion } from '../images/galleryLatest';
import { listGalleryImageVersions } from './galleryVersions';
import { ArmPreflightReader } from './armReader';
import { createPublishedImages } from './publishedImages';
import { contentDigest } from '../staging/contentDigest';

/**
 * BuildServices over the Azure SDKs, pointed at the service connection's
 * Resource Manager URL. Every secret the connection holds or obtains (tokens,
 * keys, SAS signatures) is registered with the host before it can be printed.
 */
export function createAzureBuildServices(connection: ServiceConnection, host: TaskHost, config: ImageBuilderConfig): BuildServices {
  const onSecret = (value: string) => host.setSecret(value);
  for (const secret of secretsOf(connection)) onSecret(secret);
  const credential = createCredential(connection, { onSecret });
  const clients = createAzureClients(connection, credential, { onSecret });
  const templates = createTemplateOperations(clients.imageBuilder, config.target.resourceGroup, config.target.templateName);

  return {
    templates,
    resourceGroupTemplates: createResourceGroupTemplates(clients.imageBuilder, config.target.resourceGroup),
    async resolveLatestPlatformVersion(source, location, signal) {
      const versions = await clients.compute.virtualMachineImages.list(location, source.publisher, source.offer, source.sku, {
        abortSignal: signal,
      });
      const newest = newestVersion(versions.map((v) => v.name ?? '').filter((n) => n.length > 0));
      if (!newest) throw new LocalizedError('PlatformImageNotFound', [`${source.publisher}:${source.offer}:${source.sku}`, location]);
      return newest;
    },
    digestArtifacts: (packagePath, signal) => contentDigest(packagePath, signal),
    // Images may live in another subscription than the connection's; the client goes by the id's.
    publishedImages: createPublishedImages((subscriptionId) =>
      subscriptionId.toLowerCase() === connection.subscriptionId.toLowerCase()
        ? clients.compute
        : createAzureClients({ ...connection, subscriptionId }, credential, { onSecret }).compute,
    ),
    async resolveLatestGalleryVersion(imageVersionId, location, signal) {
      const definitionId = definitionOfLatest(imageVersionId) ?? imageVersionId;
      const versions = await listGalleryImageVersions(clients.resources, connection.resourceManagerUrl, definitionId, signal);
      const latest = latestGalleryVersion(versions, location);
      if (!latest) throw new LocalizedError('GalleryLatestNotFound', [definitionId, location]);
      return `${definitionId}/versions/${latest}`;
    },
    async stageArtifacts(cfg, onProgress, signal) {
      const staged = await stageArtifacts(
        { storage: clients.storage, credential: clients.credential, blobServiceFor: clients.blobServiceFor, onSecret },
        cfg,
        host,
        { onProgress, abortSignal: signal },
      );
      return { artifact: staged.artifact, remove: staged.cleanup };
    },
    preflightReader() {
      return new ArmPreflightReader(clients, connection);
    },
    buildLogAccess() {
      // The task's blob clients, so log reads retry like every other call.
      const opener = createLogContainerOpener(clients.credential, clients.blobServiceFor);
      return {
        ...armStagingAccounts(clients.storage, true),
        openContainer: opener,
        setSecret: onSecret,
      };
    },
  };
}
