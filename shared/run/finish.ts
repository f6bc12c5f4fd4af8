/** The end of a build run: outputs, summary tab, failure report and hints. */
import * as fs from 'node:fs';
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import { LocalizedError } from '../core/localizedError';
import type { ImageTemplateBody } from '../template';
import { buildOutputs, distributionResults, type OutputValues, type RunOutput } from '../report/outputs';
import { renderSummary } from '../report/summary';
import { failureHints } from '../report/failureHints';
import { failureLine, serviceFailureOfError, serviceFailureOfProvisioning, serviceFailureOfRun, type FailureLine } from '../report/serviceFailure';
import { effectiveBuildTimeoutMinutes } from '../core/buildTimeout';
import { describeError } from '../core/format';
import { withoutPackerPrefix } from '../watch/logLines';
import type { BuildServices } from '../ports/buildServices';
import type { WatchResult } from './watchRun';
import type { BuildRunOutcome } from './outcome';
import type { TaskPhaseTiming } from './taskPhases';

/** Lines of customization.log printed with a failure. */
const FAILURE_LOG_LINES = 100;

interface FinishArgs {
  host: TaskHost;
  config: ImageBuilderConfig;
  environment: string;
  body?: ImageTemplateBody;
  watch?: WatchResult;
  pinnedPlatformVersion?: string;
  /** The preflight checklist as Markdown, appended to the summary tab. */
  preflightSection?: string;
  /** The task's own phases so far, for the summary's time per phase. */
  taskPhases?: readonly TaskPhaseTiming[];
}

/**
 * A run that produced images: outputs (isOutput), the summary tab and the full
 * build log. Partial success (some distribution failed) is SucceededWithIssues.
 */
export async function reportSuccess(
  args: FinishArgs & { services: BuildServices; body: ImageTemplateBody; watch: WatchResult },
): Promise<BuildRunOutcome & { defaultVhdProduced: boolean }> {
  const { host, config, body, watch, services } = args;
  // A run output whose distribution failed names no image: it was not produced.
  const listed = await services.templates.runOutputs();
  const failedOutputs = listed.filter((o) => o.provisioningState?.toLowerCase() === 'failed');
  const runOutputs: RunOutput[] = listed.filter((o) => !failedOutputs.includes(o)).map((o) => ({
    name: o.name,
    artifactId: o.artifactId,
    artifactUri: o.artifactUri,
  }));
  const templateState = await services.templates.get().catch(() => undefined);
  const outputs = buildOutputs({
    template: body,
    templateName: config.target.templateName,
    templateId: templateState?.id,
    runOutputs,
    exactStagingResourceGroup: watch.stagingResourceGroup,
    runState: watch.snapshot?.lastRunStatus?.runState,
    platformExactVersion: args.pinnedPlatformVersion,
  });
  publishOutputs(host, outputs);

  const partial = watch.kind === 'partiallySucceeded' || failedOutputs.length > 0;
  const distribution = distributionResults(body, runOutputs);
  const missing = distribution.filter((d) => !d.artifact);
  if (partial) {
    for (const d of missing) host.warning(host.loc('DistributionNotProduced', d.runOutputName, d.target ?? d.kind));
    // The build succeeded, so what the service said about the distribution is a warning, with its hints.
    const failure = serviceFailureOfRun({ ...watch.snapshot?.lastRunStatus, runState: 'PartiallySucceeded' });
    if (failure?.message) {
      host.warning(formatFailureLine(host, failureLine(failure)));
      for (const hint of failureHints({ failure, templateIdentity: config.target.managedIdentity })) host.info(host.loc(hint.key, ...hint.args));
    }
  }
  const result = partial ? 'SucceededWithIssues' : 'Succeeded';
  const summary = renderRunSummary(args, result, { outputs, distribution, templateId: templateState?.id });
  attachLog(host, watch);
  return {
    result,
    summary,
    // A VHD without a uri lives in the staging account, which goes with the template.
    defaultVhdProduced: distribution.some((d) => d.kind === 'vhd' && !d.target && d.artifact !== undefined),
    message: partial
      ? host.loc('BuildPartiallySucceeded', config.target.templateName)
      : host.loc('BuildSucceeded', config.target.templateName),
  };
}

/**
 * A run that failed, before or during the build: what the service said, the
 * end of the build log, the ARM error, and what to do about it.
 */
