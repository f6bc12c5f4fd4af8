import { strict as assert } from 'node:assert';
import { judgeResponse, renderHttpRequest, resolveInputs } from './httpRequestTask';
import { loadGateTask, subscriptionId, versionBody, versionId } from './gateTask';

const task = loadGateTask();
// The AzureRM service connection's URL ends with a slash (https://management.azure.com/).
const endpoint = { url: 'https://management.azure.com/', data: { subscriptionId } };
const query = '?api-version=2025-03-03&$expand=ReplicationStatus';

describe('AzureImageVersionCheck request', () => {
  it('reads a version given by resource id', () => {
    const id = versionId('1.2.3');
    const r = renderHttpRequest(task, { inputs: { azureSubscription: 'conn', galleryImageVersionId: id }, endpoint });
    // Same join as AzureMonitorV1's `$(endpoint.url)/subscriptions`: ARM accepts the doubled slash.
    assert.equal(r.url, `https://management.azure.com/${id}${query}`);
    assert.equal(r.method, 'GET');
    assert.equal(r.endpointId, 'conn');
    assert.equal(r.waitForCompletion, 'false');
  });

  it('takes the id from the galleryImageVersionId variable by default', () => {
    const id = versionId('2.0.0');
    const r = renderHttpRequest(task, { inputs: { connectedServiceNameARM: 'conn' }, endpoint, variables: { galleryImageVersionId: id } });
    assert.equal(r.url, `https://management.azure.com/${id}${query}`);
    assert.equal(r.endpointId, 'conn', 'the alias connectedServiceNameARM sets azureSubscription');
  });

  it('reads a version given by gallery, image definition and version names', () => {
    const r = renderHttpRequest(task, {
      inputs: {
        azureSubscription: 'conn',
        versionReference: 'galleryNames',
        galleryResourceGroup: 'images-rg',
        galleryName: 'imagesGallery',
        galleryImageDefinition: 'ubuntu-web',
        galleryImageVersion: '1.2.3',
        // Left over from the other choice: must not leak into the URL.
        galleryImageVersionId: versionId('9.9.9'),
      },
      endpoint,
    });
    assert.equal(r.url, `https://management.azure.com${versionId('1.2.3')}${query}`);
  });

  it('treats the choice without regard to case, as the service compares it', () => {
    const r = renderHttpRequest(task, {
      inputs: { azureSubscription: 'c', versionReference: 'GalleryNames', galleryResourceGroup: 'g', galleryName: 'n', galleryImageDefinition: 'd', galleryImageVersion: '1.0.0' },
      endpoint,
    });
    assert.match(r.url, /\/galleries\/n\/images\/d\/versions\/1\.0\.0\?/);
  });

  it('puts the replication switch into the expression', () => {
    const on = renderHttpRequest(task, { inputs: { azureSubscription: 'c', galleryImageVersionId: versionId('1.0.0') }, endpoint });
    assert.match(on.expression, /ne\('true', 'true'\)/);
    const off = renderHttpRequest(task, { inputs: { azureSubscription: 'c', galleryImageVersionId: versionId('1.0.0'), requireReplication: false }, endpoint });
    assert.match(off.expression, /ne\('false', 'true'\)/);
    assert.doesNotMatch(off.expression, /\$\(/);
  });

  it('rejects an input the task does not declare', () => {
    assert.throws(() => resolveInputs(task, { galleryImageVersionID: 'x', requireReplications: true }), /no input named 'requireReplications'/);
  });
});

/** An image definition as ARM returns it: Succeeded, but not a version. */
function definitionBody(): Record<string, unknown> {
  return {
    name: 'ubuntu-web',
    type: 'Microsoft.Compute/galleries/images',
    location: 'westeurope',
    properties: { osType: 'Linux', osState: 'Generalized', identifier: { publisher: 'p', offer: 'o', sku: 's' }, provisioningState: 'Succeeded' },
  };
}

function without(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...body };
  delete copy[key];
  return copy;
}

/** The body with its replication summary replaced (target regions kept). */
function withSummary(body: Record<string, unknown>, summary: unknown[]): Record<string, unknown> {
  const properties = { ...(body.properties as Record<string, unknown>), replicationStatus: { aggregatedState: 'InProgress', summary } };
  return { ...body, properties };
}

