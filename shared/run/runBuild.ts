import type { ImageBuilderConfig, PipelineContext } from '../config/types';
import type { TaskHost, TaskOutcome } from '../host/types';
import type { ServiceConnection } from '../azure/serviceConnection';
import { LocalizedError } from '../host/localizedError';
import { buildImageTemplate, summarizeTemplate, type ImageTemplateBody } from '../template';
import type { BuildServices, StagedUpload } from './buildServices';
import { createAzureBuildServices } from './azureBuildServices';
import { watchRun, type WatchResult } from './watchRun';
import { reportSuccess, reportFailure, uploadSummaryFile } from './finish';
import { cleanUp, type CleanupReport, type CreatedResources } from './cleanup';
import type { Clock } from './clock';
import { replaceOwnLeftover } from './ownLeftover';
import { ownershipTags, withOwnershipTags } from './ownership';
import { sweepLeftovers } from './sweep';
import { escapeMarkdown } from '../report/summary';
import { preflight } from './preflightStep';
import { fingerprintStep } from './fingerprintStep';
import { withFingerprintTag } from '../template/fingerprint';

export interface BuildRunRequest {
  host: TaskHost;
  config: ImageBuilderConfig;
  connection: ServiceConnection;
  cancellation: AbortSignal;
  /** Injected in tests; the Azure SDK implementation otherwise. */
  services?: BuildServices;
  /** The pipeline run and step, recorded in the template's tags. */
  pipeline?: PipelineContext;
  /** Injected in tests; real time otherwise. */
  clock?: Clock;
}

export interface BuildRunOutcome {
  result: TaskOutcome;
  message: string;
  /** The summary tab's Markdown so far; attached once, after cleanup has added its account. */
  summary?: string;
}

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
    // Before anything is uploaded: earlier runs' leftovers go (their deletion is
    // only requested), and one of this run's own name that is still building stops the run here.
    if (config.sweepLeftovers) await sweepLeftovers({ host, config, services, signal: cancellation, now: request.clock?.now });
    await replaceOwnLeftover({ host, config, services, signal: cancellation, clock: request.clock });
    const source = config.source;
    if (source.kind === 'platformImage' && source.pinLatestVersion && source.version.toLowerCase() === 'latest') {
      pinnedPlatformVersion = await services.resolveLatestPlatformVersion(source, config.target.location, cancellation);
      host.info(host.loc('PinnedPlatformVersion', `${source.publisher}:${source.offer}:${source.sku}`, pinnedPlatformVersion));
    }

    // Before anything is uploaded or created: with skipUnchanged an unchanged build ends here.
    const { fingerprint, skipped } = await fingerprintStep({ host, config, services, pinnedPlatformVersion, signal: cancellation });
    if (skipped) {
      outcome = skipped;
      return outcome;
    }

    let upload: StagedUpload | undefined;
    if (config.artifacts) {
      host.info(host.loc('StagingArtifacts', config.artifacts.packagePath, config.artifacts.storageAccountName));
      upload = await services.stageArtifacts(config, (bytes) => host.setProgress(1, host.loc('ProgressUploading', formatBytes(bytes))), cancellation);
      created.upload = upload;
    }

    body = buildImageTemplate(config, { artifact: upload?.artifact, pinnedPlatformVersion });
    // Marks the template as this task's, so a later run can sweep it if this one is cut off.
    body = { ...body, tags: withOwnershipTags(body.tags, ownershipTags(config, request.pipeline)) };
    // What the build produces carries the fingerprint, so a later run can tell it is current.
    body = withFingerprintTag(body, fingerprint);
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
      outcome = { result: success.result, message: success.message, summary: success.summary };
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
    const report = await cleanUp({ host, config, services, created, outcome: outcome.result, clock: request.clock });
    attachSummary(host, config, outcome, report);
  }
  return outcome;
}

/**
 * One summary tab per step: the run's own summary (when it got that far) with
 * cleanup's account of what it did and what is left, the last word of a cancelled run.
 */
function attachSummary(host: TaskHost, config: ImageBuilderConfig, outcome: BuildRunOutcome, report: CleanupReport): void {
  const cleanup =
    report.lines.length === 0
      ? undefined
      : [`## ${escapeMarkdown(host.loc('CleanupSummaryTitle', config.target.templateName, outcome.result))}`, '', ...report.lines.map((line) => `- ${escapeMarkdown(line)}`), ''].join('\n');
  const markdown = [outcome.summary, cleanup].filter((part): part is string => part !== undefined).join('\n');
  if (markdown === '') return;
  try {
    uploadSummaryFile(host, config.target.templateName, markdown);
  } catch (err) {
    host.warning(host.loc('CleanupSummaryFailed', (err as Error).message));
  }
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
