import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost, TaskOutcome } from '../host/types';
import type { ServiceConnection } from '../azure/serviceConnection';
import { LocalizedError } from '../host/localizedError';
import { buildImageTemplate, summarizeTemplate, type ImageTemplateBody } from '../template';
import type { BuildServices, StagedUpload, TemplateState } from './buildServices';
import { createAzureBuildServices } from './azureBuildServices';
import { watchRun, type WatchResult } from './watchRun';
import { reportSuccess, reportFailure } from './finish';
import { cleanUp, type CreatedResources } from './cleanup';
import { preflight } from './preflightStep';

export interface BuildRunRequest {
  host: TaskHost;
  config: ImageBuilderConfig;
  connection: ServiceConnection;
  cancellation: AbortSignal;
  /** Injected in tests; the Azure SDK implementation otherwise. */
  services?: BuildServices;
}

export interface BuildRunOutcome {
  result: TaskOutcome;
  message: string;
}

/** Runs states that mean "the service is still working on it". */
const ACTIVE_RUN_STATES = new Set(['running', 'canceling']);

/**
 * From a known template to a finished image: stage, submit, run, watch,
 * publish, clean up. Whatever happens, the finally block removes what this
 * run created, as the cleanup policy says.
 */
export async function runBuild(request: BuildRunRequest): Promise<BuildRunOutcome> {
  const { host, config, cancellation } = request;
  const services = request.services ?? createAzureBuildServices(request.connection, host, config);
  const created: CreatedResources = { template: false };
  let outcome: BuildRunOutcome = { result: 'Failed', message: host.loc('BuildFailed', config.target.templateName) };
  let watch: WatchResult | undefined;
  let body: ImageTemplateBody | undefined;
  let pinnedPlatformVersion: string | undefined;
  const environment = request.connection.environment;
  let preflightSection: string | undefined;
  try {
    throwIfCancelled(cancellation);
    if (config.preflight) {
      const checked = await preflight({ host, config, services, subscriptionId: request.connection.subscriptionId, cancellation });
      preflightSection = checked.markdown;
      // Nothing exists yet, so an early return needs no cleanup.
      if (checked.stop) return checked.stop;
    }
    // Before anything is uploaded: a leftover that is still building stops the run here.
    await removeLeftover(services, host, config, cancellation);
    const source = config.source;
    if (source.kind === 'platformImage' && source.pinLatestVersion && source.version.toLowerCase() === 'latest') {
      pinnedPlatformVersion = await services.resolveLatestPlatformVersion(source, config.target.location, cancellation);
      host.info(host.loc('PinnedPlatformVersion', `${source.publisher}:${source.offer}:${source.sku}`, pinnedPlatformVersion));
    }

    let upload: StagedUpload | undefined;
    if (config.artifacts) {
      host.info(host.loc('StagingArtifacts', config.artifacts.packagePath, config.artifacts.storageAccountName));
      upload = await services.stageArtifacts(config, (bytes) => host.setProgress(1, host.loc('ProgressUploading', formatBytes(bytes))), cancellation);
      created.upload = upload;
    }

    body = buildImageTemplate(config, { artifact: upload?.artifact, pinnedPlatformVersion });
    host.info(host.loc('TemplateName', config.target.templateName));
    for (const line of summarizeTemplate(body)) host.info(`  ${line}`);

    // A failed PUT can still leave a template behind, so it counts as ours from here on.
    created.template = true;
    host.info(host.loc('CreatingTemplate', config.target.templateName, config.target.resourceGroup));
    const state = await services.templates.create(body, cancellation);
    if (state.provisioningState?.toLowerCase() === 'failed') {
      throw new LocalizedError('TemplateProvisioningFailed', [
        state.provisioningError?.code ?? 'Other',
        state.provisioningError?.message ?? '',
      ]);
    }

    throwIfCancelled(cancellation);
    host.info(host.loc('StartingBuild'));
    await services.templates.startRun(cancellation);
    watch = await watchRun({ host, config, services, cancellation });
    created.stagingResourceGroup = watch.stagingResourceGroup;

    if (watch.kind === 'canceled') {
      outcome = { result: 'Canceled', message: host.loc('BuildCanceled', config.target.templateName) };
    } else if (watch.kind === 'succeeded' || watch.kind === 'partiallySucceeded') {
      const success = await reportSuccess({ host, config, environment, services, body, watch, pinnedPlatformVersion, preflightSection });
      created.defaultVhdProduced = success.defaultVhdProduced;
      outcome = { result: success.result, message: success.message };
    } else {
      outcome = reportFailure({ host, config, environment, body, watch, pinnedPlatformVersion, preflightSection });
    }
  } catch (err) {
    if (cancellation.aborted) {
      outcome = { result: 'Canceled', message: host.loc('BuildCanceled', config.target.templateName) };
    } else {
      outcome = reportFailure({ host, config, environment, body, watch, pinnedPlatformVersion, preflightSection, error: err });
    }
  } finally {
    await cleanUp({ host, config, services, created, outcome: outcome.result });
  }
  return outcome;
}

/**
 * A template of the same name may be left from an earlier attempt of this job.
 * One that is idle is ours to replace; one that is building is not, and
 * deleting it would fail anyway.
 */
async function removeLeftover(services: BuildServices, host: TaskHost, config: ImageBuilderConfig, signal: AbortSignal): Promise<void> {
  const existing: TemplateState | undefined = await services.templates.get(signal);
  if (!existing) return;
  const runState = existing.lastRunStatus?.runState ?? '';
  if (ACTIVE_RUN_STATES.has(runState.toLowerCase())) {
    throw new LocalizedError('TemplateAlreadyRunning', [config.target.templateName, runState]);
  }
  host.info(host.loc('ReplacingLeftoverTemplate', config.target.templateName, runState || existing.provisioningState || 'unknown'));
  await services.templates.delete(signal);
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new LocalizedError('BuildCanceledBeforeStart');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
