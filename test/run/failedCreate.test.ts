import * as assert from 'node:assert/strict';
import type { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { AzureServiceError } from '../../shared/core/serviceFailure';
import { failedCreate } from '../../shared/azure/failedCreate';

const OPERATION_URL = 'https://management.azure.com/subscriptions/s/providers/Microsoft.VirtualMachineImages/locations/westus/operations/ABC?api-version=2025-10-01&t=1&c=x&s=y&h=z';
const LRO_ERROR = new Error('The long-running operation has failed. Unauthorized. Not authorized');

/** A client whose operation-status read and template GET answer as scripted; undefined means the read fails. */
function client(script: { operation?: { status: number; body: unknown }; template?: Record<string, unknown>; templateRequestId?: string }) {
  const calls: string[] = [];
  const fake = {
    pipeline: {
      sendRequest: async (_http: unknown, request: { url: string; method: string }) => {
        calls.push(`${request.method} ${request.url}`);
        if (!script.operation) throw new Error('connection reset');
        return { status: script.operation.status, bodyAsText: JSON.stringify(script.operation.body), headers: createHttpHeaders(), request };
      },
    },
    virtualMachineImageTemplates: {
      get: async (_rg: string, _name: string, options: { onResponse?: (raw: { headers: unknown }) => void }) => {
        calls.push('GET template');
        if (!script.template) throw new Error('no answer');
        options.onResponse?.({ headers: createHttpHeaders(script.templateRequestId ? { 'x-ms-request-id': script.templateRequestId } : {}) });
        return script.template;
      },
    },
  };
  return { client: fake as unknown as ImageBuilderClient, calls };
}

const accepted = createHttpHeaders({ 'azure-asyncoperation': OPERATION_URL, 'x-ms-request-id': 'put-rid' });
const failedTemplate = { provisioningState: 'Failed', provisioningError: { provisioningErrorCode: 'Other', message: 'Not authorized to access the resource: /x.' } };

describe('failedCreate: what Azure said about a create that failed', () => {
  it("takes the operation's code and message and the PUT's request id, and reads the signed operation URL as given", async () => {
    const { client: c, calls } = client({
      operation: { status: 200, body: { status: 'Failed', error: { code: 'Unauthorized', message: 'Not authorized to access the resource: /x.' } } },
      template: failedTemplate,
    });
    const error = await failedCreate({ client: c, resourceGroup: 'rg', templateName: 't', acceptedHeaders: accepted, sdkError: LRO_ERROR });
    assert.ok(error instanceof AzureServiceError);
    assert.deepEqual(error.failure, { step: 'create', code: 'Unauthorized', message: 'Not authorized to access the resource: /x.', requestId: 'put-rid' });
    assert.equal(error.cause, LRO_ERROR);
    assert.ok(calls.includes(`GET ${OPERATION_URL}`), calls.join('\n'));
  });

  it("falls back to the template's provisioningError when the operation cannot be read", async () => {
    const { client: c } = client({ template: failedTemplate, templateRequestId: 'get-rid' });
    const error = await failedCreate({ client: c, resourceGroup: 'rg', templateName: 't', acceptedHeaders: createHttpHeaders(), sdkError: LRO_ERROR });
    assert.ok(error instanceof AzureServiceError);
    assert.deepEqual(error.failure, { step: 'create', code: 'Other', message: 'Not authorized to access the resource: /x.', requestId: 'get-rid' });
  });

  it('returns the SDK error itself when the service confirms no failure (a lost connection is not a failed create)', async () => {
    const { client: c } = client({ operation: { status: 200, body: { status: 'InProgress' } }, template: { provisioningState: 'Creating' } });
    const lost = new Error('socket hang up');
    assert.equal(await failedCreate({ client: c, resourceGroup: 'rg', templateName: 't', acceptedHeaders: accepted, sdkError: lost }), lost);
  });

  it('a create that came back Failed without an error keeps what it returned when nothing else can be read', async () => {
    const { client: c } = client({});
    const error = await failedCreate({ client: c, resourceGroup: 'rg', templateName: 't', acceptedHeaders: accepted, returned: { code: 'Other', message: 'quota' } });
    assert.ok(error instanceof AzureServiceError);
    assert.deepEqual(error.failure, { step: 'create', code: 'Other', message: 'quota', requestId: 'put-rid' });
  });
});
