import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost, TaskOutcome } from '../host/types';
import type { BuildServices, StagedUpload } from './buildServices';

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

/** Removes what the decision says; a failure here is a warning, never a failed build. */
export async function cleanUp(args: {
  host: TaskHost;
  config: ImageBuilderConfig;
  services: BuildServices;
  created: CreatedResources;
  outcome: TaskOutcome;
}): Promise<void> {
  const { host, config, services, created, outcome } = args;
  if (!created.template && !created.upload) return;
  const decision = decideCleanup(config, outcome, created.defaultVhdProduced ?? false);
  const tasks: Promise<void>[] = [];
  if (created.template && decision.deleteTemplate) {
    host.info(host.loc('DeletingTemplate', config.target.templateName));
    tasks.push(
      services.templates.delete().then(
        () => host.info(host.loc('DeletedTemplate', config.target.templateName)),
        (err) => host.warning(host.loc('CleanupTemplateFailed', config.target.templateName, errorText(err), config.target.resourceGroup)),
      ),
    );
  }
  if (created.upload && decision.deleteUpload) {
    const upload = created.upload;
    tasks.push(
      upload.remove().then(
        () => host.info(host.loc('DeletedArtifactBlob')),
        (err) => host.warning(host.loc('CleanupBlobFailed', errorText(err))),
      ),
    );
  }
  if (decision.keepReason && (created.template || created.upload)) {
    host.info(host.loc(decision.keepReason.messageKey, config.target.templateName, config.target.resourceGroup));
  }
  await Promise.all(tasks);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
