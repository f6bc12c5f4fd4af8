import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { AzureServiceError, refusedRequest, requestName } from '../../shared/core/serviceFailure';
import { failureHints, resourceIdsIn } from '../../shared/report/failureHints';
import { reportFailure, reportSuccess } from '../../shared/run/finish';
import type { BuildServices } from '../../shared/ports/buildServices';
import type { WatchResult } from '../../shared/run/watchRun';
import { buildImageTemplate } from '../../shared/template';
import { baseConfig, ids } from '../support/configFixtures';
import { escapeMarkdown } from '../../shared/core/markdown';
import { readTaskJson } from '../taskjson/taskJsonFile';
import { RecordingHost } from '../watch/fakeHost';

/** A recording host that formats every task.json message (finish.ts uses run messages too). */
function taskHost(): RecordingHost {
  const host = new RecordingHost();
  Object.assign(host.messages, readTaskJson().messages);
  return host;
}

const ARM = 'https://management.azure.com';
const SUB = '/subscriptions/00000000-0000-0000-0000-00000000aaaa';
const TEMPLATE_PATH = `${SUB}/resourceGroups/rg-aib/providers/Microsoft.VirtualMachineImages/imageTemplates/ib-app-1`;
const VNET = `${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet_000002`;
/** The words of the recorded failed create (aib-real-traffic.md). */
const UNAUTHORIZED_MESSAGE = `Not authorized to access the resource: ${VNET}. Please check the user assigned identity has the correct permissions. For more details, go to https://aka.ms/azvmimagebuilderts.`;

/** A RestError as the SDK throws it after its retries: request, answer headers and the ARM error body. */
function armAnswer(status: number, code: string, message: string, method = 'PUT', path = TEMPLATE_PATH): RestError {
  const request = createPipelineRequest({ url: `${ARM}${path}?api-version=2025-10-01`, method: method as 'PUT' });
  const bodyAsText = JSON.stringify({ error: { code, message } });
  const headers = createHttpHeaders({ 'x-ms-request-id': `rid-${status}`, 'x-ms-correlation-request-id': `cid-${status}` });
  const err = new RestError(message, { statusCode: status, code, request, response: { status, headers, request, bodyAsText } });
  err.details = { error: { code, message } };
  return err;
}

function watchOf(kind: WatchResult['kind'], lastRunStatus?: { runState: string; runSubState?: string; message: string }): WatchResult {
  return { kind, phases: [], elapsedMs: 1000, logTail: [], ...(lastRunStatus ? { snapshot: { provisioningState: 'Succeeded', lastRunStatus } } : {}) };
}

interface Answer {
  name: string;
  error?: unknown;
  watch?: WatchResult;
  /** What the error line must say: the step and the service's words. */
  line: RegExp;
  requestId?: string;
  hint: RegExp;
}

