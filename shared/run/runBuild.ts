/** The build run: preflight, stage, submit, watch, finish and clean up. */
import type { ImageBuilderConfig, PipelineContext } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import type { BuildRunOutcome } from './outcome';
import type { ServiceConnection } from '../ports/serviceConnection';
import { LocalizedError } from '../core/localizedError';
import { buildImageTemplate, summarizeTemplate, type ImageTemplateBody } from '../template';
import type { BuildServices, StagedUpload } from '../ports/buildServices';
import { createAzureBuildServices } from '../azure/buildServices';
import { watchRun, type WatchResult } from './watchRun';
import { reportSuccess, reportFailure } from './finish';
import { uploadSummaryFile } from './summaryFile';
import { cleanUp, type CleanupReport, type CreatedResources } from './cleanup';
import { realClock, type Clock } from '../core/clock';
import { replaceOwnLeftover } from './ownLeftover';
import { ownershipTags, withOwnershipTags } from './ownership';
import { sweepLeftovers } from './sweep';
import { escapeMarkdown } from '../core/markdown';
import { preflight } from './preflightStep';
import { fingerprintStep } from './fingerprintStep';
import { withFingerprintTag } from '../template/fingerprint';
import { TaskPhases, type TaskPhaseTiming } from './taskPhases';
import { waitBudgetLine } from '../watch/waitBudget';
import { formatDuration } from '../core/format';
import type { TemplateStep } from '../watch/logSections';

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

/**
 * From a known template to a finished image: stage, submit, run, watch,
 * publish, clean up. Whatever happens, the finally block removes what this
 * run created, as the cleanup policy says.
 */
