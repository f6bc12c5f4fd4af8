/**
 * The version check's request, rendered from its task.json as Azure DevOps
 * renders it, sent over HTTPS to the ARM emulator with a bearer token the
 * Entra stand-in issued to the service connection's principal (client
 * credentials, as Azure DevOps signs in for an AzureRM connection), and its
 * answer judged by the task's own success expression, for each state a
 * gallery image version can be in.
 *
 * Run through build/scripts/runTests.js (the emulator serves the test certificate).
 */
import { strict as assert } from 'node:assert';
import * as https from 'node:https';
import type { ArmEmulator, GalleryImageVersionSeed } from '../../testkit/emulators/arm/index';
import { startLocalAzure, type LocalAzure } from '../../testkit/emulators/localAzure';
import { judgeResponse, renderHttpRequest, type GateOutcome, type GivenInputs } from './httpRequestTask';
import { loadGateTask, versionId as versionIdIn } from './gateTask';

const RG = 'images-rg';
const GALLERY = 'imagesGallery';
const IMAGE = 'ubuntu-web';
const REGIONS = ['westeurope', 'northeurope'];
// The scenario's subscription is made at start; ids are built once it is known.
let subscriptionId = '';
const versionId = (version: string) => versionIdIn(version, IMAGE, GALLERY, RG, subscriptionId);

type ReplicationState = 'Unknown' | 'InProgress' | 'Completed' | 'Failed';
/**
 * A version seed with the state the gate reads. `provisioningState` and the
 * per-region `replicationState` are what the emulator has to report for the
 * replicating and failed cases; see the precondition check below.
 */
type VersionSeedWithState = Omit<GalleryImageVersionSeed, 'targetRegions'> & {
  provisioningState?: 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting';
  targetRegions: Array<{ name: string; regionalReplicaCount?: number; replicationState?: ReplicationState }>;
};

const seeds = (): Record<'ready' | 'replicating' | 'failed', { version: string; seed: VersionSeedWithState }> => ({
  ready: { version: '1.0.0', seed: { id: versionId('1.0.0'), location: REGIONS[0] as string, targetRegions: REGIONS.map((name) => ({ name })) } },
  replicating: {
    version: '1.1.0',
    seed: {
      id: versionId('1.1.0'),
      location: REGIONS[0] as string,
      provisioningState: 'Succeeded',
      targetRegions: [
        { name: 'westeurope', replicationState: 'Completed' },
        { name: 'northeurope', replicationState: 'InProgress' },
      ],
    },
  },
  failed: {
    version: '1.2.0',
    seed: { id: versionId('1.2.0'), location: REGIONS[0] as string, provisioningState: 'Failed', targetRegions: REGIONS.map((name) => ({ name })) },
  },
});
const VERSIONS = { ready: '1.0.0', replicating: '1.1.0', failed: '1.2.0' } as const;

interface Reply {
  status: number;
  body: string;
}