const answers: Answer[] = [
  {
    name: 'failed create, operation error Unauthorized',
    error: new AzureServiceError({ step: 'create', code: 'Unauthorized', message: UNAUTHORIZED_MESSAGE, requestId: 'put-rid' }),
    line: /^Azure could not create the image template \(Unauthorized\): Not authorized to access the resource: .*virtualNetworks\/vnet_000002/,
    requestId: 'put-rid',
    hint: new RegExp(`identity ${ids.templateIdentity} the Network Contributor role.*virtual network ${VNET}, then`),
  },
  {
    name: 'failed create, provisioningError Other',
    watch: { ...watchOf('provisioningFailed'), snapshot: { provisioningState: 'Failed', provisioningError: { provisioningErrorCode: 'Other', message: UNAUTHORIZED_MESSAGE } } },
    line: /^Azure could not create the image template \(Other\): Not authorized to access the resource/,
    hint: /Network Contributor role.*vnet_000002/,
  },
  {
    name: 'run Failed',
    watch: watchOf('failed', {
      runState: 'Failed',
      runSubState: 'Customizing',
      message: 'Error when executing packerizer: Packer build command has failed: exit status 1. During the image build, a failure has occurred.',
    }),
    line: /^The image build failed while Customizing: Error when executing packerizer: Packer build command has failed/,
    hint: /customizer step script failed/,
  },
  {
    name: 'run Failed while distributing to a gallery the identity may not write',
    watch: watchOf('failed', {
      runState: 'Failed',
      runSubState: 'Distributing',
      message: `Distribution failed: Not authorized to access the resource: ${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gal/images/web/versions/1.0.0.`,
    }),
    line: /^Distributing the image failed: Distribution failed: Not authorized/,
    hint: new RegExp(`write image versions on the gallery ${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gal \\(`),
  },
  {
    name: '400 InvalidParameter',
    error: armAnswer(400, 'InvalidParameter', "The value of parameter vmSize 'Standard_Nope' is invalid."),
    line: /^Azure refused the request PUT Microsoft\.VirtualMachineImages\/imageTemplates\/ib-app-1 \(400 InvalidParameter\): The value of parameter vmSize/,
    requestId: 'rid-400',
    hint: /rejected a value the task sent/,
  },
  {
    name: '403 AuthorizationFailed',
    error: armAnswer(
      403,
      'AuthorizationFailed',
      `The client 'c' with object id 'o' does not have authorization to perform action 'Microsoft.VirtualMachineImages/imageTemplates/write' over scope '${TEMPLATE_PATH}' or the scope is invalid.`,
    ),
    line: /^Azure refused the request PUT .*\(403 AuthorizationFailed\): The client 'c'/,
    requestId: 'rid-403',
    hint: /service connection may not perform 'Microsoft\.VirtualMachineImages\/imageTemplates\/write'/,
  },
  {
    name: '404 ResourceGroupNotFound',
    error: armAnswer(404, 'ResourceGroupNotFound', "Resource group 'rg-aib' could not be found.", 'GET'),
    line: /^Azure refused the request GET Microsoft\.VirtualMachineImages\/imageTemplates\/ib-app-1 \(404 ResourceGroupNotFound\): Resource group 'rg-aib' could not be found\./,
    requestId: 'rid-404',
    hint: /does not know the resource that GET Microsoft\.VirtualMachineImages\/imageTemplates\/ib-app-1 names/,
  },
  {
    name: '409 Conflict',
    error: armAnswer(409, 'Conflict', 'Update/Upgrade of image templates is currently not supported. Please delete the template and create it again.'),
    line: /^Azure refused the request PUT .* \(409 Conflict\): Update\/Upgrade of image templates/,
    requestId: 'rid-409',
    hint: /because of the resource's current state/,
  },
  {
    name: '429 past the retries',
    error: armAnswer(429, 'TooManyRequests', 'The request is being throttled.', 'GET'),
    line: /^Azure refused the request GET .* \(429 TooManyRequests\): The request is being throttled\./,
    requestId: 'rid-429',
    hint: /throttled the requests of this subscription/,
  },
  {
    name: '500 InternalOperationError past the retries',
    error: armAnswer(500, 'InternalOperationError', 'Internal error occurred. This is a generic error.'),
    line: /^Azure refused the request PUT .* \(500 InternalOperationError\): Internal error occurred/,
    requestId: 'rid-500',
    hint: /error on its side and the retries ran out/,
  },
];

