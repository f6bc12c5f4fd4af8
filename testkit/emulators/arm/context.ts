/**
 * The emulator's shared state and services: the world, the operations, faults,
 * scenario and timing, plus the renderings of resources that several handlers
 * and the simulated build need. One instance per running emulator.
 */
import { FaultInjector } from './faults';
import { OperationStore } from './operations';
import { lastName, serviceId, stableGuid } from './resourceIds';
import type { ArmEmulatorOptions, BuildScenario, BuildTiming, CancelingHold } from './types';
import { TYPES, WorldStore, type Json, type StoredResource, type TemplateRecord } from './world';

/**
 * Short phases: tests wait for every one of them. A test that watches a phase
 * go by sets its own timing (or scaledTiming of the recorded one).
 */
export const DEFAULT_TIMING: BuildTiming = {
  provisioningMs: 100,
  queuedMs: 100,
  buildingMs: 150,
  customizerMs: 150,
  optimizingMs: 100,
  validatingMs: 100,
  distributingMs: 150,
  cancelMs: 100,
  deleteMs: 100,
};

export const DEFAULT_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Read-only template properties a client may echo back; the service ignores them. */
const READ_ONLY_PROPERTIES = ['provisioningState', 'provisioningError', 'lastRunStatus', 'exactStagingResourceGroup'];

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export class EmulatorContext {
  readonly world = new WorldStore(DEFAULT_TENANT_ID);
  readonly ops = new OperationStore();
  readonly faults = new FaultInjector();
  scenario: BuildScenario = {};
  baseUrl = '';
  /** Aborted on stop(): every background task ends. */
  readonly shutdown = new AbortController();
  private readonly tasks = new Set<Promise<unknown>>();
  /** Told whenever the world may have changed: see changed(). */
  readonly changeListeners = new Set<() => void>();
  /** Set while a test holds builds in Canceling: see holdCanceling(). */
  private cancelingHold: (CancelingHold & { released: Promise<void>; reach(): void }) | undefined;

  constructor(readonly options: ArmEmulatorOptions) {}

  /**
   * Tells the change listeners, once the code that changed the world has run.
   * The world only changes in a request handler or after a simulated phase's
   * sleep, so answering a request, ending a sleep and ending a background task
   * are the moments to tell; setImmediate lets the continuation of the sleep
   * (a phase's state assignment) run first.
   */
  changed(): void {
    if (this.changeListeners.size === 0) return;
    setImmediate(() => {
      for (const listener of [...this.changeListeners]) listener();
    });
  }

  timing(): BuildTiming {
    return { ...DEFAULT_TIMING, ...this.options.buildTiming, ...this.scenario.timing };
  }

  /** Runs work in the background, tracked so stop() can wait for it. */
  background(work: () => Promise<unknown>): Promise<void> {
    const p = work().then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof Cancelled) && !this.shutdown.signal.aborted) {
          process.stderr.write(`[arm-emulator] background task failed: ${(err as Error).stack ?? String(err)}\n`);
        }
      },
    );
    this.tasks.add(p);
    void p.finally(() => {
      this.tasks.delete(p);
      this.changed();
    });
    return p;
  }

  /**
   * Keeps every cancel in Canceling, past its cancelMs, until the hold is
   * released: a test then ends the cancel on an event it saw (the next run
   * says it waits) instead of racing a duration against the machine's load.
   * A new hold replaces (releases) the one before.
   */
  holdCanceling(): CancelingHold {
    let release!: () => void;
    let reach!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const hold: CancelingHold & { released: Promise<void>; reach(): void } = {
      released,
      reached,
      reach,
      release: () => {
        if (this.cancelingHold === hold) this.cancelingHold = undefined;
        release();
      },
    };
    this.cancelingHold?.release();
    this.cancelingHold = hold;
    return { reached, release: hold.release };
  }

  /** Resolves once no hold keeps Canceling; throws Cancelled if the emulator stops first. */
  async cancelingReleased(): Promise<void> {
    while (this.cancelingHold) {
      const hold = this.cancelingHold;
      hold.reach();
      await this.until(hold.released);
    }
  }

  /** Waits until `event` settles, however it settles; throws Cancelled if the emulator stops first. */
  until(event: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Cancelled());
      if (this.shutdown.signal.aborted) return onAbort();
      this.shutdown.signal.addEventListener('abort', onAbort, { once: true });
      const settled = () => {
        this.shutdown.signal.removeEventListener('abort', onAbort);
        resolve();
      };
      event.then(settled, settled);
    });
  }

  async drain(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Waits, unless the signal (or emulator shutdown) fires first: then throws Cancelled. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const signals = [this.shutdown.signal, ...(signal ? [signal] : [])];
      if (signals.some((s) => s.aborted)) {
        reject(new Cancelled());
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Cancelled());
      };
      const timer = setTimeout(() => {
        for (const s of signals) s.removeEventListener('abort', onAbort);
        resolve();
        this.changed();
      }, ms);
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- renderings -------------------------------------------------------------

  /**
   * The template as the service returns it (recorded): ids with `/resourcegroups/`,
   * defaults filled in, `exactStagingResourceGroup` "" until known. `echo` = the
   * answer to the PUT itself: the user identities are still `{}` then.
   */
  renderTemplate(t: TemplateRecord, options: { echo?: boolean } = {}): Json {
    const submitted = t.submitted;
    const props = structuredClone((submitted.properties as Json | undefined) ?? {});
    for (const k of READ_ONLY_PROPERTIES) delete props[k];
    applyServiceDefaults(props);
    if (t.serviceChecksums && Array.isArray(props.customize)) {
      for (const [i, sum] of Object.entries(t.serviceChecksums)) {
        const c = props.customize[Number(i)];
        if (c && typeof c === 'object') (c as Json).sha256Checksum ??= sum;
      }
    }
    if (props.source && typeof props.source === 'object') {
      const source = props.source as Json;
      if (t.exactVersion) source.exactVersion = t.exactVersion;
      // The PUT echo (and GET before resolution) repeats the version as sent, even `latest`.
      else if (source.type === 'PlatformImage' && typeof source.version === 'string') source.exactVersion = source.version;
    }
    props.provisioningState = t.provisioningState;
    if (t.provisioningError) props.provisioningError = t.provisioningError;
    if (t.lastRunStatus) props.lastRunStatus = { ...t.lastRunStatus };
    props.exactStagingResourceGroup = t.exactStagingResourceGroup ?? '';
    return {
      id: serviceId(t.id),
      name: t.name,
      type: 'Microsoft.VirtualMachineImages/imageTemplates',
      location: submitted.location,
      ...(submitted.tags ? { tags: submitted.tags } : {}),
      identity: this.renderIdentity(submitted.identity, options.echo === true),
      properties: props,
    };
  }

  private renderIdentity(identity: unknown, echo: boolean): unknown {
    if (!identity || typeof identity !== 'object') return identity;
    const i = identity as Json;
    const uais = i.userAssignedIdentities;
    if (!uais || typeof uais !== 'object') return { type: i.type };
    const rendered: Record<string, { principalId?: string; clientId?: string }> = {};
    for (const id of Object.keys(uais)) {
      if (echo) {
        rendered[id] = {};
        continue;
      }
      const known = this.world.get(id);
      const p = (known?.json.properties as Json | undefined) ?? {};
      rendered[id] = {
        principalId: String(p.principalId ?? stableGuid(`principal:${id.toLowerCase()}`)),
        clientId: String(p.clientId ?? stableGuid(`client:${id.toLowerCase()}`)),
      };
    }
    return { type: i.type, userAssignedIdentities: rendered };
  }

  /** The one identity of a template (the service allows exactly one). */
  templateIdentity(t: TemplateRecord): string | undefined {
    const uais = (t.submitted.identity as Json | undefined)?.userAssignedIdentities;
    return uais && typeof uais === 'object' ? Object.keys(uais)[0] : undefined;
  }

  blobEndpointOf(accountName: string): string {
    return this.options.storage.blobEndpoint(accountName).replace(/\/*$/, '/');
  }

  renderStorageAccount(r: StoredResource): Json {
    const name = lastName(r.id);
    // `access` holds the seeded shared key and network settings; it is no property of its own.
    const { access, ...json } = r.json;
    return {
      ...json,
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      kind: r.json.kind ?? 'StorageV2',
      tags: r.json.tags ?? {},
      properties: {
        provisioningState: 'Succeeded',
        primaryEndpoints: { blob: this.blobEndpointOf(name) },
        primaryLocation: r.json.location,
        statusOfPrimary: 'available',
        supportsHttpsTrafficOnly: true,
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: true,
        publicNetworkAccess: 'Enabled',
        networkAcls: { bypass: 'AzureServices', virtualNetworkRules: [], ipRules: [], defaultAction: 'Allow' },
        ...((access as Json | undefined) ?? {}),
        creationTime: (r.json.creationTime as string | undefined) ?? new Date(0).toISOString(),
      },
    };
  }

  storageAccountResources(scope?: string): StoredResource[] {
    return this.world.list(TYPES.storageAccount, scope);
  }
}

/**
 * Defaults the service fills in: on PowerShell customizers (2025-10-01 Windows
 * example); vmProfile {vmSize: "", osDiskSizeGB: 0}, buildTimeoutInMinutes 0 and
 * stagingResourceGroup "" when not given, distribute[].artifactTags {} (and for
 * SharedImage excludeFromLatest false, versioning null), WindowsRestart
 * restartCommand "", and an empty sha256Checksum dropped (recorded).
 */
function applyServiceDefaults(props: Json): void {
  const vmProfile = props.vmProfile && typeof props.vmProfile === 'object' ? (props.vmProfile as Json) : {};
  vmProfile.vmSize ??= '';
  vmProfile.osDiskSizeGB ??= 0;
  props.vmProfile = vmProfile;
  props.buildTimeoutInMinutes ??= 0;
  props.stagingResourceGroup ??= '';
  if (Array.isArray(props.distribute)) {
    for (const d of props.distribute) {
      if (!d || typeof d !== 'object') continue;
      const dist = d as Json;
      dist.artifactTags ??= {};
      if (dist.type === 'SharedImage') {
        dist.excludeFromLatest ??= false;
        // Not given = null, not absent (recorded).
        if (!('versioning' in dist)) dist.versioning = null;
      }
    }
  }
  const customize = props.customize;
  if (!Array.isArray(customize)) return;
  for (const c of customize) {
    if (!c || typeof c !== 'object') continue;
    const step = c as Json;
    if (step.sha256Checksum === '') delete step.sha256Checksum;
    if (step.type === 'WindowsRestart') step.restartCommand ??= '';
    if (step.type === 'PowerShell') {
      step.runElevated ??= false;
      step.runAsSystem ??= false;
    }
  }
}