function get(url: string, token: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('AzureImageVersionCheck against the ARM emulator', function () {
  this.timeout(60_000);
  const task = loadGateTask();
  let local: LocalAzure;
  let arm: ArmEmulator;
  let token: string;

  /** Signs in as the service connection's principal with its secret, for the ARM audience. */
  async function tokenFor(scope: string): Promise<string> {
    const { tenantId, secretApp } = local.scenario;
    const res = await fetch(`${local.entra.authorityHost}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: secretApp.clientId, client_secret: secretApp.clientSecret, scope }).toString(),
    });
    const body = (await res.json()) as { access_token?: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.access_token as string;
  }

  before(async () => {
    local = await startLocalAzure({ reuseStorage: true });
    arm = local.arm;
    subscriptionId = local.scenario.subscriptionId;
    const galleryId = `/subscriptions/${subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/${GALLERY}`;
    arm.seed({
      resourceGroups: [{ subscriptionId, name: RG, location: 'westeurope' }],
      galleries: [{ id: galleryId, location: 'westeurope' }],
      galleryImages: [{ id: `${galleryId}/images/${IMAGE}`, location: 'westeurope', osType: 'Linux', hyperVGeneration: 'V2' }],
      galleryImageVersions: Object.values(seeds()).map((s) => s.seed),
    });
    token = await tokenFor('https://management.azure.com/.default');
  });

  after(async () => {
    await local?.stop();
  });

  /** Renders the task's request, sends it and judges the reply with the task's expression. */
  async function runGate(inputs: GivenInputs): Promise<{ url: string; reply: Reply; outcome: GateOutcome }> {
    // The service connection URL ends with a slash, as ARM's does.
    const request = renderHttpRequest(task, { inputs: { azureSubscription: 'arm-connection', ...inputs }, endpoint: { url: `${arm.url}/`, data: { subscriptionId } } });
    assert.equal(request.method, 'GET');
    const reply = await get(request.url, token);
    return { url: request.url, reply, outcome: judgeResponse(request.expression, reply.status, reply.body) };
  }

  const byId = (version: string, requireReplication: boolean) => runGate({ galleryImageVersionId: versionId(version), requireReplication });
  const byNames = (version: string, requireReplication: boolean) =>
    runGate({ versionReference: 'galleryNames', galleryResourceGroup: RG, galleryName: GALLERY, galleryImageDefinition: IMAGE, galleryImageVersion: version, requireReplication });

  /** Fails with what the emulator lacks when it does not report the seeded state (so the verdict below is about the task, not the stand-in). */
  async function assertEmulatorReports(name: 'replicating' | 'failed'): Promise<void> {
    const { seed, version } = seeds()[name];
    // By names: that URL has no doubled slash, so this check is about the version state alone.
    const { reply } = await byNames(version, true);
    assert.equal(reply.status, 200, reply.body);
    const properties = (JSON.parse(reply.body) as { properties: { provisioningState?: string; replicationStatus?: { summary?: Array<{ region: string; state: string }> } } }).properties;
    const wantedRegions = seed.targetRegions.map((r) => [r.name, r.replicationState ?? 'Completed']);
    const gotRegions = (properties.replicationStatus?.summary ?? []).map((s) => [s.region, s.state]);
    assert.deepEqual(
      { provisioningState: properties.provisioningState, regions: gotRegions },
      { provisioningState: seed.provisioningState ?? 'Succeeded', regions: wantedRegions },
      `The ARM emulator does not report the seeded '${name}' state of a gallery image version: ` +
        'GalleryImageVersionSeed needs provisioningState and targetRegions[].replicationState, reflected in properties.provisioningState ' +
        'and properties.replicationStatus.summary[].state (aggregatedState derived from them).',
    );
  }

  it('is routed by the emulator as ARM routes it, doubled slash included', async () => {
    // $(endpoint.url) ends with a slash and a resource id starts with one, so the resource-id
    // URL carries '//subscriptions/…' — the same join AzureMonitorV1 makes with
    // `$(endpoint.url)/subscriptions/…`, which ARM accepts.
    const { url, reply } = await byId(VERSIONS.ready, true);
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/\/subscriptions\//);
    assert.equal(
      reply.status,
      200,
      `The ARM emulator must route a path that starts with '//' like ARM does (testkit/emulators/arm/server.ts parses req.url with ` +
        `new URL(req.url, base), which reads '//subscriptions/…' as a host): ${reply.body}`,
    );
  });

  for (const [how, run] of [['resource id', byId], ['gallery names', byNames]] as const) {
    describe(`by ${how}`, () => {
      it('opens for a ready version (Succeeded, every region Completed), with or without the replication requirement', async () => {
        const required = await run(VERSIONS.ready, true);
        assert.equal(required.reply.status, 200, required.reply.body);
        assert.deepEqual(required.outcome, { passed: true, reason: 'HTTP 200, expression true' });
        assert.equal((await run(VERSIONS.ready, false)).outcome.passed, true);
      });

      it('stays closed for a missing version (404)', async () => {
        const missing = await run('9.9.9', true);
        assert.equal(missing.reply.status, 404);
        const error = (JSON.parse(missing.reply.body) as { error: { code: string; message: string } }).error;
        assert.equal(error.code, 'ResourceNotFound');
        // The version is missing, not the URL unrouted.
        assert.doesNotMatch(error.message, /No resource or route matches/);
        assert.equal(missing.outcome.passed, false);
        assert.equal((await run('9.9.9', false)).outcome.passed, false);
      });
    });
  }

  it('stays closed for a replicating version when replication is required, and opens when it is not', async () => {
    await assertEmulatorReports('replicating');
    assert.equal((await byId(VERSIONS.replicating, true)).outcome.passed, false);
    assert.equal((await byId(VERSIONS.replicating, false)).outcome.passed, true);
    assert.equal((await byNames(VERSIONS.replicating, true)).outcome.passed, false);
  });

  it('stays closed for a version whose provisioning failed, whatever the replication switch', async () => {
    await assertEmulatorReports('failed');
    assert.equal((await byId(VERSIONS.failed, true)).outcome.passed, false);
    assert.equal((await byId(VERSIONS.failed, false)).outcome.passed, false);
  });

  it('stays closed when the resource id names the image definition instead of a version, whatever the replication switch', async () => {
    const definitionId = versionId(VERSIONS.ready).replace(/\/versions\/[^/]+$/, '');
    for (const requireReplication of [true, false]) {
      const { reply, outcome } = await runGate({ galleryImageVersionId: definitionId, requireReplication });
      assert.equal(reply.status, 200, `the emulator serves the definition: ${reply.body}`);
      const body = JSON.parse(reply.body) as { type?: string; properties?: { provisioningState?: string } };
      assert.equal(body.properties?.provisioningState, 'Succeeded', 'a Succeeded definition: only its type tells it apart');
      assert.match(body.type ?? '', /^Microsoft\.Compute\/galleries\/images$/i);
      assert.equal(outcome.passed, false, `requireReplication ${requireReplication}`);
    }
  });

  it('sends one GET per check to the version resource with the api-version, $expand and the bearer token', async () => {
    arm.clearRequests();
    await byNames(VERSIONS.ready, true);
    const log = arm.requests();
    assert.equal(log.length, 1);
    const [entry] = log;
    assert.equal(entry?.method, 'GET');
    assert.match(entry?.path ?? '', new RegExp(`/galleries/${GALLERY}/images/${IMAGE}/versions/1\\.0\\.0$`));
    assert.equal(entry?.query['api-version'], '2025-03-03');
    assert.equal(entry?.query.$expand, 'ReplicationStatus');
  });

  it('needs $expand=ReplicationStatus: without it even a ready version keeps a replication-requiring gate closed', async () => {
    const request = renderHttpRequest(task, {
      inputs: { azureSubscription: 'c', versionReference: 'galleryNames', galleryResourceGroup: RG, galleryName: GALLERY, galleryImageDefinition: IMAGE, galleryImageVersion: VERSIONS.ready },
      endpoint: { url: `${arm.url}/`, data: { subscriptionId } },
    });
    const withoutExpand = request.url.replace('&$expand=ReplicationStatus', '');
    assert.notEqual(withoutExpand, request.url);
    const reply = await get(withoutExpand, token);
    assert.equal(reply.status, 200);
    assert.equal(judgeResponse(request.expression, reply.status, reply.body).passed, false);
  });

  it('is refused with a token for another audience', async () => {
    const storageToken = await tokenFor('https://storage.azure.com/.default');
    const request = renderHttpRequest(task, {
      inputs: { azureSubscription: 'c', galleryImageVersionId: versionId(VERSIONS.ready) },
      endpoint: { url: `${arm.url}/`, data: { subscriptionId } },
    });
    const reply = await get(request.url, storageToken);
    assert.equal(reply.status, 401, reply.body);
    assert.equal(judgeResponse(request.expression, reply.status, reply.body).passed, false);
  });

  it('is refused without a bearer token (the connection is what authorizes the read)', async () => {
    const request = renderHttpRequest(task, {
      inputs: { azureSubscription: 'c', galleryImageVersionId: versionId(VERSIONS.ready) },
      endpoint: { url: `${arm.url}/`, data: { subscriptionId } },
    });
    const reply = await new Promise<Reply>((resolve, reject) => {
      https
        .get(request.url, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: '' }));
        })
        .on('error', reject);
    });
    assert.equal(reply.status, 401);
    assert.equal(judgeResponse(request.expression, reply.status, reply.body).passed, false);
  });
});