describe('every answer Azure is known to give is reported as what it is', () => {
  const config = baseConfig();
  const body = buildImageTemplate(config, {});

  for (const answer of answers) {
    it(answer.name, () => {
      const host = taskHost();
      try {
        const outcome = reportFailure({ host, config, environment: 'AzureCloud', body, watch: answer.watch, error: answer.error });
        assert.equal(outcome.result, 'Failed');
        const errors = host.texts('error');
        assert.equal(errors.length, 1, `one error:\n${errors.join('\n')}`);
        const [line] = errors as [string];
        assert.match(line, answer.line);
        assert.doesNotMatch(line, /Unexpected error/);
        if (answer.requestId) assert.ok(line.endsWith(`Request id for a support case: ${answer.requestId}`), line);
        else assert.doesNotMatch(line, /Request id/);
        assert.ok(host.lines.some((l) => answer.hint.test(l)), `hint ${answer.hint} in:\n${host.lines.join('\n')}`);
        // The summary tab (attached by the build run after cleanup) says the same.
        const summary = outcome.summary ?? '';
        assert.ok(summary.includes(escapeMarkdown(line)), `the summary quotes the error line:\n${summary}`);
      } finally {
        host.cleanup();
      }
    });
  }

  it('PartiallySucceeded: one warning naming the distribution step with the service words, and its hint', async () => {
    const host = taskHost();
    try {
      const gallery = `${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gal`;
      const services = {
        templates: { runOutputs: async () => [], get: async () => ({ id: TEMPLATE_PATH }) },
      } as unknown as BuildServices;
      const watch = watchOf('partiallySucceeded', {
        runState: 'PartiallySucceeded',
        runSubState: 'Distributing',
        message: `Distribution of run output 'gallery' failed: LinkedAuthorizationFailed on ${gallery}/images/web. See https://acct.blob.core.windows.net/c/x?sv=1&sig=SECRET`,
      });
      const outcome = await reportSuccess({ host, config, environment: 'AzureCloud', body, watch, services });
      assert.equal(outcome.result, 'SucceededWithIssues');
      assert.deepEqual(host.texts('error'), []);
      const failureWarnings = host.texts('warning').filter((w) => w.startsWith('Distributing the image failed'));
      assert.equal(failureWarnings.length, 1, host.texts('warning').join('\n'));
      assert.match(failureWarnings[0]!, /LinkedAuthorizationFailed on .*galleries\/gal\/images\/web/);
      assert.match(failureWarnings[0]!, /sig=\*\*\*/, 'the SAS signature is hidden');
      assert.doesNotMatch(failureWarnings[0]!, /SECRET/);
      assert.ok(host.lines.some((l) => l.includes(`write image versions on the gallery ${gallery} (`)), host.lines.join('\n'));
    } finally {
      host.cleanup();
    }
  });

  it('a run output whose distribution failed is not produced: SucceededWithIssues, a warning naming it, no output for it', async () => {
    const host = taskHost();
    try {
      const twoTargets = baseConfig();
      const gallery = twoTargets.distribute[0]!;
      twoTargets.distribute = [gallery, { kind: 'vhd', runOutputName: 'vhd-out', artifactTags: {} }];
      const twoBody = buildImageTemplate(twoTargets, {});
      const galleryName = twoBody.properties.distribute[0]!.runOutputName;
      const services = {
        templates: {
          runOutputs: async () => [
            { name: galleryName, artifactId: `${SUB}/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/web/versions/1.0.0`, provisioningState: 'Failed' },
            { name: 'vhd-out', artifactUri: 'https://st.blob.core.windows.net/vhds/x.vhd', provisioningState: 'Succeeded' },
          ],
          get: async () => ({ id: TEMPLATE_PATH }),
        },
      } as unknown as BuildServices;
      const watch = watchOf('succeeded', { runState: 'Succeeded', message: '' });
      const outcome = await reportSuccess({ host, config: twoTargets, environment: 'AzureCloud', body: twoBody, watch, services });
      assert.equal(outcome.result, 'SucceededWithIssues');
      assert.ok(host.texts('warning').some((w) => w.includes(galleryName) && /produced nothing/.test(w)), host.texts('warning').join('\n'));
      const outputs = host.records.filter((r) => r.kind === 'output').map((r) => (r.kind === 'output' ? r.name : ''));
      assert.ok(!outputs.includes('galleryImageVersionId'), `no gallery output: ${outputs.join(', ')}`);
    } finally {
      host.cleanup();
    }
  });

  it('hides SAS signatures in the quoted service words', () => {
    const host = taskHost();
    try {
      const error = new AzureServiceError({ step: 'create', code: 'Other', message: 'cannot download https://acct.blob.core.windows.net/c/app.tar.gz?sv=2024&sig=TOPSECRET from the VM' });
      reportFailure({ host, config, environment: 'AzureCloud', body, error });
      const [line] = host.texts('error') as [string];
      assert.match(line, /sig=\*\*\*/);
      assert.doesNotMatch(line, /TOPSECRET/);
      assert.ok(!host.lines.some((l) => /Storage Blob Data Reader/.test(l)), 'no storage hint: the service did not say access was denied');
    } finally {
      host.cleanup();
    }
  });
});

