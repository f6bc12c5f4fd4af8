import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { node24Path } from '../../testkit/agent/nodeBinaries';
import { runTaskLikeAgent, type AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { FAST_BUILD, assertNoSecrets, assertResult, node20Path } from '../e2e/checks';
import { serviceConnection, type ImageWorld } from '../../testkit/harness';
import { startStage } from '../e2e/stage';
import { repoRoot } from '../../testkit/repoRoot';

const TASK_DIR = path.join(repoRoot, 'tasks', 'AzureImageVersionPromote', 'AzureImageVersionPromoteV1');

/**
 * AzureImageVersionPromote@1 through the agent stand-in against the ARM
 * stand-in, whose PATCH refuses any body that changes more than
 * publishingProfile.excludeFromLatest.
 */
describe('e2e promote and demote a gallery image version', function () {
  this.timeout(120_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let counter = 0;

  before(async () => {
    ({ azure, world } = await startStage());
  });
  after(async () => {
    await azure?.stop();
  });

  /** A fresh version of the Linux app definition. */
  function seedVersion(options: { excludeFromLatest: boolean; failedRegion?: boolean }): string {
    counter += 1;
    const id = `${world.linuxGalleryImageId}/versions/2.0.${counter}`;
    azure.arm.seed({
      galleryImageVersions: [
        {
          id,
          location: world.location,
          excludeFromLatest: options.excludeFromLatest,
          targetRegions: [
            { name: world.location, regionalReplicaCount: 2, storageAccountType: 'Standard_ZRS' },
            { name: 'eastus', replicationState: options.failedRegion ? 'Failed' : 'Completed' },
          ],
        },
      ],
    });
    return id;
  }

  const versionJson = (id: string) => azure.arm.state().galleryImageVersions.find((v) => String(v['id']).toLowerCase() === id.toLowerCase());
  const patches = (id: string) => azure.arm.requests().filter((r) => r.method === 'PATCH' && r.path.toLowerCase() === id.toLowerCase());

  async function run(versionId: string, action: string, nodePath = node20Path()): Promise<AgentRunResult> {
    const connection = serviceConnection(azure, 'secret');
    return runTaskLikeAgent({
      taskDir: TASK_DIR,
      inputs: { azureSubscription: connection.id, galleryImageVersionId: versionId, action },
      endpoints: { [connection.id]: connection.endpoint },
      variables: connection.variables,
      env: azure.childEnv(),
      stepName: 'promote',
      nodePath,
      timeoutMs: 60_000,
    });
  }

  const summaryText = (r: AgentRunResult) => r.summaries.map((f) => fs.readFileSync(f, 'utf8')).join('\n');

  it('promote changes exactly excludeFromLatest, waits for the update and says so; a second promote changes nothing', async () => {
    // The version says Updating for 1.5 s after the PATCH's answer: a task that did not wait ends before that.
    azure.arm.setScenario({ timing: { ...FAST_BUILD, provisioningMs: 1_500 } });
    const id = seedVersion({ excludeFromLatest: true });
    const before = structuredClone(versionJson(id)!);
    const result = await run(id, 'promote');
    assertResult(result, 'Succeeded');
    assert.equal(patches(id).length, 1);
    assert.equal(patches(id)[0]!.status, 200, 'the stand-in accepted the body: only excludeFromLatest changes');
    const after = versionJson(id)!;
    const props = after['properties'] as { publishingProfile: { excludeFromLatest: boolean }; provisioningState: string };
    assert.equal(props.publishingProfile.excludeFromLatest, false);
    assert.equal(props.provisioningState, 'Succeeded', 'the task waited until the update finished');
    // Everything but that one field (and the transient provisioning state) is as it was.
    const strip = (json: Record<string, unknown>) => {
      const copy = structuredClone(json) as { properties: { publishingProfile: Record<string, unknown>; provisioningState?: string } };
      delete copy.properties.publishingProfile['excludeFromLatest'];
      delete copy.properties.provisioningState;
      return copy;
    };
    assert.deepEqual(strip(after), strip(before));
    assert.ok(result.log.some((l) => l.includes(`${id} is now eligible as latest`)), result.log.join('\n'));
    assert.match(summaryText(result), /excludeFromLatest: false \(was true\)/);
    assertNoSecrets(result, azure);

    const again = await run(id, 'promote');
    assertResult(again, 'Succeeded');
    assert.equal(patches(id).length, 1, 'no second update');
    assert.ok(again.log.some((l) => l.includes('already eligible as latest')), again.log.join('\n'));
  });

  it('demote sets excludeFromLatest again, on Node 24', async () => {
    const id = seedVersion({ excludeFromLatest: false });
    const result = await run(id, 'demote', node24Path);
    assertResult(result, 'Succeeded');
    const props = versionJson(id)!['properties'] as { publishingProfile: { excludeFromLatest: boolean } };
    assert.equal(props.publishingProfile.excludeFromLatest, true);
    assert.ok(result.log.some((l) => l.includes('is now excluded from latest')), result.log.join('\n'));
  });

  it('a missing version fails clearly and changes nothing', async () => {
    const id = `${world.linuxGalleryImageId}/versions/9.9.9`;
    const writesBefore = azure.arm.requests().filter((r) => r.method !== 'GET').length;
    const result = await run(id, 'promote');
    assertResult(result, 'Failed');
    assert.ok(result.issues.some((i) => i.message.includes(`${id} does not exist`) && i.message.includes('Nothing was changed')), JSON.stringify(result.issues));
    assert.equal(azure.arm.requests().filter((r) => r.method !== 'GET').length, writesBefore);
    assert.equal(versionJson(id), undefined);
  });

  it('a version whose replication failed is not promoted', async () => {
    const id = seedVersion({ excludeFromLatest: true, failedRegion: true });
    const result = await run(id, 'promote');
    assertResult(result, 'Failed');
    assert.ok(result.issues.some((i) => i.message.includes('Replication') && i.message.includes('eastus')), JSON.stringify(result.issues));
    assert.equal(patches(id).length, 0);
  });

  it('without the write permission on the version it fails before writing', async () => {
    const id = seedVersion({ excludeFromLatest: true });
    azure.arm.seed({ permissions: [{ scope: id, actions: ['*/read'] }] });
    const result = await run(id, 'promote');
    assertResult(result, 'Failed');
    assert.ok(result.issues.some((i) => i.message.includes('Microsoft.Compute/galleries/images/versions/write')), JSON.stringify(result.issues));
    assert.equal(patches(id).length, 0);
  });

  it('a malformed version id is reported against the input before any call to Azure', async () => {
    const before = azure.arm.requests().length;
    const result = await run(world.linuxGalleryImageId, 'promote');
    assertResult(result, 'Failed');
    assert.ok(result.issues.some((i) => i.message.includes("Input 'galleryImageVersionId'")), JSON.stringify(result.issues));
    assert.equal(azure.arm.requests().length, before);
  });
});