export function reportFailure(args: FinishArgs & { error?: unknown }): BuildRunOutcome {
  const { host, config, watch, error } = args;
  const lines: string[] = [];
  const say = (line: string) => {
    host.error(line);
    lines.push(line);
  };

  const runStatus = watch?.snapshot?.lastRunStatus;
  const runMessage = runStatus?.message;
  const provisioningError = watch?.snapshot?.provisioningError;
  if (watch?.kind === 'timedOut') say(host.loc('BuildTimedOut', effectiveBuildTimeoutMinutes(config.buildVm.buildTimeoutInMinutes)));
  // One error for what Azure said, whichever step it was: the thrown answer first, then what the watch saw.
  const failure =
    serviceFailureOfError(error) ??
    (watch?.kind === 'pollFailed' ? serviceFailureOfError(watch.error) : undefined) ??
    (watch?.kind === 'failed' ? serviceFailureOfRun(runStatus) : undefined) ??
    (watch?.kind === 'provisioningFailed' ? serviceFailureOfProvisioning(provisioningError) : undefined);
  if (failure) {
    say(formatFailureLine(host, failureLine(failure)));
  } else if (error instanceof LocalizedError) {
    say(error.format(host.loc.bind(host)));
  } else if (error) {
    say(host.loc('UnexpectedError', describeError(error)));
  } else if (watch?.kind === 'pollFailed' && watch.error) {
    say(host.loc('WatchFailed', describeError(watch.error)));
  } else if (runMessage && watch?.kind !== 'timedOut') {
    say(formatFailureLine(host, failureLine({ step: 'run', ...(runStatus?.runSubState ? { code: runStatus.runSubState } : {}), message: runMessage })));
  }

  const logTail = watch?.logTail.slice(-FAILURE_LOG_LINES) ?? [];
  if (logTail.length > 0) {
    host.beginGroup(host.loc('FailureLogTail', logTail.length));
    // Without the Packer prefix, as the live view shows them; the step markers stay to tell where it failed.
    for (const line of logTail) host.info(withoutPackerPrefix(line));
    host.endGroup();
  }
  const hints = failureHints({
    runMessage,
    provisioningError,
    error,
    failure,
    logTail,
    timedOut: watch?.kind === 'timedOut',
    buildTimeoutMinutes: effectiveBuildTimeoutMinutes(config.buildVm.buildTimeoutInMinutes),
    templateIdentity: config.target.managedIdentity,
  });
  for (const hint of hints) {
    const text = host.loc(hint.key, ...hint.args);
    host.info(text);
    lines.push(text);
  }

  const summary = args.body
    ? renderRunSummary(args, 'Failed', { outputs: { templateName: config.target.templateName }, distribution: distributionResults(args.body, []), failure: lines })
    : undefined;
  if (watch) attachLog(host, watch);
  host.setOutput('templateName', config.target.templateName);
  if (watch?.snapshot?.lastRunStatus?.runState) host.setOutput('runState', watch.snapshot.lastRunStatus.runState);
  return { result: 'Failed', message: host.loc('BuildFailed', config.target.templateName), summary };
}

/** The failure line, and the request id a support case needs when Azure gave one. */
function formatFailureLine(host: TaskHost, line: FailureLine): string {
  const text = host.loc(line.key, ...line.args);
  return line.requestId ? `${text} ${host.loc('FailureRequestId', line.requestId)}` : text;
}

function publishOutputs(host: TaskHost, outputs: OutputValues): void {
  host.beginGroup(host.loc('OutputsHeading'));
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    host.setOutput(name, value);
    host.info(`${name} = ${value}`);
  }
  host.endGroup();
}

/**
 * The summary tab's Markdown for a run that got as far as a template body. It is
 * not uploaded here: the build run adds what cleanup did and attaches one tab.
 */
function renderRunSummary(
  args: FinishArgs,
  outcome: string,
  facts: { outputs: OutputValues; distribution: ReturnType<typeof distributionResults>; templateId?: string; failure?: string[] },
): string | undefined {
  const { host, config, body, watch } = args;
  if (!body) return undefined;
  const markdown = renderSummary(
    {
      outcome,
      templateName: config.target.templateName,
      templateId: facts.templateId,
      exactStagingResourceGroup: watch?.stagingResourceGroup,
      template: body,
      platformExactVersion: args.pinnedPlatformVersion,
      distribution: facts.distribution,
      outputs: facts.outputs,
      phases: watch?.phases ?? [],
      taskPhases: args.taskPhases,
      steps: watch?.stepTimings,
      totalMs: watch?.elapsedMs,
      environment: args.environment,
      failure: facts.failure,
    },
    host.loc.bind(host),
  );
  return args.preflightSection ? `${markdown}\n${args.preflightSection}\n` : markdown;
}

function attachLog(host: TaskHost, watch: WatchResult): void {
  if (watch.logFile && fs.existsSync(watch.logFile)) host.uploadLog(watch.logFile);
}
