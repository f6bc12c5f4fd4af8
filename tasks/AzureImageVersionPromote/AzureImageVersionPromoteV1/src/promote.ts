/**
 * Promote or demote one gallery image version: make it eligible as `latest`
 * (publishingProfile.excludeFromLatest false) once it has been validated, or
 * take it back out. Checks before writing, writes only when something changes,
 * and reads the result back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GalleryVersionState, GalleryVersionStore } from '../../../../shared/azure/galleryImageVersions';
import type { TaskHost, TaskOutcome } from '../../../../shared/core/taskHost';
import { escapeMarkdown } from '../../../../shared/core/markdown';

export type PromoteAction = 'promote' | 'demote';

export const VERSION_WRITE_ACTION = 'Microsoft.Compute/galleries/images/versions/write';

export interface PromoteRequest {
  host: TaskHost;
  versionId: string;
  action: PromoteAction;
  store: GalleryVersionStore;
  /** Whether the connection's role assignments allow VERSION_WRITE_ACTION on the version. */
  mayWrite(signal?: AbortSignal): Promise<boolean>;
  signal?: AbortSignal;
}

export interface PromoteOutcome {
  result: TaskOutcome;
  message: string;
}

export async function promoteVersion(request: PromoteRequest): Promise<PromoteOutcome> {
  const { host, versionId, action, store, signal } = request;
  const wanted = action === 'demote';
  const before = await store.read(signal);
  const refused = refusal(host, versionId, before);
  if (refused) return finish(host, versionId, 'Failed', refused);
  const current = before as GalleryVersionState;
  if (current.excludeFromLatest === wanted) {
    const message = host.loc(wanted ? 'PromoteAlreadyDemoted' : 'PromoteAlreadyPromoted', versionId);
    host.info(message);
    return finish(host, versionId, 'Succeeded', message, [host.loc('PromoteSummaryState', String(wanted), String(current.excludeFromLatest))]);
  }
  if (!(await request.mayWrite(signal))) {
    return finish(host, versionId, 'Failed', host.loc('PromotePermissionMissing', versionId, VERSION_WRITE_ACTION));
  }
  host.info(host.loc('PromoteUpdating', String(wanted), versionId));
  await store.setExcludeFromLatest(wanted, signal);
  const after = await store.read(signal);
  if (after?.excludeFromLatest !== wanted) {
    return finish(host, versionId, 'Failed', host.loc('PromoteNotApplied', versionId, String(after?.excludeFromLatest), String(wanted)));
  }
  const message = host.loc(wanted ? 'DemoteDone' : 'PromoteDone', versionId);
  host.info(message);
  return finish(host, versionId, 'Succeeded', message, [host.loc('PromoteSummaryState', String(wanted), String(current.excludeFromLatest))]);
}

/** Why the version may not be touched: missing, not provisioned, or not replicated everywhere. */
function refusal(host: TaskHost, versionId: string, state: GalleryVersionState | undefined): string | undefined {
  if (!state) return host.loc('PromoteVersionNotFound', versionId);
  if ((state.provisioningState ?? '').toLowerCase() === 'failed') return host.loc('PromoteVersionFailed', versionId, state.provisioningState);
  if (state.failedRegions.length > 0) return host.loc('PromoteReplicationFailed', versionId, state.failedRegions.join(', '));
  return undefined;
}

function finish(host: TaskHost, versionId: string, result: TaskOutcome, message: string, details: string[] = []): PromoteOutcome {
  if (result === 'Failed') host.error(message);
  const markdown = [
    `## ${escapeMarkdown(host.loc('PromoteSummaryTitle', versionId))}`,
    '',
    `- ${escapeMarkdown(message)}`,
    ...details.map((d) => `- ${escapeMarkdown(d)}`),
    '',
  ].join('\n');
  try {
    const file = path.join(host.tempDirectory(), `promote-${versionId.split('/').slice(-5).join('-')}-summary.md`);
    fs.writeFileSync(file, markdown);
    host.uploadSummary(file);
  } catch (err) {
    host.warning(host.loc('PromoteSummaryFailed', (err as Error).message));
  }
  return { result, message };
}
