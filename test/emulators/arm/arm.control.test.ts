/**
 * The emulator's front door and controls: bearer auth, api-version rules,
 * template validation with the service's kind of message, 404/409 answers,
 * faults applied exactly `count` times, the request log, the admin API,
 * providers and permissions.
 */
import * as assert from 'node:assert/strict';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { getTestTls } from '../../../testkit/emulators/tls';
import { armCall, waitForOperation } from '../../../testkit/emulators/arm/armClient';
import { IDENTITY_ID, LOCATION, RG, SOURCE_IMAGE_ID, startHarness, stubCredential, SUB, type Harness } from '../../../testkit/emulators/arm/harness';
import { startArmEmulator } from '../../../testkit/emulators/arm/index';
import { normalizeRequestTarget } from '../../../testkit/emulators/arm/server';

type Json = Record<string, unknown>;

const T = (name: string) => `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`;
const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

function validTemplate(): Json {
  return {
    location: LOCATION,
    identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
    properties: {
      source: { type: 'ManagedImage', imageId: SOURCE_IMAGE_ID },
      customize: [{ type: 'Shell', name: 's', inline: ['true'] }],
      distribute: [{ type: 'ManagedImage', runOutputName: 'out', imageId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/images/o`, location: LOCATION }],
    },
  };
}

/** A seeded template whose run is Customizing, with no simulated build behind it. */
function runningTemplate(name: string) {
  return {
    id: T(name),
    resource: {
      ...validTemplate(),
      properties: {
        ...(validTemplate().properties as Json),
        provisioningState: 'Succeeded',
        lastRunStatus: { startTime: new Date().toISOString(), runState: 'Running', runSubState: 'Customizing', message: '' },
      },
    },
  };
}

describe('ARM emulator front door, validation, faults and admin API', function () {
  this.timeout(60_000);
  let h: Harness;
  const call = (method: string, p: string, opts: Parameters<typeof armCall>[3] = {}) => armCall(h.arm.url, method, p, opts);

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  describe('authentication and api-version', () => {
    it('answers 401 in ARM error shape without a bearer token', async () => {
      const r = await call('GET', T('x'), { token: null });
      assert.equal(r.status, 401);
      assert.equal(errorOf(r.body).code, 'AuthenticationFailed');
    });

    it('uses verifyToken with the ARM audience when given', async () => {
      const tls = getTestTls();
      const seen: Array<[string, string]> = [];
      const arm = await startArmEmulator({
        tls: { cert: tls.cert, key: tls.key },
        storage: { blobEndpoint: (n) => h.azurite.url(n), accountKey: () => h.azurite.stagingAccount.key, stagingAccountName: h.azurite.stagingAccount.name },
        verifyToken: async (token, audience) => {
          seen.push([token, audience]);
          return token === 'good';
        },
      });
      try {
        const bad = await armCall(arm.url, 'GET', `/subscriptions/${SUB}/resourcegroups`, { token: 'forged' });
        assert.equal(bad.status, 401);
        assert.equal(errorOf(bad.body).code, 'InvalidAuthenticationToken');
        const good = await armCall(arm.url, 'GET', `/subscriptions/${SUB}/resourcegroups`, { token: 'good' });
        assert.equal(good.status, 200);
        assert.deepEqual(seen, [['forged', 'https://management.azure.com/'], ['good', 'https://management.azure.com/']]);
      } finally {
        await arm.stop();
      }
    });

    it('accepts 2025-10-01 and 2024-02-01 for imageTemplates and refuses other versions', async () => {
      assert.equal((await call('GET', `/subscriptions/${SUB}/providers/Microsoft.VirtualMachineImages/imageTemplates`, { apiVersion: '2024-02-01' })).status, 200);
      const old = await call('GET', `/subscriptions/${SUB}/providers/Microsoft.VirtualMachineImages/imageTemplates`, { apiVersion: '2022-07-01' });
      assert.equal(old.status, 400);
      assert.equal(errorOf(old.body).code, 'InvalidApiVersionParameter');
      const none = await call('GET', T('x'), { apiVersion: null });
      assert.equal(errorOf(none.body).code, 'MissingApiVersionParameter');
      // Any api-version on other providers.
      assert.equal((await call('GET', `/subscriptions/${SUB}/resourcegroups/${RG}`, { apiVersion: '1999-01-01' })).status, 200);
    });
  });

  describe('request paths', () => {
    it('answers a path with a leading double slash and repeated slashes like the plain path, and logs it normalised', async () => {
      h.arm.clearRequests();
      const doubled = await call('GET', `//subscriptions/${SUB}//resourcegroups/${RG}`, { apiVersion: '2021-04-01' });
      assert.equal(doubled.status, 200, JSON.stringify(doubled.body));
      assert.equal((doubled.body as Json).name, RG);
      assert.deepEqual(
        h.arm.requests().map((e) => [e.path, e.query['api-version']]),
        [[`/subscriptions/${SUB}/resourcegroups/${RG}`, '2021-04-01']],
      );
    });

    it('applies faults to the normalised path', async () => {
      h.arm.injectFault({ method: 'GET', pathPattern: new RegExp(`^/subscriptions/${SUB}/resourcegroups/${RG}$`, 'i'), kind: 'status', status: 503, count: 1 });
      assert.equal((await call('GET', `//subscriptions/${SUB}/resourcegroups/${RG}`)).status, 503);
      assert.equal((await call('GET', `//subscriptions/${SUB}/resourcegroups/${RG}`)).status, 200);
    });

    it('keeps the query as sent and leaves an absolute-form target alone', () => {
      assert.equal(normalizeRequestTarget('//a///b/?x=https://h//p'), '/a/b/?x=https://h//p');
      assert.equal(normalizeRequestTarget('/a/b'), '/a/b');
      assert.equal(normalizeRequestTarget('https://127.0.0.1:1/a'), 'https://127.0.0.1:1/a');
    });
  });

  describe('template validation', () => {
    const rejects = async (name: string, body: Json, pattern: RegExp, apiVersion = '2025-10-01') => {
      const r = await call('PUT', T(name), { body, apiVersion });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(errorOf(r.body).code, 'ValidationFailed');
      assert.match(errorOf(r.body).message, /^Validation failed: /);
      assert.match(errorOf(r.body).message, pattern);
      assert.equal((await call('GET', T(name))).status, 404, 'nothing is created from an invalid body');
    };

    it('rejects unknown and miscased fields', async () => {
      const t = validTemplate();
      (t.properties as Json).vmProfile = { vmSzie: 'Standard_D2s_v3' };
      await rejects('unknown', t, /vmSzie/);
      const m = validTemplate();
      (m.properties as Json).Customize = (m.properties as Json).customize;
      delete (m.properties as Json).customize;
      await rejects('miscased', m, /Customize/);
    });

    it('checks subtype fields and the rules the swagger cannot express', async () => {
      const wrongType = validTemplate();
      (wrongType.properties as Json).customize = [{ type: 'Shell', name: 's', scriptUri: 123 }];
      await rejects('subtype', wrongType, /scriptUri/);
      const both = validTemplate();
      (both.properties as Json).customize = [{ type: 'Shell', name: 's', scriptUri: 'https://127.0.0.1/a.sh', inline: ['x'] }];
      await rejects('both', both, /Exactly one of the fields 'scriptUri' and 'inline'/);
      const dup = validTemplate();
      const d = ((dup.properties as Json).distribute as Json[])[0] as Json;
      (dup.properties as Json).distribute = [d, { ...d, imageId: `${String(d.imageId)}2` }];
      await rejects('dup', dup, /Duplicate runOutputName 'out'/);
      const noIdentity = validTemplate();
      noIdentity.identity = { type: 'None' };
      await rejects('noid', noIdentity, /user assigned identity/);
    });

    it('knows what 2024-02-01 lacks (replicationMode is 2025-10-01 only)', async () => {
      const t = validTemplate();
      (t.properties as Json).distribute = [{ type: 'SharedImage', runOutputName: 'g', galleryImageId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/g/images/i`, replicationMode: 'Shallow', targetRegions: [{ name: LOCATION }] }];
      await rejects('v2024', t, /replicationMode/, '2024-02-01');
    });

    it('answers 409 Conflict for a PUT on an existing template, 404 ResourceNotFound for an unknown one', async () => {
      const first = await call('PUT', T('twice'), { body: validTemplate() });
      assert.equal(first.status, 201);
      await waitForOperation(h.arm.url, first.headers.get('azure-asyncoperation') as string);
      const second = await call('PUT', T('twice'), { body: validTemplate() });
      assert.equal(second.status, 409);
      assert.equal(errorOf(second.body).code, 'Conflict');
      assert.match(errorOf(second.body).message, /Update\/Upgrade of image templates is currently not supported/);
      const missing = await call('GET', T('never'));
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing.body).code, 'ResourceNotFound');
      const rgMissing = await call('GET', `/subscriptions/${SUB}/resourceGroups/nope/providers/Microsoft.VirtualMachineImages/imageTemplates/x`);
      assert.equal(errorOf(rgMissing.body).code, 'ResourceGroupNotFound');
    });

    it('fails provisioning when the template identity does not exist', async () => {
      const t = validTemplate();
      t.identity = { type: 'UserAssigned', userAssignedIdentities: { [`${IDENTITY_ID}-gone`]: {} } };
      const r = await call('PUT', T('noidentity'), { body: t });
      const op = await waitForOperation(h.arm.url, r.headers.get('azure-asyncoperation') as string);
      assert.equal(op.status, 'Failed');
      const got = await call('GET', T('noidentity'));
      const props = (got.body as { properties: Json }).properties;
      assert.equal(props.provisioningState, 'Failed');
      assert.match(String((props.provisioningError as Json).message), /ib-identity-gone' was not found/);
    });
  });

  describe('faults and the request log', () => {
    it('applies a status fault exactly count times with Retry-After, then answers normally', async () => {
      h.arm.clearRequests();
      h.arm.injectFault({ method: 'GET', pathPattern: /\/resourcegroups\/rg-images$/i, kind: 'status', status: 429, retryAfterSeconds: 0, count: 2 });
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const r = await call('GET', `/subscriptions/${SUB}/resourcegroups/${RG}`);
        statuses.push(r.status);
        if (r.status === 429) {
          assert.equal(r.headers.get('retry-after'), '0');
          assert.equal(errorOf(r.body).code, 'TooManyRequests');
        }
      }
      assert.deepEqual(statuses, [429, 429, 200]);
      assert.deepEqual(h.arm.requests().map((e) => e.status), [429, 429, 200]);
    });

    it('resets connections and delays responses as asked, and the SDK retries through them', async () => {
      h.arm.injectFault({ pathPattern: 'Microsoft.VirtualMachineImages/imageTemplates/retry-me$', kind: 'reset', count: 1 });
      h.arm.injectFault({ pathPattern: 'Microsoft.VirtualMachineImages/imageTemplates/retry-me$', kind: 'status', status: 503, count: 1 });
      h.arm.injectFault({ pathPattern: 'Microsoft.VirtualMachineImages/imageTemplates/retry-me$', kind: 'slow', delayMs: 300, count: 1 });
      h.arm.clearRequests();
      const client = new ImageBuilderClient(stubCredential, SUB, { endpoint: h.arm.url, retryOptions: { maxRetries: 4, retryDelayInMs: 10, maxRetryDelayInMs: 20 } });
      await assert.rejects(client.virtualMachineImageTemplates.get(RG, 'retry-me'), (e: { statusCode?: number }) => e.statusCode === 404);
      const log = h.arm.requests().filter((e) => e.path.endsWith('/retry-me'));
      assert.deepEqual(log.map((e) => e.status), [0, 503, 404]);
      assert.ok((log[2]?.durationMs ?? 0) >= 290, `slow fault held the answer: ${log[2]?.durationMs} ms`);
    });

    it('holds a slow request until the event it is given settles, and stop() ends a held request', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      h.arm.injectFault({ pathPattern: 'imageTemplates/held$', kind: 'slow', until: released, count: 1 });
      h.arm.clearRequests();
      let answered = false;
      const answer = call('GET', T('held')).then((a) => ((answered = true), a));
      const arrived = await h.arm.waitForRequest((e) => e.path.endsWith('/held'));
      assert.equal(arrived.status, 0, 'arrived, not answered');
      assert.equal((await call('GET', T('not-held'))).status, 404, 'a later request is answered meanwhile');
      assert.equal(answered, false, 'the held one is not');
      release();
      assert.equal((await answer).status, 404, 'answered normally once released');

      const own = await startHarness();
      own.arm.injectFault({ pathPattern: 'imageTemplates/never$', kind: 'slow', until: new Promise<never>(() => undefined), count: 1 });
      const dropped = armCall(own.arm.url, 'GET', T('never')).then(
        () => 'answered',
        () => 'dropped',
      );
      await own.arm.waitForRequest((e) => e.path.endsWith('/never'));
      await own.stop();
      assert.equal(await dropped, 'dropped');
    });

    it('waitForState: settles when the simulated service reaches the state, not before; at once when it is there; rejects when the wait is aborted', async () => {
      h.arm.seed({ imageTemplates: [runningTemplate('wait-cancel')] });
      h.arm.setScenario({ timing: { cancelMs: 200 } });
      const runStateOf = (state: ReturnType<typeof h.arm.state>) => state.imageTemplates.find((t) => t.name === 'wait-cancel')?.lastRunStatus?.['runState'];
      const canceled = h.arm.waitForState((s) => runStateOf(s) === 'Canceled');
      let settled = false;
      void canceled.then(() => (settled = true));
      const answer = await call('POST', `${T('wait-cancel')}/cancel`);
      assert.equal(answer.status, 204);
      assert.equal(runStateOf(h.arm.state()), 'Canceling');
      assert.equal(settled, false, 'not settled while Canceling');
      assert.equal(runStateOf(await canceled), 'Canceled');
      assert.equal(runStateOf(await h.arm.waitForState((s) => runStateOf(s) === 'Canceled')), 'Canceled', 'already there');
      const abort = new AbortController();
      const never = h.arm.waitForState(() => false, abort.signal);
      abort.abort(new Error('gave up'));
      await assert.rejects(never, /gave up/);
      h.arm.setScenario({ timing: {} });
    });

    it('holdCanceling: a cancel stays Canceling past its cancelMs until the hold is released; stop() ends a held cancel', async () => {
      const runStateOf = (state: ReturnType<typeof h.arm.state>) => state.imageTemplates.find((t) => t.name === 'held-cancel')?.lastRunStatus?.['runState'];
      h.arm.seed({ imageTemplates: [runningTemplate('held-cancel')] });
      h.arm.setScenario({ timing: { cancelMs: 0 } });
      const hold = h.arm.holdCanceling();
      try {
        const canceled = h.arm.waitForState((s) => runStateOf(s) === 'Canceled');
        let settled = false;
        void canceled.then(() => (settled = true));
        assert.equal((await call('POST', `${T('held-cancel')}/cancel`)).status, 204);
        await hold.reached; // its cancelMs has passed
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(runStateOf(h.arm.state()), 'Canceling', 'held past cancelMs');
        assert.equal(settled, false);
        hold.release();
        assert.equal(runStateOf(await canceled), 'Canceled');
      } finally {
        hold.release();
        h.arm.setScenario({ timing: {} });
      }

      const own = await startHarness();
      own.arm.seed({ imageTemplates: [runningTemplate('stopped-held')] });
      own.arm.setScenario({ timing: { cancelMs: 0 } });
      const ownHold = own.arm.holdCanceling();
      assert.equal((await armCall(own.arm.url, 'POST', `${T('stopped-held')}/cancel`)).status, 204);
      await ownHold.reached;
      await own.stop(); // settles: the held cancel ends with the emulator
    });

    it('logs every ARM request with method, path, query and status, and never the admin API', async () => {
      h.arm.clearRequests();
      await call('GET', `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/${LOCATION}/publishers/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server/versions`, { apiVersion: '2024-07-01' });
      await fetch(`${h.arm.url}/_emulator/state`);
      const log = h.arm.requests();
      assert.equal(log.length, 1);
      assert.equal(log[0]?.method, 'GET');
      assert.equal(log[0]?.status, 200);
      assert.deepEqual(log[0]?.query, { 'api-version': '2024-07-01' });
      assert.ok(Number.isFinite(Date.parse(log[0]?.startedAt ?? '')));
    });
  });

  describe('admin API', () => {
    it('seeds, injects faults, sets the scenario, and reports requests and state over HTTP', async () => {
      const admin = (method: string, p: string, body?: unknown) =>
        fetch(`${h.arm.url}/_emulator/${p}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      assert.equal((await admin('POST', 'seed', { resourceGroups: [{ subscriptionId: SUB, name: 'from-admin', location: LOCATION }] })).status, 204);
      assert.equal((await call('GET', `/subscriptions/${SUB}/resourcegroups/from-admin`)).status, 200);
      assert.equal((await admin('POST', 'faults', { pathPattern: '/resourcegroups/from-admin$', kind: 'status', status: 500, count: 1 })).status, 204);
      assert.equal((await call('GET', `/subscriptions/${SUB}/resourcegroups/from-admin`)).status, 500);
      assert.equal((await call('GET', `/subscriptions/${SUB}/resourcegroups/from-admin`)).status, 200);
      assert.equal((await admin('POST', 'faults', { pathPattern: 'x', kind: 'bogus', count: 1 })).status, 400);
      assert.equal((await admin('POST', 'scenario', { failCustomizerName: 'nope' })).status, 204);
      const requests = (await (await admin('GET', 'requests')).json()) as { value: Array<{ path: string; status: number }> };
      assert.deepEqual(requests.value.filter((r) => r.path.endsWith('/from-admin')).map((r) => r.status), [200, 500, 200]);
      assert.equal((await admin('DELETE', 'requests')).status, 204);
      assert.deepEqual(h.arm.requests(), []);
      const state = (await (await admin('GET', 'state')).json()) as { resourceGroups: Array<{ name: string }> };
      assert.ok(state.resourceGroups.some((g) => g.name === 'from-admin'));
    });
  });

  describe('providers, permissions and identities', () => {
    it('reports provider registration from the world, Registered by default for the common ones', async () => {
      h.arm.seed({ providers: [{ subscriptionId: SUB, namespace: 'Microsoft.VirtualMachineImages', registrationState: 'NotRegistered' }] });
      const vmi = await call('GET', `/subscriptions/${SUB}/providers/Microsoft.VirtualMachineImages`);
      assert.equal((vmi.body as Json).registrationState, 'NotRegistered');
      const compute = await call('GET', `/subscriptions/${SUB}/providers/Microsoft.Compute`);
      assert.equal((compute.body as Json).registrationState, 'Registered');
      h.arm.seed({ providers: [{ subscriptionId: SUB, namespace: 'Microsoft.VirtualMachineImages', registrationState: 'Registered' }] });
    });

    it('answers Microsoft.Authorization/permissions per scope: seeded rights at and below a scope, full rights elsewhere', async () => {
      h.arm.seed({ permissions: [{ scope: `/subscriptions/${SUB}/resourceGroups/locked`, actions: ['Microsoft.Compute/*/read'], notActions: [] }] });
      const locked = await call('GET', `/subscriptions/${SUB}/resourceGroups/locked/providers/Microsoft.Authorization/permissions`, { apiVersion: '2022-04-01' });
      assert.deepEqual(((locked.body as Json).value as Json[])[0]?.actions, ['Microsoft.Compute/*/read']);
      const below = await call('GET', `/subscriptions/${SUB}/resourceGroups/locked/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/permissions`);
      assert.deepEqual(((below.body as Json).value as Json[])[0]?.actions, ['Microsoft.Compute/*/read']);
      const open = await call('GET', `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Authorization/permissions`);
      assert.deepEqual(((open.body as Json).value as Json[])[0]?.actions, ['*']);
    });

    it('returns user-assigned identities with principalId, clientId and tenantId, 404 for unknown ones', async () => {
      const r = await call('GET', IDENTITY_ID, { apiVersion: '2023-01-31' });
      const p = (r.body as { properties: Json }).properties;
      assert.match(String(p.principalId), /^[0-9a-f-]{36}$/);
      assert.match(String(p.clientId), /^[0-9a-f-]{36}$/);
      assert.match(String(p.tenantId), /^[0-9a-f-]{36}$/);
      assert.equal((await call('GET', `${IDENTITY_ID}x`)).status, 404);
    });
  });
});
