/**
 * An in-memory PreflightReader for the check tests: a small world of
 * resources, a log of every read, and optional per-method delays and errors.
 */
import type {
  GalleryImageDefinitionInfo,
  GalleryImageVersionInfo,
  IdentityInfo,
  ManagedImageInfo,
  PermissionSet,
  PlatformImageVersionInfo,
  PreflightReader,
  TemplateInfo,
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
    return this.answer('getIdentity', [id], signal, (): IdentityInfo | undefined => (this.world.identities.some((i) => same(i, id)) ? { id } : undefined));
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
      return id ? { id } : undefined;
    });
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
