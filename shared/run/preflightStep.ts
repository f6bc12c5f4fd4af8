/** Runs the preflight checks within a build run and reports them. */
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import { preflightMarkdown, reportPreflight, runPreflight } from '../preflight';
import type { BuildServices } from '../ports/buildServices';
import { uploadSummaryFile } from './summaryFile';
import type { BuildRunOutcome } from './outcome';

/**
 * The read-only checks before anything is uploaded or created. A failed check
 * ends the task here; with `preflightOnly` the task ends here anyway, which is
 * what a pull-request pipeline wants.
 */
export async function preflight(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  subscriptionId: string;
  cancellation: AbortSignal;
}): Promise<{ markdown: string; stop?: BuildRunOutcome }> {
  const { host, config, services } = args;
  const outcome = await runPreflight({ config, subscriptionId: args.subscriptionId, reader: services.preflightReader(), signal: args.cancellation });
  const verdict = reportPreflight(host, outcome);
  const markdown = preflightMarkdown(outcome, host.loc.bind(host));
  if (outcome.verdict === 'failed') {
    uploadSummaryFile(host, config.target.templateName, markdown);
    return { markdown, stop: { result: 'Failed', message: verdict } };
  }
  if (config.preflightOnly) {
    uploadSummaryFile(host, config.target.templateName, markdown);
    const hasWarnings = outcome.results.some((r) => r.status === 'warning');
    return { markdown, stop: { result: hasWarnings ? 'SucceededWithIssues' : 'Succeeded', message: verdict } };
  }
  return { markdown };
}