describe('AzureImageVersionCheck success expression', () => {
  const expressionFor = (requireReplication: boolean) =>
    renderHttpRequest(task, { inputs: { azureSubscription: 'c', galleryImageVersionId: versionId('1.0.0'), requireReplication }, endpoint }).expression;
  const judge = (requireReplication: boolean, status: number, body: unknown) =>
    judgeResponse(expressionFor(requireReplication), status, typeof body === 'string' ? body : JSON.stringify(body)).passed;

  const cases: Array<[string, number, unknown, boolean, boolean]> = [
    // name, status, body, passes with replication required, passes without
    ['ready (Succeeded, every region Completed)', 200, versionBody('Succeeded', [['westeurope', 'Completed'], ['northeurope', 'Completed']]), true, true],
    ['replicating (one region InProgress)', 200, versionBody('Succeeded', [['westeurope', 'Completed'], ['northeurope', 'InProgress']]), false, true],
    ['replication failed in a region', 200, versionBody('Succeeded', [['westeurope', 'Failed']]), false, true],
    ['provisioning failed', 200, versionBody('Failed', [['westeurope', 'Completed']]), false, false],
    ['still creating', 200, versionBody('Creating', [['westeurope', 'InProgress']]), false, false],
    ['replication status absent', 200, versionBody('Succeeded', undefined), false, true],
    ['replication summary empty', 200, versionBody('Succeeded', []), false, true],
    ['provisioning state in other case', 200, versionBody('succeeded', [['westeurope', 'Completed']]), true, true],
    ['an image definition (what a definition id returns)', 200, definitionBody(), false, false],
    ['a version whose type is missing', 200, without(versionBody('Succeeded', [['westeurope', 'Completed']]), 'type'), false, false],
    ['a resource of another type with the same state', 200, { ...versionBody('Succeeded', [['westeurope', 'Completed']]), type: 'Microsoft.Compute/images' }, false, false],
    ['a version whose type ARM spells in lower case', 200, { ...versionBody('Succeeded', [['westeurope', 'Completed']]), type: 'microsoft.compute/galleries/images/versions' }, true, true],
    ['a region entry without a state', 200, withSummary(versionBody('Succeeded', [['westeurope', 'Completed']]), [{ region: 'westeurope', state: 'Completed' }, { region: 'northeurope' }]), false, true],
    ['a region entry whose state is null', 200, withSummary(versionBody('Succeeded', [['westeurope', 'Completed']]), [{ region: 'westeurope', state: 'Completed' }, { region: 'northeurope', state: null }]), false, true],
    ['a region entry that is not an object', 200, withSummary(versionBody('Succeeded', [['westeurope', 'Completed']]), [{ region: 'westeurope', state: 'Completed' }, 'northeurope']), false, true],
    ['a target region missing from the replication summary', 200, withSummary(versionBody('Succeeded', [['westeurope', 'Completed'], ['northeurope', 'Completed']]), [{ region: 'westeurope', state: 'Completed' }]), false, true],
    ['a state in other case (JSONPath compares exactly)', 200, versionBody('Succeeded', [['westeurope', 'completed']]), false, true],
    ['missing (404 ResourceNotFound)', 404, { error: { code: 'ResourceNotFound', message: 'not found' } }, false, false],
    ['throttled (429)', 429, { error: { code: 'TooManyRequests', message: 'later' } }, false, false],
    ['a 200 that is not JSON', 200, '<html>proxy</html>', false, false],
  ];
  for (const [name, status, body, required, notRequired] of cases) {
    it(`${required ? 'opens' : 'stays closed'} for ${name} when replication is required`, () => {
      assert.equal(judge(true, status, body), required);
    });
    it(`${notRequired ? 'opens' : 'stays closed'} for ${name} when replication is not required`, () => {
      assert.equal(judge(false, status, body), notRequired);
    });
  }

  it('keeps the gate closed on a 404 even if the expression were evaluated on the error body', () => {
    const r = judgeResponse(expressionFor(false), 200, JSON.stringify({ error: { code: 'ResourceNotFound' } }));
    assert.equal(r.passed, false);
  });
});
