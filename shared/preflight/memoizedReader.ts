/**
 * Several checks read the same things (the source image, the gallery
 * definitions); the checks run at once, so without sharing each read would be
 * made two or three times. This wrapper makes each distinct read once per
 * preflight and hands every caller the same promise. ARM names compare
 * without case, and so do the keys.
 */
import type { PreflightReader } from './types';

export function memoizedReader(reader: PreflightReader): PreflightReader {
  const cache = new Map<string, Promise<unknown>>();
  const once = <R>(parts: string[], read: () => Promise<R>): Promise<R> => {
    const key = JSON.stringify(parts).toLowerCase();
    let pending = cache.get(key) as Promise<R> | undefined;
    if (!pending) {
      pending = read();
      cache.set(key, pending);
    }
    return pending;
  };
  return {
    getProviderRegistration: (ns, signal) => once(['provider', ns], () => reader.getProviderRegistration(ns, signal)),
    getIdentity: (id, signal) => once(['identity', id], () => reader.getIdentity(id, signal)),
    getPlatformImageVersion: (loc, pub, offer, sku, version, signal) =>
      once(['platformVersion', loc, pub, offer, sku, version], () => reader.getPlatformImageVersion(loc, pub, offer, sku, version, signal)),
    listPlatformImageVersions: (loc, pub, offer, sku, signal) =>
      once(['platformVersions', loc, pub, offer, sku], () => reader.listPlatformImageVersions(loc, pub, offer, sku, signal)),
    getManagedImage: (id, signal) => once(['managedImage', id], () => reader.getManagedImage(id, signal)),
    getGalleryImageVersion: (id, signal) => once(['galleryVersion', id], () => reader.getGalleryImageVersion(id, signal)),
    getGalleryImageDefinition: (id, signal) => once(['galleryDefinition', id], () => reader.getGalleryImageDefinition(id, signal)),
    getTemplate: (rg, name, signal) => once(['template', rg, name], () => reader.getTemplate(rg, name, signal)),
    getPermissions: (scope, signal) => once(['permissions', scope], () => reader.getPermissions(scope, signal)),
    listLocations: (signal) => once(['locations'], () => reader.listLocations(signal)),
    findStorageAccount: (name, signal) => once(['storageAccount', name], () => reader.findStorageAccount(name, signal)),
    listComputeUsages: (loc, signal) => once(['usages', loc], () => reader.listComputeUsages(loc, signal)),
    listVmSizes: (loc, signal) => once(['vmSizes', loc], () => reader.listVmSizes(loc, signal)),
    listRoleAssignments: (scope, principalId, signal) => once(['roleAssignments', scope, principalId], () => reader.listRoleAssignments(scope, principalId, signal)),
    getRoleDefinition: (id, signal) => once(['roleDefinition', id], () => reader.getRoleDefinition(id, signal)),
  };
}
