/** Tags that mark a template as made by this task, and reading them back. */
import { stepKey } from '../config/names';
import type { CleanupPolicy, ImageBuilderConfig, PipelineContext } from '../config/types';

/**
 * Tags that mark an image template as made by this task, so a later run can
 * tell its own leftovers from templates of other tools and people. Tag names
 * are case-insensitive in Azure; values are compared without case too.
 */
const OWNER_TAG = 'createdBy';
const OWNER_VALUE = 'AzureImageBuilder@1';
/** The cleanup policy of the run that made it: the sweep keeps what that run meant to keep. */
const CLEANUP_TAG = 'imageBuilderCleanup';
/** `<project>/<build id>/<job attempt>`: where to look when someone asks whose template this is. */
const RUN_TAG = 'imageBuilderRun';
/** The step key of the default template name (hash of job and task instance ids). */
const STEP_TAG = 'imageBuilderStep';

export function ownershipTags(config: ImageBuilderConfig, context?: PipelineContext): Record<string, string> {
  const tags: Record<string, string> = { [OWNER_TAG]: OWNER_VALUE, [CLEANUP_TAG]: config.cleanup };
  if (context) {
    tags[RUN_TAG] = `${context.teamProject}/${context.buildId}/${context.jobAttempt}`.slice(0, 256);
    const key = stepKey(context);
    if (key) tags[STEP_TAG] = key;
  }
  return tags;
}

/** The user's tags with the task's own laid over them (a user tag of the same name, in any case, gives way). */
export function withOwnershipTags(userTags: Record<string, string> | undefined, own: Record<string, string>): Record<string, string> {
  const ownNames = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  const kept = Object.entries(userTags ?? {}).filter(([k]) => !ownNames.has(k.toLowerCase()));
  return { ...Object.fromEntries(kept), ...own };
}

function tagValue(tags: Record<string, string> | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(tags ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function isOwnedByTask(tags: Record<string, string> | undefined): boolean {
  return tagValue(tags, OWNER_TAG)?.toLowerCase() === OWNER_VALUE.toLowerCase();
}

export function cleanupPolicyOf(tags: Record<string, string> | undefined): CleanupPolicy | undefined {
  const value = tagValue(tags, CLEANUP_TAG);
  return value === 'always' || value === 'onSuccess' || value === 'never' ? value : undefined;
}
