/** Decides what this run removes of what it created, as the cleanup policy says, and removes it. */
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost, TaskOutcome } from '../core/taskHost';
import type { BuildServices, DeleteRequest, StagedUpload } from '../ports/buildServices';
import { realClock, type Clock } from '../core/clock';

/** What this run created and may have to remove. */
export interface CreatedResources {
  template: boolean;
  upload?: StagedUpload;
  stagingResourceGroup?: string;
  /** A VHD was written to the service's default location (the staging account). */
  defaultVhdProduced?: boolean;
}

export interface CleanupDecision {
  deleteTemplate: boolean;
  deleteUpload: boolean;
  /** Why something is kept, when it is (a task.json message taking template name and resource group). */
  keepReason?: { messageKey: string };
}

/**
 * Pure: what to remove, given the policy and how the run ended.
 * `onSuccess` keeps everything after a failure or cancel so the user can
 * inspect the template and its staging resource group.
 * A VHD written to the service's default location lives in the staging
 * storage account, which is deleted with the template, so a successful VHD
 * build keeps its template (the blob is still removed).
 */
export function decideCleanup(config: ImageBuilderConfig, outcome: TaskOutcome, defaultVhdProduced: boolean): CleanupDecision {
  const succeeded = outcome === 'Succeeded' || outcome === 'SucceededWithIssues';
  if (config.cleanup === 'never') return { deleteTemplate: false, deleteUpload: false, keepReason: { messageKey: 'CleanupKeptByPolicyNever' } };
  if (config.cleanup === 'onSuccess' && !succeeded) {
    return { deleteTemplate: false, deleteUpload: false, keepReason: { messageKey: 'CleanupKeptForInspection' } };
  }
  if (succeeded && defaultVhdProduced) return { deleteTemplate: false, deleteUpload: true, keepReason: { messageKey: 'CleanupKeptForVhd' } };
  return { deleteTemplate: true, deleteUpload: true };
}

/** What cleanup did, as the log said it: also the summary's cleanup section. */
export interface CleanupReport {
  lines: string[];
}

/**
 * After a cancel Azure may refuse the DELETE while the build is Canceling.
 * A fast cancel ends within moments, so the refusal is retried for this
 * long; a real one takes minutes, so the template is then left, named, for
 * the next run's sweep. Short enough to end well before the agent's SIGTERM
 * (7.5 s after SIGINT).
 */
export const REFUSED_DELETE_RETRY_MS = 2_000;
const REFUSED_DELETE_POLL_MS = 500;

/**
 * Removes what the decision says; a failure here is a warning, never a failed
 * build. The template's deletion is requested, not waited for: Azure takes
 * minutes to finish it, and nothing in the run depends on it.
 */
export async function cleanUp(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  created: CreatedResources;
  outcome: TaskOutcome;
  clock?: Clock;
}): Promise<CleanupReport> {
  const { host, config, services, created, outcome } = args;
  const clock = args.clock ?? realClock;
  const report: CleanupReport = { lines: [] };
  const info = (text: string) => (report.lines.push(text), host.info(text));
  const warning = (text: string) => (report.lines.push(text), host.warning(text));
  if (!created.template && !created.upload) return report;
  const name = config.target.templateName;
  const resourceGroup = config.target.resourceGroup;
  const decision = decideCleanup(config, outcome, created.defaultVhdProduced ?? false);
  const tasks: Promise<void>[] = [];
  if (created.template && decision.deleteTemplate) {
    host.info(host.loc('DeletingTemplate', name));
    tasks.push(
      requestDeleteRetryingRefusal(services, clock).then(
        (answer) => {
          if (answer.kind === 'accepted') info(host.loc('TemplateDeletionRequested', name, resourceGroup));
          else if (answer.kind === 'gone') info(host.loc('DeletedTemplate', name));
          else {
            warning(host.loc('TemplateLeftCanceling', name, resourceGroup, answer.reason));
            info(config.sweepLeftovers ? host.loc('TemplateLeftNextRunSweeps', name, resourceGroup) : host.loc('TemplateLeftDeleteYourself', name, resourceGroup));
          }
        },
        (err) => warning(host.loc('CleanupTemplateFailed', name, errorText(err), resourceGroup)),
      ),
    );
  }
  if (created.upload && decision.deleteUpload) {
    const upload = created.upload;
    tasks.push(
      upload.remove().then(
        () => info(host.loc('DeletedArtifactBlob')),
        (err) => warning(host.loc('CleanupBlobFailed', errorText(err))),
      ),
    );
  }
  if (decision.keepReason && (created.template || created.upload)) {
    info(host.loc(decision.keepReason.messageKey, name, resourceGroup));
  }
  await Promise.all(tasks);
  return report;
}

/** DELETE; a refusal (the build still canceling) is retried briefly, then given back. */
async function requestDeleteRetryingRefusal(services: BuildServices, clock: Clock): Promise<DeleteRequest> {
  const until = clock.now() + REFUSED_DELETE_RETRY_MS;
  for (;;) {
    const answer = await services.templates.requestDelete();
    if (answer.kind !== 'refused' || clock.now() + REFUSED_DELETE_POLL_MS > until) return answer;
    await clock.sleep(REFUSED_DELETE_POLL_MS);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
