/**
 * One run of an image template, time-compressed: Queued -> Building (source
 * check, staging group) -> Customizing (downloads and checks every artifact the
 * VM would fetch, writes customization.log as it goes) -> Optimizing ->
 * Validating -> Distributing, ending Succeeded, PartiallySucceeded, Failed or
 * Canceled the way the service reports it. Nothing downloaded is ever run.
 */
import type { EmulatorContext } from '../context';
import { Cancelled } from '../context';
import { isRecord } from '../http';
import type { OperationRecord } from '../operations';
import { lastName, newGuid } from '../resourceIds';
import { goTime, ZERO_TIME } from '../recorded';
import { compareVersions, TYPES, type Json, type RunOutput, type RunStatus, type TemplateRecord } from '../world';
import { listArchiveEntries } from './archiveEntries';
import { fetchArtifact, withoutQuery } from './artifactFetch';
import { CustomizationLog } from './customizationLog';
import { distributeOne, type DistributionFailure, type SourceFacts } from './distribution';
import { ensureStaging, type StagingAccount } from './staging';
import { storageTokenFor } from './storageToken';

/** A failure of the build itself: the log already says what happened. */
class BuildFailure extends Error {}

const PROVISIONERS: Record<string, string> = {
  Shell: 'shell',
  PowerShell: 'powershell',
  File: 'file',
  WindowsRestart: 'windows-restart',
  WindowsUpdate: 'windows-update',
};

/** Single-quoted https URLs inside inline lines: what a script would download. */
const QUOTED_URL = /'(https?:\/\/[^'\s]+)'/g;
const SHA256_TOKEN = /\b[0-9a-fA-F]{64}\b/g;

const failureMessage = (reason: string, logUrl: string | undefined, operationId: string): string =>
  `Failed while waiting for packerizer: Microservice has failed: Failed while processing request: ${reason}. ` +
  'During the image build, a failure has occurred. Please review the build log to identify which build/customization step failed. ' +
  'For more troubleshooting steps go to https://aka.ms/azvmimagebuilderts. ' +
  `Image Build log location: ${logUrl ?? 'unavailable'}. OperationId: ${operationId}. Use this operationId when engaging Azure support.`;

