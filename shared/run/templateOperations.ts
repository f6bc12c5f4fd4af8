import type { ImageBuilderClient, ImageTemplate } from '@azure/arm-imagebuilder';
import type { ImageTemplateBody } from '../template';
import { toSdkImageTemplate } from '../template';
import type { RunOutputInfo, TemplateOperations, TemplateState } from './buildServices';
import { failedCreate } from './failedCreate';
import { AzureServiceError } from '../azure/serviceFailure';

/**
 * How often the SDK polls a create/delete operation when the service gives no
 * Retry-After. These finish in seconds to minutes and happen once per run, so
 * polling often costs few requests; it matters on cancel, where the delete
 * must finish inside the agent's grace period (7.5 s until SIGTERM).
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
    async delete(signal) {
      try {
        await ops.delete(resourceGroup, templateName, { abortSignal: signal, updateIntervalInMs: pollIntervalMs });
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
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

function toState(template: ImageTemplate): TemplateState {
  return {
    id: template.id ?? '',
    provisioningState: template.provisioningState,
    provisioningError: template.provisioningError
      ? { code: template.provisioningError.provisioningErrorCode, message: template.provisioningError.message }
      : undefined,
    lastRunStatus: template.lastRunStatus,
    exactStagingResourceGroup: template.exactStagingResourceGroup,
  };
}

export function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: number; response?: { status?: number } } | undefined;
  return e?.statusCode ?? e?.response?.status;
}
