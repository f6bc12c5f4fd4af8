/**
 * An in-memory PreflightReader for the check tests: a small world of
 * resources, a log of every read, and optional per-method delays and errors.
 */
import type {
  ComputeUsage,
  GalleryImageDefinitionInfo,
  GalleryImageVersionInfo,
  IdentityInfo,
  ManagedImageInfo,
  PermissionSet,
  PlatformImageVersionInfo,
  PreflightReader,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
  StorageAccountInfo,
  TemplateInfo,
  VmSizeInfo,
} from '../../shared/preflight/types';

export interface FakeWorld {
  providers: Record<string, string>;
  identities: string[];
  /** Key `location|publisher|offer|sku` (lower case). */
  platformImages: Record<string, PlatformImageVersionInfo[]>;
  managedImages: ManagedImageInfo[];
  galleryDefinitions: GalleryImageDefinitionInfo[];
  galleryVersions: GalleryImageVersionInfo[];
  templates: Record<string, TemplateInfo>;
  /** Scope (lower case) -> permissions; a scope without an entry inherits from the nearest parent, else full rights. */
  permissions: Record<string, PermissionSet[]>;
  locations: string[];
  storageAccounts: Record<string, string>;
  /** Account name (lower case) -> what the account says beyond its id (shared key, network rules). */
  storageAccountDetails: Record<string, Omit<StorageAccountInfo, 'id'>>;
  /** Identity id (lower case) -> its principal id; identities not listed have none. */
  principalIds: Record<string, string>;
  /** Location (lower case) -> compute usages. */
  usages: Record<string, ComputeUsage[]>;
  /** Location (lower case) -> VM sizes offered. */
  vmSizes: Record<string, VmSizeInfo[]>;
  /** Principal id -> its role assignments (every scope). */
  roleAssignments: Record<string, RoleAssignmentInfo[]>;
  roleDefinitions: RoleDefinitionInfo[];
  /** Scopes (lower case) at and below which reading role assignments answers 403. */
  roleAssignmentsForbidden: string[];
}

export type ReaderMethod = keyof PreflightReader;

export const FULL_RIGHTS: PermissionSet[] = [{ actions: ['*'], notActions: [], dataActions: ['*'], notDataActions: [] }];

export class FakeReader implements PreflightReader {
  readonly calls: Array<{ method: ReaderMethod; args: unknown[] }> = [];
  readonly delays: Partial<Record<ReaderMethod, number>> = {};
  readonly failures: Partial<Record<ReaderMethod, Error>> = {};
  /** Methods whose promise never settles (until the signal aborts). */
  readonly hanging = new Set<ReaderMethod>();

  constructor(readonly world: FakeWorld) {}

  private async answer<T>(method: ReaderMethod, args: unknown[], signal: AbortSignal | undefined, value: () => T): Promise<T> {
    this.calls.push({ method, args });
    if (this.hanging.has(method)) {
      await new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    }
    const delay = this.delays[method] ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const failure = this.failures[method];
    if (failure) throw failure;
    return value();
  }

  getProviderRegistration(namespace: string, signal?: AbortSignal) {
    return this.answer('getProviderRegistration', [namespace], signal, () => {
      const state = this.world.providers[namespace];
      return state ? { namespace, registrationState: state } : undefined;
    });
  }

  getIdentity(id: string, signal?: AbortSignal) {
    return this.answer('getIdentity', [id], signal, (): IdentityInfo | undefined =>
      this.world.identities.some((i) => same(i, id)) ? { id, principalId: this.world.principalIds[id.toLowerCase()] } : undefined,
    );
  }

  getPlatformImageVersion(location: string, publisher: string, offer: string, sku: string, version: string, signal?: AbortSignal) {
    return this.answer('getPlatformImageVersion', [location, publisher, offer, sku, version], signal, () =>
      this.world.platformImages[platformKey(location, publisher, offer, sku)]?.find((v) => same(v.version, version)),
    );
  }

  listPlatformImageVersions(location: string, publisher: string, offer: string, sku: string, signal?: AbortSignal) {
    return this.answer('listPlatformImageVersions', [location, publisher, offer, sku], signal, () =>
      this.world.platformImages[platformKey(location, publisher, offer, sku)]?.map((v) => v.version),
    );
  }

  getManagedImage(id: string, signal?: AbortSignal) {
    return this.answer('getManagedImage', [id], signal, () => this.world.managedImages.find((i) => same(i.id, id)));
  }

  getGalleryImageVersion(id: string, signal?: AbortSignal) {
    return this.answer('getGalleryImageVersion', [id], signal, () => this.world.galleryVersions.find((v) => same(v.id, id)));
  }

  getGalleryImageDefinition(id: string, signal?: AbortSignal) {
    return this.answer('getGalleryImageDefinition', [id], signal, () => this.world.galleryDefinitions.find((d) => same(d.id, id)));
  }

  getTemplate(resourceGroup: string, name: string, signal?: AbortSignal) {
    return this.answer('getTemplate', [resourceGroup, name], signal, () => this.world.templates[`${resourceGroup}/${name}`.toLowerCase()]);
  }

  getPermissions(scope: string, signal?: AbortSignal) {
    return this.answer('getPermissions', [scope], signal, () => {
      let s = scope.toLowerCase();
      for (;;) {
        const found = this.world.permissions[s];
        if (found) return found;
        const cut = s.lastIndexOf('/');
        if (cut <= 0) return FULL_RIGHTS;
        s = s.slice(0, cut);
      }
    });
  }

  listLocations(signal?: AbortSignal) {
    return this.answer('listLocations', [], signal, () => this.world.locations);
  }

  findStorageAccount(name: string, signal?: AbortSignal) {
    return this.answer('findStorageAccount', [name], signal, () => {
      const id = this.world.storageAccounts[name.toLowerCase()];
      return id ? { id, ...this.world.storageAccountDetails[name.toLowerCase()] } : undefined;
    });
  }

  listComputeUsages(location: string, signal?: AbortSignal) {
    return this.answer('listComputeUsages', [location], signal, () => this.world.usages[location.toLowerCase()] ?? []);
  }

  listVmSizes(location: string, signal?: AbortSignal) {
    return this.answer('listVmSizes', [location], signal, () => this.world.vmSizes[location.toLowerCase()] ?? []);
  }

  listRoleAssignments(scope: string, principalId: string, signal?: AbortSignal) {
    return this.answer('listRoleAssignments', [scope, principalId], signal, () => {
      const s = scope.toLowerCase();
      if (this.world.roleAssignmentsForbidden.some((f) => s === f || s.startsWith(`${f}/`))) {
        throw Object.assign(new Error(`The client may not perform action 'Microsoft.Authorization/roleAssignments/read' over scope '${scope}'.`), {
          statusCode: 403,
          code: 'AuthorizationFailed',
        });
      }
      return this.world.roleAssignments[principalId] ?? [];
    });
  }

  getRoleDefinition(id: string, signal?: AbortSignal) {
    return this.answer('getRoleDefinition', [id], signal, () => this.world.roleDefinitions.find((d) => same(d.id, id)));
  }

  count(method: ReaderMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

export function platformKey(location: string, publisher: string, offer: string, sku: string): string {
  return [location, publisher, offer, sku].join('|').toLowerCase();
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