export async function runBuild(request: BuildRunRequest): Promise<BuildRunOutcome> {
  const { host, config, cancellation } = request;
  const clock = request.clock ?? realClock;
  const services = request.services ?? createAzureBuildServices(request.connection, host, config);
  const created: CreatedResources = { template: false };
  let outcome: BuildRunOutcome = { result: 'Failed', message: host.loc('BuildFailed', config.target.templateName) };
  let watch: WatchResult | undefined;
  let body: ImageTemplateBody | undefined;
  let pinnedPlatformVersion: string | undefined;
  let pinnedGalleryVersionId: string | undefined;
  const phases = new TaskPhases(clock.now);
  const environment = request.connection.environment;
  let preflightSection: string | undefined;
  try {
    throwIfCancelled(cancellation);
    host.info(waitBudgetLine(host, config.buildVm.buildTimeoutInMinutes));
    if (config.preflight) {
      phases.start('preflight');
      const checked = await preflight({ host, config, services, subscriptionId: request.connection.subscriptionId, cancellation });
      preflightSection = checked.markdown;
      phases.stop();
      // Nothing exists yet, so an early return needs no cleanup.
      if (checked.stop) return checked.stop;
    }
    // Before anything is uploaded: earlier runs' leftovers go (their deletion is
    // only requested), and one of this run's own name that is still building stops the run here.
    if (config.sweepLeftovers) await sweepLeftovers({ host, config, services, signal: cancellation, now: clock.now });
    await replaceOwnLeftover({ host, config, services, signal: cancellation, clock });
    const source = config.source;
    if (source.kind === 'platformImage' && source.pinLatestVersion && source.version.toLowerCase() === 'latest') {
      pinnedPlatformVersion = await services.resolveLatestPlatformVersion(source, config.target.location, cancellation);
      host.info(host.loc('PinnedPlatformVersion', `${source.publisher}:${source.offer}:${source.sku}`, pinnedPlatformVersion));
    }
    if (source.kind === 'galleryImageVersion' && /\/versions\/latest\/?$/i.test(source.imageVersionId)) {
      pinnedGalleryVersionId = await services.resolveLatestGalleryVersion(source.imageVersionId, config.target.location, cancellation);
      host.info(host.loc('PinnedGalleryVersion', source.imageVersionId, pinnedGalleryVersionId));
    }

    // Before anything is uploaded or created: with skipUnchanged an unchanged build ends here.
    const { fingerprint, skipped } = await fingerprintStep({ host, config, services, pinnedPlatformVersion, pinnedGalleryVersionId, signal: cancellation });
    if (skipped) {
      outcome = skipped;
      return outcome;
    }

    let upload: StagedUpload | undefined;
    if (config.artifacts) {
      phases.start('upload');
      host.info(host.loc('StagingArtifacts', config.artifacts.packagePath, config.artifacts.storageAccountName));
      upload = await services.stageArtifacts(config, (bytes) => host.setProgress(1, host.loc('ProgressUploading', formatBytes(bytes))), cancellation);
      created.upload = upload;
      phases.stop();
    }

    body = buildImageTemplate(config, { artifact: upload?.artifact, pinnedPlatformVersion, pinnedGalleryVersionId });
    // Marks the template as this task's, so a later run can sweep it if this one is cut off.
    body = { ...body, tags: withOwnershipTags(body.tags, ownershipTags(config, request.pipeline)) };
    // What the build produces carries the fingerprint, so a later run can tell it is current.
    body = withFingerprintTag(body, fingerprint);
    host.info(host.loc('TemplateName', config.target.templateName));
    for (const line of summarizeTemplate(body)) host.info(`  ${line}`);

    // A failed PUT can still leave a template behind, so it counts as ours from here on.
    created.template = true;
    phases.start('create');
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
    phases.start('build');
    watch = await watchRun({ host, config, services, cancellation, steps: templateSteps(body), clock });
    phases.stop();
    created.stagingResourceGroup = watch.stagingResourceGroup;

    if (watch.kind === 'canceled') {
      outcome = { result: 'Canceled', message: host.loc('BuildCanceled', config.target.templateName) };
    } else if (watch.kind === 'succeeded' || watch.kind === 'partiallySucceeded') {
      const success = await reportSuccess({ host, config, environment, services, body, watch, pinnedPlatformVersion, preflightSection, taskPhases: phases.list() });
      created.defaultVhdProduced = success.defaultVhdProduced;
      outcome = { result: success.result, message: success.message, summary: success.summary };
    } else {
      outcome = reportFailure({ host, config, environment, body, watch, pinnedPlatformVersion, preflightSection, taskPhases: phases.list() });
    }
  } catch (err) {
    if (cancellation.aborted) {
      outcome = { result: 'Canceled', message: host.loc('BuildCanceled', config.target.templateName) };
    } else {
      phases.stop();
      outcome = reportFailure({ host, config, environment, body, watch, pinnedPlatformVersion, preflightSection, taskPhases: phases.list(), error: err });
    }
  } finally {
    phases.start('cleanup');
    const report = await cleanUp({ host, config, services, created, outcome: outcome.result, clock });
    phases.stop();
    attachSummary(host, config, outcome, report, phases.list().find((p) => p.phase === 'cleanup'));
  }
  return outcome;
}

/**
 * One summary tab per step: the run's own summary (when it got that far) with
 * cleanup's account of what it did and what is left, the last word of a cancelled run.
 */
function attachSummary(host: TaskHost, config: ImageBuilderConfig, outcome: BuildRunOutcome, report: CleanupReport, timing?: TaskPhaseTiming): void {
  const cleanup =
    report.lines.length === 0
      ? undefined
      : [
          `## ${escapeMarkdown(host.loc('CleanupSummaryTitle', config.target.templateName, outcome.result))}`,
          '',
          ...report.lines.map((line) => `- ${escapeMarkdown(line)}`),
          ...(timing ? [`- ${escapeMarkdown(host.loc('CleanupSummaryTime', formatDuration(timing.durationMs)))}`] : []),
          '',
        ].join('\n');
  const markdown = [outcome.summary, cleanup].filter((part): part is string => part !== undefined).join('\n');
  if (markdown === '') return;
  try {
    uploadSummaryFile(host, config.target.templateName, markdown);
  } catch (err) {
    host.warning(host.loc('CleanupSummaryFailed', (err as Error).message));
  }
}

/** The customizers, then the in-VM validators: the order in which the service runs them and logs them. */
function templateSteps(body: ImageTemplateBody): TemplateStep[] {
  const { customize = [], validate } = body.properties;
  return [...customize, ...(validate?.inVMValidations ?? [])].map((c) => ({ type: c.type, ...(c.name ? { name: c.name } : {}) }));
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
