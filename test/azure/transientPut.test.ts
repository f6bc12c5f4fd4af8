/**
 * The recorded transient create failure, replayed through the task's own
 * request pipeline: the live service once answered a template PUT with
 * `500 InternalOperationError` (`x-ms-failure-cause: service`, no Retry-After)
 * and the same PUT sent again got 201. The Image Builder client made by
 * createAzureClients, with the production retry policy, must ride over it.
 */
import * as assert from 'node:assert/strict';
import { createAzureClients } from '../../shared/azure/clients';
import type { ServiceConnection } from '../../shared/ports/serviceConnection';
import { IDENTITY_ID, LOCATION, RG, startHarness, stubCredential, SUB, type Harness } from '../../testkit/emulators/arm/harness';
import { recordedTransientPutFault } from '../../testkit/emulators/arm/index';

function connection(url: string): ServiceConnection {
  return {
    id: 'id',
    subscriptionId: SUB,
    resourceManagerUrl: `${url}/`,
    authorityHost: 'https://login.microsoftonline.com/',
    environment: 'AzureCloud',
    auth: { scheme: 'ServicePrincipalSecret', tenantId: 't', clientId: 'c', clientSecret: 'x' },
  };
}

describe('recorded transient create failure through the production retry policy', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it('creates the template after one 500 InternalOperationError without Retry-After: two PUTs reach the service', async () => {
    const name = 'transient-create';
    h.arm.injectFault(recordedTransientPutFault(name));
    // The production policy with short backoff waits: the tuning is an option of the clients, not a test switch.
    const clients = createAzureClients(connection(h.arm.url), stubCredential, { retry: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } });

    const created = await clients.imageBuilder.virtualMachineImageTemplates.createOrUpdate(
      RG,
      name,
      {
        location: LOCATION,
        identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
        source: { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
        distribute: [
          {
            type: 'ManagedImage',
            runOutputName: 'out',
            imageId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/images/out`,
            location: LOCATION,
          },
        ],
      },
      { updateIntervalInMs: 10 },
    );

    assert.equal(created.provisioningState, 'Succeeded');
    assert.equal(created.name, name);
    const puts = h.arm.requests().filter((r) => r.method === 'PUT' && r.path.endsWith(`/imageTemplates/${name}`));
    assert.deepEqual(
      puts.map((r) => r.status),
      [500, 201],
      'exactly two PUTs: the one answered with the transient error and the retry',
    );
    assert.equal(h.arm.state().imageTemplates.filter((t) => t.name === name).length, 1);
  });
});