export class SimulatedBuild {
  private readonly runId = newGuid();
  private readonly packerId = newGuid();
  private log: CustomizationLog | undefined;
  private staging: StagingAccount | undefined;
  private readonly storageToken: () => Promise<string>;
  private stepCount = 0;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly t: TemplateRecord,
    private readonly op: OperationRecord,
    private readonly signal: AbortSignal,
  ) {
    const identity = ctx.templateIdentity(t) ?? '';
    this.storageToken = () => storageTokenFor(ctx, identity);
  }

  private get props(): Json {
    return isRecord(this.t.submitted.properties) ? this.t.submitted.properties : {};
  }

  private status() {
    const s = this.t.lastRunStatus;
    if (!s) throw new Error('run status missing');
    return s;
  }

  /** A cancel may land between two steps: once Canceling, the run shows no sub-state any more. */
  private subState(sub: NonNullable<RunStatus['runSubState']>): void {
    if (this.signal.aborted) throw new Cancelled();
    this.status().runSubState = sub;
  }

  private async phase(sub: 'Building' | 'Customizing' | 'Optimizing' | 'Validating' | 'Distributing', ms: number): Promise<void> {
    this.subState(sub);
    await this.ctx.sleep(ms, this.signal);
  }

  async run(): Promise<void> {
    const timing = this.ctx.timing();
    this.t.runIds.push(this.runId);
    this.t.runOutputs = [];
    // Recorded while running: up to 9 fractional digits, the zero time as endTime until the run ends.
    this.t.lastRunStatus = { startTime: goTime(), endTime: ZERO_TIME, runState: 'Running', runSubState: 'Queued', message: '' };
    try {
      await this.ctx.sleep(timing.queuedMs, this.signal);
      this.subState('Building');
      this.staging = ensureStaging(this.ctx, this.t);
      this.log = new CustomizationLog(this.staging.blobEndpoint, this.staging.accountName, this.staging.accountKey, this.runId, this.packerId);
      await this.log.create();
      await this.log.out('azure-arm: output will be in this color.', '', '==> azure-arm: Running builder ...');
      const source = await this.checkSource();
      await this.log.out(
        '==> azure-arm: Getting tokens using Managed Identity for Azure',
        `==> azure-arm: Creating resource group ...`,
        '==> azure-arm: Validating deployment template ...',
        '==> azure-arm: Deploying deployment template ...',
        source.osType === 'Windows' ? '==> azure-arm: Waiting for WinRM to become available...' : '==> azure-arm: Waiting for SSH to become available...',
        source.osType === 'Windows' ? '==> azure-arm: Connected to WinRM!' : '==> azure-arm: Connected to SSH!',
      );
      await this.ctx.sleep(timing.buildingMs, this.signal);

      this.subState('Customizing');
      const customize = Array.isArray(this.props.customize) ? this.props.customize.filter(isRecord) : [];
      for (const c of customize) await this.customizer(c, timing.customizerMs);

      const optimize = isRecord(this.props.optimize) ? this.props.optimize : undefined;
      if (isRecord(optimize?.vmBoot) && optimize.vmBoot.state === 'Enabled') {
        await this.log.out('==> azure-arm: Optimizing the image for faster VM boot ...');
        await this.phase('Optimizing', timing.optimizingMs);
      }
      const validate = isRecord(this.props.validate) ? this.props.validate : undefined;
      if (validate) {
        this.subState('Validating');
        const validators = Array.isArray(validate.inVMValidations) ? validate.inVMValidations.filter(isRecord) : [];
        for (const v of validators) await this.customizer(v, timing.validatingMs);
        if (validators.length === 0) await this.ctx.sleep(timing.validatingMs, this.signal);
      }
      await this.log.out(
        '==> azure-arm: Querying the machine\'s properties ...',
        '==> azure-arm: Capturing image ...',
        '==> azure-arm: Deleting individual resources ...',
        "Build 'azure-arm' finished.",
      );
      await this.log.plain('(telemetry) Finalizing. - This means the build has finished', 'Done exporting Packer logs to Azure Storage.');
      await this.log.flush();

      this.subState('Distributing');
      const { outputs, failures } = await this.distribute(source, timing.distributingMs);
      if (this.signal.aborted) throw new Cancelled();
      this.t.runOutputs = outputs;
      this.finish(outputs, failures);
    } catch (err) {
      if (err instanceof Cancelled) {
        await this.canceled();
        return;
      }
      const reason = err instanceof BuildFailure ? err.message : `Internal error: ${(err as Error).message}`;
      await this.endLog(false);
      const message = failureMessage(reason, this.log?.url, this.op.id);
      Object.assign(this.status(), { runState: 'Failed', endTime: goTime(), message });
      delete this.status().runSubState;
      this.ctx.ops.finish(this.op, 'Failed', { code: 'InternalOperationError', message });
    }
  }

  private async endLog(success: boolean): Promise<void> {
    if (!this.log) return;
    try {
      if (!success) await this.log.err("Build 'azure-arm' errored after some time: Packer build command has failed: exit status 1");
      await this.log.plain('(telemetry) Finalizing. - This means the build has finished', 'Done exporting Packer logs to Azure Storage.');
      await this.log.flush();
    } catch {
      // The log is evidence, not the outcome: a storage hiccup must not change the run's result.
    }
  }

  private finish(outputs: RunOutput[], failures: DistributionFailure[]): void {
    const s = this.status();
    s.endTime = goTime();
    delete s.runSubState;
    if (failures.length === 0) {
      s.runState = 'Succeeded';
      s.message = '';
      this.ctx.ops.finish(this.op, 'Succeeded');
      return;
    }
    const total = outputs.length + failures.length;
    const detail = failures.map((f) => `[runOutputName: ${f.runOutputName}, type: ${f.type}, error: ${f.message}]`).join(', ');
    const message =
      `Distribution of ${failures.length} out of ${total} artifacts failed: ${detail}. ` +
      `Image Build log location: ${this.log?.url ?? 'unavailable'}. OperationId: ${this.op.id}. Use this operationId when engaging Azure support.`;
    s.message = message;
    if (outputs.length > 0) {
      s.runState = 'PartiallySucceeded';
      this.ctx.ops.finish(this.op, 'Succeeded');
    } else {
      s.runState = 'Failed';
      this.ctx.ops.finish(this.op, 'Failed', { code: 'DistributionFailed', message });
    }
  }

  private async canceled(): Promise<void> {
    if (this.ctx.shutdown.signal.aborted) return;
    const s = this.status();
    // The cancel route already wrote the recorded Canceling state; this covers any other abort.
    if (s.runState !== 'Canceling') Object.assign(s, { runState: 'Canceling', message: 'Canceling image build' });
    delete s.runSubState;
    try {
      await this.log?.err('==> azure-arm: Build was cancelled.');
    } catch {
      // See endLog.
    }
    // Canceling lasts cancelMs (minutes in RECORDED_TIMING), and longer while a test holds it;
    // only the emulator's shutdown cuts it short.
    await this.ctx.sleep(this.ctx.timing().cancelMs);
    await this.ctx.cancelingReleased();
    await this.endLog(false);
    Object.assign(s, { runState: 'Canceled', endTime: goTime(), message: 'Build was canceled by the user.' });
    delete s.runSubState;
    this.ctx.ops.finish(this.op, 'Canceled', { code: 'OperationCanceled', message: 'The image build was canceled.' });
  }

  // ---- Building: the source must exist, as the service checks before it starts a VM --------

  private async checkSource(): Promise<SourceFacts> {
    const source = isRecord(this.props.source) ? this.props.source : {};
    const log = this.log as CustomizationLog;
    const missing = async (what: string): Promise<never> => {
      await log.err(`==> azure-arm: ERROR: -> ${what}`);
      throw new BuildFailure(`Error when validating the source image: ${what}`);
    };
    switch (source.type) {
      case 'PlatformImage': {
        const location = String(this.t.submitted.location);
        const img = this.ctx.world.platformImage(location, String(source.publisher), String(source.offer), String(source.sku), String(source.version));
        if (!img) {
          return missing(
            `Artifact: VMImage was not found. The platform image '${String(source.publisher)}:${String(source.offer)}:${String(source.sku)}:${String(source.version)}' is not available in location '${location}'`,
          );
        }
        if (img.plan && !isRecord(source.planInfo)) {
          return missing(`The platform image '${img.publisher}:${img.offer}:${img.sku}:${img.version}' requires plan information (planInfo) but none was given`);
        }
        this.t.exactVersion = img.version;
        return { osType: img.osType, hyperVGeneration: img.hyperVGeneration ?? 'V1', version: img.version };
      }
      case 'ManagedImage': {
        const id = String(source.imageId);
        const img = this.ctx.world.get(id);
        if (!img || img.type !== TYPES.image) return missing(`The managed image '${id}' was not found or the template identity cannot read it`);
        const p = (img.json.properties as Json | undefined) ?? {};
        const osDisk = ((p.storageProfile as Json | undefined)?.osDisk as Json | undefined) ?? {};
        return { osType: osDisk.osType === 'Windows' ? 'Windows' : 'Linux', hyperVGeneration: p.hyperVGeneration === 'V2' ? 'V2' : 'V1', id };
      }
      case 'SharedImageVersion': {
        const id = String(source.imageVersionId);
        const m = /^(.*\/galleries\/[^/]+\/images\/[^/]+)\/versions\/([^/]+)$/i.exec(id);
        const definition = m ? this.ctx.world.get(m[1] as string) : undefined;
        let versionName = m?.[2];
        if (m && versionName?.toLowerCase() === 'latest') {
          const versions = this.ctx.world.list(TYPES.galleryImageVersion, m[1]).map((r) => lastName(r.id));
          versionName = versions.sort((a, b) => compareVersions(b, a))[0];
        }
        const version = m && versionName ? this.ctx.world.get(`${m[1]}/versions/${versionName}`) : undefined;
        if (!definition || !version) return missing(`The gallery image version '${id}' was not found or the template identity cannot read it`);
        this.t.exactVersion = version.id;
        const dp = (definition.json.properties as Json | undefined) ?? {};
        return { osType: dp.osType === 'Windows' ? 'Windows' : 'Linux', hyperVGeneration: dp.hyperVGeneration === 'V2' ? 'V2' : 'V1', version: versionName, id: version.id };
      }
      default:
        return missing(`Unsupported source type '${String(source.type)}'`);
    }
  }

  // ---- Customizing ----------------------------------------------------------------------------

  private async customizer(c: Json, ms: number): Promise<void> {
    const log = this.log as CustomizationLog;
    const kind = PROVISIONERS[String(c.type)] ?? String(c.type).toLowerCase();
    const name = typeof c.name === 'string' ? c.name : '';
    const isWindows = c.type === 'PowerShell' || c.type === 'WindowsRestart' || c.type === 'WindowsUpdate';
    await log.plain(`(telemetry) Starting provisioner ${kind}`);
    const pause = () => this.ctx.sleep(Math.max(1, Math.floor(ms / 3)), this.signal);
    this.stepCount++;
    switch (c.type) {
      case 'File': {
        const destination = String(c.destination ?? '');
        await log.out(`==> azure-arm: Uploading ${withoutQuery(String(c.sourceUri))} => ${destination}`);
        await this.download(name, String(c.sourceUri), this.expectedChecksums(c));
        await log.out(`    azure-arm: ${destination} uploaded`);
        break;
      }
      case 'Shell':
      case 'PowerShell': {
        const script = isWindows ? `C:/Windows/Temp/script-${this.stepCount}.ps1` : `/tmp/script_${this.stepCount}.sh`;
        if (typeof c.scriptUri === 'string' && c.scriptUri.length > 0) {
          await log.out(`==> azure-arm: Provisioning with ${kind} script: ${script}`);
          await this.download(name, c.scriptUri, this.expectedChecksums(c));
        } else {
          const inline = Array.isArray(c.inline) ? c.inline.map(String) : [];
          await log.out(`==> azure-arm: Provisioning with ${kind} script: ${isWindows ? script : `/tmp/packer-shell${this.stepCount}`}`);
          await pause();
          // A script that first asks the VM's metadata service for a token
          // downloads with that identity from then on, as curl -H Authorization would.
          let vmIdentityToken: (() => Promise<string>) | undefined;
          for (const line of inline) {
            await log.out(`    azure-arm: ${line}`);
            for (const m of line.matchAll(QUOTED_URL)) {
              const url = m[1] as string;
              const imds = this.imdsIdentity(url);
              if (imds !== undefined) {
                vmIdentityToken = () => storageTokenFor(this.ctx, imds);
                continue;
              }
              await this.download(name, url, this.expectedChecksums(c), vmIdentityToken);
            }
          }
        }
        break;
      }
      case 'WindowsRestart':
        await log.out('==> azure-arm: Restarting Machine', '==> azure-arm: Waiting for machine to restart...', '    azure-arm: restarted.', '==> azure-arm: Machine successfully restarted, moving on');
        break;
      case 'WindowsUpdate':
        await log.out('==> azure-arm: Uploading the Windows update elevated script...', '==> azure-arm: Running Windows update...', '    azure-arm: Found 0 updates.');
        break;
      default:
        break;
    }
    await pause();
    if (name !== '' && name === this.ctx.scenario.failCustomizerName) {
      const codes = Array.isArray(c.validExitCodes) ? c.validExitCodes.join(' ') : '0';
      await log.err(`==> azure-arm: Script exited with non-zero exit status: 1. Allowed exit codes are: [${codes}]`);
      throw new BuildFailure(`Error when executing packerizer: Packer build command has failed: exit status 1 (customizer '${name}')`);
    }
    await pause();
    await log.plain(`(telemetry) ending ${kind}`);
  }

  /** sha256Checksum of the customizer, or the 64-hex tokens written in its inline lines. */
  private expectedChecksums(c: Json): string[] {
    const found = new Set<string>();
    if (typeof c.sha256Checksum === 'string' && c.sha256Checksum !== '') found.add(c.sha256Checksum.toLowerCase());
    if (Array.isArray(c.inline)) for (const line of c.inline) for (const m of String(line).matchAll(SHA256_TOKEN)) found.add(m[0].toLowerCase());
    return [...found];
  }

  /**
   * For a token request to the VM's metadata service (169.254.169.254), the
   * identity it names (`msi_res_id`/`mi_res_id`); the build VM has only the
   * identities of vmProfile.userAssignedIdentities, so any other one fails as
   * IMDS fails. undefined when the URL is not a metadata-service request.
   */
  private imdsIdentity(rawUrl: string): string | undefined {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return undefined;
    }
    if (url.hostname !== '169.254.169.254') return undefined;
    const requested = url.searchParams.get('msi_res_id') ?? url.searchParams.get('mi_res_id') ?? '';
    const vmProfile = (this.props.vmProfile ?? {}) as Json;
    const vmIdentities = Array.isArray(vmProfile.userAssignedIdentities) ? vmProfile.userAssignedIdentities.map(String) : [];
    const known = vmIdentities.find((id) => id.toLowerCase() === requested.toLowerCase());
    if (!known) {
      throw new BuildFailure(`Error when executing packerizer: the build VM has no identity '${requested}' (vmProfile.userAssignedIdentities)`);
    }
    return known;
  }

  private async download(customizerName: string, url: string, expected: string[], token: () => Promise<string> = this.storageToken): Promise<void> {
    const log = this.log as CustomizationLog;
    const shown = withoutQuery(url);
    const record = { templateId: this.t.id, runId: this.runId, customizerName, url: shown };
    let fetched;
    try {
      fetched = await fetchArtifact(url, token, this.signal);
    } catch (err) {
      if (this.signal.aborted || this.ctx.shutdown.signal.aborted) throw new Cancelled();
      const status = (err as { status?: number }).status ?? 0;
      this.ctx.world.downloads.push({ ...record, auth: new URL(url).searchParams.has('sig') ? 'sas' : 'bearer', status, bytes: 0, sha256: '' });
      await log.err(`==> azure-arm: Error downloading ${shown}: ${(err as Error).message}`);
      throw new BuildFailure(`Error when executing packerizer: failed to download '${shown}': ${(err as Error).message}`);
    }
    let entries: string[] | undefined;
    try {
      entries = await listArchiveEntries(fetched.data);
    } catch (err) {
      await log.err(`==> azure-arm: ${shown} is not a readable archive: ${(err as Error).message}`);
    }
    this.ctx.world.downloads.push({
      ...record,
      auth: fetched.auth,
      status: fetched.status,
      bytes: fetched.data.length,
      sha256: fetched.sha256,
      ...(expected[0] ? { expectedSha256: expected[0] } : {}),
      ...(entries ? { entries } : {}),
    });
    await log.out(`    azure-arm: Downloaded ${shown} (${fetched.data.length} bytes)`);
    if (expected.length > 0 && !expected.includes(fetched.sha256)) {
      await log.err(`==> azure-arm: Checksum mismatch for ${shown}: expected sha256 ${expected[0]}, got ${fetched.sha256}`);
      throw new BuildFailure(`Error when executing packerizer: sha256 checksum mismatch for '${shown}'`);
    }
    if (entries) await log.out(`    azure-arm: Archive holds ${entries.length} entries`);
  }

  // ---- Distributing -----------------------------------------------------------------------------

  private async distribute(source: SourceFacts, msEach: number) {
    const outputs: RunOutput[] = [];
    const failures: DistributionFailure[] = [];
    const distribute = Array.isArray(this.props.distribute) ? this.props.distribute.filter(isRecord) : [];
    for (const d of distribute) {
      await this.ctx.sleep(msEach, this.signal);
      try {
        outputs.push(await distributeOne(this.ctx, this.t, d, source, this.staging as StagingAccount, this.runId, this.storageToken));
      } catch (err) {
        if (err instanceof Cancelled) throw err;
        failures.push({ runOutputName: String(d.runOutputName), type: String(d.type), message: (err as Error).message });
      }
    }
    return { outputs, failures };
  }
}

