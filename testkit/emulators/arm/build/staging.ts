/**
 * The staging resource group of a template: created by the service as
 * IT_<rg>_<template>_<guid> (or the user's own stagingResourceGroup adopted),
 * holding a storage account whose blob endpoint is the Azurite staging account.
 * Deleting the template removes what the service put there.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { EmulatorContext } from '../context';
import { isRecord } from '../http';
import { lastName, newGuid, parseResourceId, resourceGroupId } from '../resourceIds';
import { TYPES, type TemplateRecord } from '../world';
import { LOG_CONTAINER } from './customizationLog';

export interface StagingAccount {
  resourceGroupId: string;
  accountName: string;
  blobEndpoint: string;
  accountKey: string;
}

export function stagingAccountId(rgId: string, accountName: string): string {
  return `${rgId}/providers/Microsoft.Storage/storageAccounts/${accountName}`;
}

export function ensureStaging(ctx: EmulatorContext, t: TemplateRecord): StagingAccount {
  const accountName = ctx.options.storage.stagingAccountName;
  const location = String(t.submitted.location ?? 'westus');
  let rgId = t.exactStagingResourceGroup;
  if (!rgId || !ctx.world.get(rgId)) {
    const props = isRecord(t.submitted.properties) ? t.submitted.properties : {};
    const given = typeof props.stagingResourceGroup === 'string' ? parseResourceId(props.stagingResourceGroup) : undefined;
    if (given?.resourceGroup && given.path.length === 0) {
      rgId = resourceGroupId(given.subscriptionId, given.resourceGroup);
      const existing = ctx.world.get(rgId);
      const tags = { usedBy: 'AzureVMImageBuilder', imageTemplateName: t.name, imageTemplateResourceGroupName: t.resourceGroup };
      if (existing) {
        existing.json.tags = { ...((existing.json.tags as Record<string, string> | undefined) ?? {}), ...tags };
        t.stagingCreatedByService = false;
      } else {
        ctx.world.putResourceGroup(given.subscriptionId, given.resourceGroup, location, tags);
        t.stagingCreatedByService = true;
      }
    } else {
      const name = `IT_${t.resourceGroup}_${t.name}_${newGuid()}`.slice(0, 90);
      ctx.world.putResourceGroup(t.subscriptionId, name, location, {
        createdBy: 'AzureVMImageBuilder',
        imageTemplateName: t.name,
        imageTemplateResourceGroupName: t.resourceGroup,
      });
      rgId = resourceGroupId(t.subscriptionId, name);
      t.stagingCreatedByService = true;
    }
    t.exactStagingResourceGroup = rgId;
  }
  const accountId = stagingAccountId(rgId, accountName);
  if (!ctx.world.get(accountId)) {
    ctx.world.put(TYPES.storageAccount, accountId, { location, kind: 'StorageV2', tags: {}, creationTime: new Date().toISOString() });
  }
  return {
    resourceGroupId: rgId,
    accountName,
    blobEndpoint: ctx.blobEndpointOf(accountName),
    accountKey: ctx.options.storage.accountKey(accountName),
  };
}

/** Removes the logs, default VHDs and staging group of a template being deleted. */
export async function removeTemplateArtifacts(ctx: EmulatorContext, t: TemplateRecord): Promise<void> {
  const accountName = ctx.options.storage.stagingAccountName;
  const service = new BlobServiceClient(ctx.blobEndpointOf(accountName), new StorageSharedKeyCredential(accountName, ctx.options.storage.accountKey(accountName)));
  const logs = service.getContainerClient(LOG_CONTAINER);
  for (const runId of t.runIds) {
    try {
      for await (const b of logs.listBlobsFlat({ prefix: `${runId}/` })) await logs.deleteBlob(b.name);
    } catch {
      // The container may not exist (the run failed before logging); nothing to remove.
    }
  }
  for (const url of t.vhdBlobUrls) {
    try {
      await service.getContainerClient(url.split('/').slice(-2, -1)[0] as string).deleteBlob(lastName(url));
    } catch {
      // Already gone.
    }
    ctx.world.vhdBlobs.delete(url);
  }
  const rgId = t.exactStagingResourceGroup;
  if (!rgId) return;
  if (t.stagingCreatedByService) {
    ctx.world.deleteResourceGroup(rgId);
  } else {
    ctx.world.delete(stagingAccountId(rgId, accountName));
    const rg = ctx.world.get(rgId);
    if (rg) {
      const tags = { ...((rg.json.tags as Record<string, string> | undefined) ?? {}) };
      for (const k of ['usedBy', 'imageTemplateName', 'imageTemplateResourceGroupName']) delete tags[k];
      rg.json.tags = tags;
    }
  }
}
