/** Reads why a template create failed from its async operation, for the failure report. */
import type { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { AzureServiceError, requestIdOf } from '../core/serviceFailure';
import { headerOf } from '../core/httpAnswer';

interface FailedCreateArgs {
  client: ImageBuilderClient;
  resourceGroup: string;
  templateName: string;
  /** Headers of the PUT's answer (Azure-AsyncOperation, request ids). */
  acceptedHeaders?: unknown;
  signal?: AbortSignal;
  /** What the SDK threw, kept as the cause and as the last resort for the text. */
  sdkError?: unknown;
  /** The template as the finished create returned it, when it came back Failed without an error thrown. */
  returned?: { code?: string; message?: string };
}

interface OperationError {
  code?: string;
  message?: string;
}

/**
 * What Azure said about a create that did not succeed: the operation's error
 * (its code, e.g. Unauthorized, is more telling than the template's "Other")
 * and the template's provisioningError. Returns the SDK's own error when the
 * service does not confirm a failure (a lost connection, for instance).
 */
export async function failedCreate(args: FailedCreateArgs): Promise<unknown> {
  const [operation, template] = await Promise.all([operationError(args), templateError(args)]);
  const code = operation?.code ?? template?.code ?? args.returned?.code;
  const message = operation?.message ?? template?.message ?? args.returned?.message;
  if (!operation && !template?.failed && !args.returned) return args.sdkError;
  const requestId = requestIdOf(args.acceptedHeaders) ?? template?.requestId;
  return new AzureServiceError(
    {
      step: 'create',
      ...(code ? { code } : {}),
      // The SDK's text is the last resort only: it is the service's words behind an SDK prefix.
      message: message ?? sdkMessage(args.sdkError),
      ...(requestId ? { requestId } : {}),
    },
    { cause: args.sdkError },
  );
}

/** The error of the create operation, read from its Azure-AsyncOperation status resource. */
async function operationError(args: FailedCreateArgs): Promise<OperationError | undefined> {
  const url = headerOf(args.acceptedHeaders, 'azure-asyncoperation');
  if (!url) return undefined;
  try {
    const response = await args.client.pipeline.sendRequest(
      createDefaultHttpClient(),
      createPipelineRequest({ url, method: 'GET', abortSignal: args.signal }),
    );
    if (response.status !== 200 || !response.bodyAsText) return undefined;
    const body = JSON.parse(response.bodyAsText) as { status?: unknown; error?: { code?: unknown; message?: unknown } };
    if (typeof body.status !== 'string' || body.status.toLowerCase() !== 'failed') return undefined;
    const code = typeof body.error?.code === 'string' && body.error.code ? body.error.code : undefined;
    const message = typeof body.error?.message === 'string' && body.error.message ? body.error.message : undefined;
    return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
  } catch {
    // The template's provisioningError says the same; this read only adds the code.
    return undefined;
  }
}

async function templateError(
  args: FailedCreateArgs,
): Promise<{ failed: boolean; code?: string; message?: string; requestId?: string } | undefined> {
  let headers: unknown;
  try {
    const template = await args.client.virtualMachineImageTemplates.get(args.resourceGroup, args.templateName, {
      abortSignal: args.signal,
      onResponse: (raw) => {
        headers = raw.headers;
      },
    });
    const failed = template.provisioningState?.toLowerCase() === 'failed';
    const code = template.provisioningError?.provisioningErrorCode;
    const message = template.provisioningError?.message;
    const requestId = requestIdOf(headers);
    return { failed, ...(code ? { code } : {}), ...(message ? { message } : {}), ...(requestId ? { requestId } : {}) };
  } catch {
    return undefined;
  }
}

function sdkMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error ?? '');
}