describe('reading what Azure said', () => {
  it('names a refused request by method and resource, never with host, subscription or query', () => {
    assert.equal(requestName('put', `${ARM}${TEMPLATE_PATH}?api-version=2025-10-01`), 'PUT Microsoft.VirtualMachineImages/imageTemplates/ib-app-1');
    assert.equal(requestName('GET', `${ARM}${SUB}/resourcegroups/rg-aib?api-version=1`), 'GET resourceGroups/rg-aib');
    assert.equal(
      requestName('GET', `${ARM}${SUB}/providers/Microsoft.VirtualMachineImages/locations/westeurope/operations/ABC?api-version=1&t=1&c=long&s=sig`),
      'GET Microsoft.VirtualMachineImages/locations/westeurope/operations/ABC',
    );
    assert.equal(requestName('GET', undefined), undefined);
  });

  it('reads status, code, message and the request id from a RestError; the correlation id when there is no request id', () => {
    assert.deepEqual(refusedRequest(armAnswer(409, 'Conflict', 'busy')), {
      step: 'request',
      request: 'PUT Microsoft.VirtualMachineImages/imageTemplates/ib-app-1',
      statusCode: 409,
      code: 'Conflict',
      message: 'busy',
      requestId: 'rid-409',
    });
    const onlyCorrelation = new RestError('x', { statusCode: 503, response: { status: 503, headers: createHttpHeaders({ 'x-ms-correlation-request-id': 'cid' }), request: createPipelineRequest({ url: `${ARM}/x` }) } });
    assert.equal(refusedRequest(onlyCorrelation)?.requestId, 'cid');
    assert.equal(refusedRequest(new Error('The long-running operation has failed')), undefined, 'not an HTTP answer');
    assert.equal(refusedRequest({ statusCode: 200 }), undefined);
  });

  it('finds the ARM resource ids a message names, without the sentence around them', () => {
    assert.deepEqual(resourceIdsIn(UNAUTHORIZED_MESSAGE), [VNET]);
    assert.deepEqual(resourceIdsIn(`'${ids.templateIdentity}' and "${ids.subnet}"`), [ids.templateIdentity, ids.subnet]);
    assert.deepEqual(resourceIdsIn('no ids here'), []);
  });

  it('grants the identity the role for the resource the service names, not the identity itself', () => {
    const identity = ids.templateIdentity;
    const hint = (message: string) => failureHints({ failure: { step: 'create', code: 'Unauthorized', message }, templateIdentity: identity });
    assert.deepEqual(hint(`Not authorized to access the resource: ${ids.subnet}.`), [{ key: 'HintIdentityVnet', args: [identity, ids.subnet.replace(/\/subnets\/.*$/, '')] }]);
    assert.deepEqual(hint(`Not authorized to access the resource: ${ids.galleryDefinition}.`), [
      { key: 'HintIdentityGallery', args: [identity, ids.galleryDefinition.replace(/\/images\/.*$/, '')] },
    ]);
    assert.deepEqual(hint(`The identity ${identity} does not have access to ${ids.sourceManagedImage}`), [{ key: 'HintIdentityImage', args: [identity, ids.sourceManagedImage] }]);
    assert.deepEqual(hint(`Not authorized to access the resource: ${SUB}/resourceGroups/st/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default`), [
      { key: 'HintIdentityStorage', args: [identity, `${SUB}/resourceGroups/st/providers/Microsoft.Storage/storageAccounts/acct`] },
    ]);
    assert.deepEqual(hint('AuthorizationPermissionMismatch reading https://artifacts1.blob.core.windows.net/c/app.tar.gz'), [{ key: 'HintIdentityStorage', args: [identity, 'artifacts1'] }]);
    assert.deepEqual(hint('Not authorized.'), [{ key: 'HintIdentityAccess', args: [identity] }], 'nothing named: the general identity hint');
  });

  it("a 403 on the service connection's own request is the connection's role, not the identity's", () => {
    const failure = refusedRequest(armAnswer(403, 'AuthorizationFailed', `The client does not have authorization to perform action 'a/b' over scope '${VNET}'.`))!;
    assert.deepEqual(failureHints({ failure, error: armAnswer(403, 'AuthorizationFailed', `The client does not have authorization to perform action 'a/b' over scope '${VNET}'.`) }), [
      { key: 'HintConnectionRole', args: ['a/b', VNET] },
    ]);
  });
});
