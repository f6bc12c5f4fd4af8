/** Image template calls (get, create, run, cancel, delete, list) over the SDK, behind the TemplateOperations port. */
import type { ImageBuilderClient, ImageTemplate } from '@azure/arm-imagebuilder';
import type { ImageTemplateBody } from '../template';
import { toSdkImageTemplate } from './sdkModel';
import type { DeleteRequest, ListedTemplate, ResourceGroupTemplates, RunOutputInfo, TemplateOperations, TemplateState } from '../ports/buildServices';
import { failedCreate } from './failedCreate';
import { AzureServiceError } from '../core/serviceFailure';
import { statusOf } from '../core/httpAnswer';

/**
 * How often the SDK polls a create/delete operation when the service gives no
 * Retry-After. Create takes 11 to 39 s on real Azure and happens once per run,
 * so polling often costs few requests. Deletes are only waited for when a
 * leftover of the same name must be gone before the create.
 */
const OPERATION_POLL_MS = 1_000;

/**
 * TemplateOperations over @azure/arm-imagebuilder for one template.
 * Transient HTTP failures are retried by the client's pipeline (shared/azure/retry.ts).
 */
export function createTemplateOperations(
  client: ImageBuilderClient,
  resourceGroup: string,
  templateName: string,
  pollIntervalMs: number = OPERATION_POLL_MS,
): TemplateOperations {
  const ops = client.virtualMachineImageTemplates;
  return {
    async get(signal) {
      try {
        return toState(await ops.get(resourceGroup, templateName, { abortSignal: signal }));
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    },
    async create(body: ImageTemplateBody, signal) {
      // The PUT's answer: its request id for support, and the operation to ask when the create fails.
      let accepted: { headers?: unknown } | undefined;
      try {
        const result = await ops.createOrUpdate(resourceGroup, templateName, toSdkImageTemplate(body), {
          abortSignal: signal,
          updateIntervalInMs: pollIntervalMs,
          onResponse: (raw) => {
            accepted ??= raw;
          },
        });
        const state = toState(result);
        if (state.provisioningState?.toLowerCase() !== 'failed') return state;
        throw await failedCreate({ client, resourceGroup, templateName, acceptedHeaders: accepted?.headers, signal, returned: state.provisioningError ?? {} });
      } catch (err) {
        // A refused PUT (an HTTP error answer) and a cancel are reported as they are.
        if (err instanceof AzureServiceError || signal?.aborted || statusOf(err) !== undefined) throw err;
        // The operation ended Failed: @azure/core-lro throws a plain Error without
        // code or status, so what Azure said is read back from the service.
        throw await failedCreate({ client, resourceGroup, templateName, acceptedHeaders: accepted?.headers, signal, sdkError: err });
      }
    },
    requestDelete(signal) {
      return requestTemplateDelete(client, resourceGroup, templateName, signal);
    },
    async startRun(signal) {
      // Only the request is awaited: the run operation stays InProgress for the
      // whole build, and the template's lastRunStatus says much more than it.
      try {
        await ops.run(resourceGroup, templateName, { abortSignal: signal }).submitted();
      } catch (err) {
        // A retry of a POST whose first attempt reached the service (the
        // connection reset after sending) is refused because the build is
        // already running: that run is ours.
        if (statusOf(err) !== 409) throw err;
        const current = await ops.get(resourceGroup, templateName, { abortSignal: signal });
        if (current.lastRunStatus?.runState !== 'Running') throw err;
      }
    },
    async cancelRun() {
      await ops.cancel(resourceGroup, templateName).submitted();
    },
    async runOutputs() {
      const outputs: RunOutputInfo[] = [];
      for await (const output of ops.listRunOutputs(resourceGroup, templateName)) {
        outputs.push({
          name: output.name ?? '',
          artifactId: output.artifactId,
          artifactUri: output.artifactUri,
          provisioningState: output.provisioningState,
        });
      }
      return outputs;
    },
  };
}

/** The resource group's templates, for the sweep of earlier leftovers. */
export function createResourceGroupTemplates(client: ImageBuilderClient, resourceGroup: string): ResourceGroupTemplates {
  return {
    async list(signal) {
      const found: ListedTemplate[] = [];
      for await (const template of client.virtualMachineImageTemplates.listByResourceGroup(resourceGroup, { abortSignal: signal })) {
        found.push({ ...toState(template), name: template.name ?? '' });
      }
      return found;
    },
    requestDelete(name, signal) {
      return requestTemplateDelete(client, resourceGroup, name, signal);
    },
  };
}

/**
 * Sends the DELETE and awaits only Azure's answer to it: real Azure keeps the
 * delete operation InProgress for minutes (139 s recorded), longer than a
 * cancel may take and more than a finished build should wait.
 */
async function requestTemplateDelete(client: ImageBuilderClient, resourceGroup: string, name: string, signal?: AbortSignal): Promise<DeleteRequest> {
  let status: number | undefined;
  try {
    await client.virtualMachineImageTemplates
      .delete(resourceGroup, name, { abortSignal: signal, onResponse: (response) => void (status = response.status) })
      .submitted();
  } catch (err) {
    const code = statusOf(err) ?? status;
    if (code === 404) return { kind: 'gone' };
    if (code === 409) return { kind: 'refused', reason: (err as Error).message };
    throw err;
  }
  return status === 202 ? { kind: 'accepted' } : { kind: 'gone' };
}

function toState(template: ImageTemplate): TemplateState {
  return {
    id: template.id ?? '',
    provisioningState: template.provisioningState,
    provisioningError: template.provisioningError
      ? { code: template.provisioningError.provisioningErrorCode, message: template.provisioningError.message }
      : undefined,
    lastRunStatus: template.lastRunStatus,
    exactStagingResourceGroup: template.exactStagingResourceGroup,
    tags: template.tags ?? {},
    distributesToDefaultVhd: (template.distribute ?? []).some((d) => d.type === 'VHD' && !(d as { uri?: string }).uri),
  };
}
