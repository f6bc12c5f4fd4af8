/**
 * AzureImageVersionPromote@1 from inputs to result: checks the inputs before
 * any call to Azure, signs in with the shared service connection code, and
 * hands the version to promoteVersion.
 */
import { createAzureClients } from '../../../../shared/azure/clients';
import { createCredential, secretsOf } from '../../../../shared/azure/credentials';
import { createGalleryVersionStore } from '../../../../shared/azure/galleryImageVersions';
import { parseGalleryImageId, parseResourceId } from '../../../../shared/config/resourceId';
import { LocalizedError } from '../../../../shared/core/localizedError';
import { isActionAllowed } from '../../../../shared/preflight/actionMatcher';
import { ArmPreflightReader } from '../../../../shared/azure/armReader';
import type { TaskEnvironment } from '../../../../shared/ports/taskEnvironment';
import { promoteVersion, VERSION_WRITE_ACTION, type PromoteAction } from './promote';

const ACTIONS: readonly PromoteAction[] = ['promote', 'demote'];

export async function runPromote(env: TaskEnvironment): Promise<void> {
  const { host } = env;
  // The inputs of this task are not the builder's; task-lib reads any name.
  const input = env.input as (name: string) => string | undefined;
  try {
    const connectionId = input('azureSubscription')?.trim() ?? '';
    if (!connectionId) throw new LocalizedError('InputRequired', ['azureSubscription']);
    const versionId = (input('galleryImageVersionId') ?? '').trim();
    const reference = parseGalleryImageId(versionId);
    const parsed = parseResourceId(versionId);
    if (!reference?.version || !parsed || reference.version.toLowerCase() === 'latest') {
      throw new LocalizedError('PromoteInvalidVersionId', [versionId]);
    }
    const action = (input('action') ?? 'promote').trim().toLowerCase() as PromoteAction;
    if (!ACTIONS.includes(action)) throw new LocalizedError('PromoteInvalidAction', [action]);

    const connection = env.serviceConnection(connectionId);
    const onSecret = (value: string) => host.setSecret(value);
    for (const secret of secretsOf(connection)) onSecret(secret);
    const credential = createCredential(connection, { onSecret });
    // The version may live in another subscription than the connection's default.
    const clients = createAzureClients({ ...connection, subscriptionId: parsed.subscriptionId }, credential, { onSecret });
    const store = createGalleryVersionStore(clients.compute, {
      resourceGroup: parsed.resourceGroup,
      gallery: parsed.segments[0]!.name,
      image: parsed.segments[1]!.name,
      version: reference.version,
    });
    const reader = new ArmPreflightReader(clients, connection);
    const outcome = await promoteVersion({
      host,
      versionId,
      action,
      store,
      mayWrite: async (signal) => isActionAllowed(await reader.getPermissions(versionId, signal), VERSION_WRITE_ACTION),
      signal: env.cancellation,
    });
    host.complete(outcome.result, outcome.message);
  } catch (err) {
    const message = err instanceof LocalizedError ? err.format(host.loc.bind(host)) : host.loc('PromoteUnexpectedError', String((err as Error)?.message ?? err));
    host.error(message);
    host.complete('Failed', message);
  }
}
