/**
 * The simulated build: progressive log in the real format, artifacts really
 * downloaded (SAS or identity token) and checked, failures reported the way
 * the service reports them, partial success, cancel, and the run-state rules
 * of delete and run.
 */
import * as assert from 'node:assert/strict';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { armCall, waitForOperation } from '../../../testkit/emulators/arm/armClient';
import { makeTarGz, readStagingBlob, uploadArtifact } from '../../../testkit/emulators/arm/fixtures';
import { GALLERY_IMAGE_ID, IDENTITY_ID, LOCATION, RG, SOURCE_IMAGE_ID, removeAllTemplates, startHarness, SUB, waitFor, type Harness } from '../../../testkit/emulators/arm/harness';

type Json = Record<string, unknown>;

const T = (name: string) => `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`;
const MANAGED_OUT = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/images/build-out`;

function template(customize: Json[], distribute?: Json[], source?: Json): Json {
  return {
    location: LOCATION,
    identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
    properties: {
      source: source ?? { type: 'ManagedImage', imageId: SOURCE_IMAGE_ID },
      customize,
      distribute: distribute ?? [{ type: 'ManagedImage', runOutputName: 'managed', imageId: MANAGED_OUT, location: LOCATION }],
    },
  };
}

describe('ARM emulator simulated build', function () {
  this.timeout(60_000);
  let h: Harness;
  const call = (method: string, p: string, body?: unknown) => armCall(h.arm.url, method, p, body === undefined ? {} : { body });

  async function create(name: string, body: Json): Promise<void> {
    const r = await call('PUT', T(name), body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((await waitForOperation(h.arm.url, r.headers.get('azure-asyncoperation') as string)).status, 'Succeeded');
  }

  async function startRun(name: string): Promise<string> {
    const r = await call('POST', `${T(name)}/run`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.ok(r.headers.get('location'), 'run answers with Location too');
    assert.equal(r.headers.get('retry-after'), null, 'no Retry-After: it would slow every poller down');
    return r.headers.get('azure-asyncoperation') as string;
  }

  async function lastRun(name: string): Promise<Json> {
    const r = await call('GET', T(name));
    return ((r.body as Json).properties as Json).lastRunStatus as Json;
  }

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });
  afterEach(async () => {
    h.arm.setScenario({ failCustomizerName: '', failDistributorKinds: [], timing: {} });
    await removeAllTemplates(h.arm);
  });

  it('writes customization.log progressively while the run moves through its sub-states', async () => {
    h.arm.setScenario({ timing: { customizerMs: 600, buildingMs: 300, distributingMs: 400 } });
    await create('progressive', template([
      { type: 'Shell', name: 'one', inline: ['echo one'] },
      { type: 'Shell', name: 'two', inline: ['echo two'] },
    ]));
    const op = await startRun('progressive');
    const subStates = new Set<string>();
    const sizes: number[] = [];
    let runId = '';
    for (;;) {
      const s = await lastRun('progressive');
      if (s.runSubState) subStates.add(String(s.runSubState));
      runId ||= h.arm.state().imageTemplates[0]?.runIds[0] ?? '';
      if (runId) {
        try {
          sizes.push((await readStagingBlob(h.azurite, 'packerlogs', `${runId}/customization.log`)).length);
        } catch {
          // not created yet
        }
      }
      if (s.runState !== 'Running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await waitForOperation(h.arm.url, op)).status, 'Succeeded');
    assert.deepEqual([...subStates].filter((s) => s !== 'Queued'), ['Building', 'Customizing', 'Distributing']);
    const distinct = [...new Set(sizes)];
    assert.ok(distinct.length >= 3, `the log grew in steps while the build ran: ${JSON.stringify(sizes)}`);
    const log = await readStagingBlob(h.azurite, 'packerlogs', `${runId}/customization.log`);
    const lines = log.trimEnd().split('\n');
    assert.match(lines[0] as string, /^\[[0-9a-f-]{36}\] PACKER OUT azure-arm: output will be in this color\.$/);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('(telemetry)')),
      ['(telemetry) Starting provisioner shell', '(telemetry) ending shell', '(telemetry) Starting provisioner shell', '(telemetry) ending shell', '(telemetry) Finalizing. - This means the build has finished'],
    );
    assert.ok(lines.some((l) => /PACKER OUT {5}azure-arm: echo two$/.test(l)));
    assert.equal(lines[lines.length - 1], 'Done exporting Packer logs to Azure Storage.');
    const final = await lastRun('progressive');
    assert.equal(final.runState, 'Succeeded');
    assert.ok(Date.parse(String(final.endTime)) >= Date.parse(String(final.startTime)));
  });

  it('passes through Optimizing and Validating when optimize.vmBoot is Enabled and validate is given, running the in-VM validators', async () => {
    // Every phase lasts longer than two polls, so none can slip between them on a loaded machine.
    h.arm.setScenario({ timing: { buildingMs: 300, customizerMs: 300, optimizingMs: 400, validatingMs: 450, distributingMs: 300 } });
    const body = template([{ type: 'Shell', name: 'install', inline: ['echo install'] }]);
    Object.assign(body.properties as Json, {
      optimize: { vmBoot: { state: 'Enabled' } },
      validate: { inVMValidations: [{ type: 'Shell', name: 'check', inline: ['test -x /usr/bin/app'] }] },
    });
    await create('optimized', body);
    const op = await startRun('optimized');
    const seen: string[] = [];
    for (;;) {
      const s = await lastRun('optimized');
      const sub = s.runSubState === undefined ? undefined : String(s.runSubState);
      if (sub && seen[seen.length - 1] !== sub) seen.push(sub);
      if (s.runState !== 'Running') break;
      await new Promise((r) => setTimeout(r, 40));
    }
    assert.equal((await waitForOperation(h.arm.url, op)).status, 'Succeeded');
    assert.deepEqual(seen.filter((s) => s !== 'Queued'), ['Building', 'Customizing', 'Optimizing', 'Validating', 'Distributing']);
    const runId = h.arm.state().imageTemplates.find((t) => t.name === 'optimized')?.runIds[0];
    const log = await readStagingBlob(h.azurite, 'packerlogs', `${runId}/customization.log`);
    assert.match(log, /PACKER OUT ==> azure-arm: Optimizing the image for faster VM boot/);
    assert.match(log, /PACKER OUT {5}azure-arm: test -x \/usr\/bin\/app$/m, 'the validator ran after the customizers');
    assert.ok(log.indexOf('echo install') < log.indexOf('Optimizing the image') && log.indexOf('Optimizing the image') < log.indexOf('test -x /usr/bin/app'));
  });

  it('fails the run when an in-VM validator fails', async () => {
    h.arm.setScenario({ failCustomizerName: 'check' });
    const body = template([{ type: 'Shell', name: 'install', inline: ['true'] }]);
    (body.properties as Json).validate = { inVMValidations: [{ type: 'Shell', name: 'check', inline: ['false'] }] };
    await create('invalid', body);
    assert.equal((await waitForOperation(h.arm.url, await startRun('invalid'))).status, 'Failed');
    const s = await lastRun('invalid');
    assert.equal(s.runState, 'Failed');
    assert.match(String(s.message), /customizer 'check'/);
    assert.deepEqual(h.arm.state().imageTemplates.find((t) => t.name === 'invalid')?.runOutputs, [], 'nothing distributed');
  });

  it('writes a VHD to a user-given uri and leaves it there on delete; a uri into a missing container fails the distributor', async () => {
    const account = h.azurite.userAccount;
    const service = new BlobServiceClient(h.azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));
    await service.getContainerClient('exports').createIfNotExists();
    const uri = `${h.azurite.url(account.name)}/exports/optimized-image.vhd`;
    await create('vhd-uri', template([], [{ type: 'VHD', runOutputName: 'vhd', uri }]));
    assert.equal((await waitForOperation(h.arm.url, await startRun('vhd-uri'))).status, 'Succeeded');
    const outs = await call('GET', `${T('vhd-uri')}/runOutputs/vhd`);
    assert.equal(((outs.body as Json).properties as Json).artifactUri, uri);
    const blob = service.getContainerClient('exports').getBlobClient('optimized-image.vhd');
    const data = await blob.downloadToBuffer();
    assert.equal(data.subarray(0, 8).toString('ascii'), 'conectix', 'a VHD footer cookie');
    assert.deepEqual(h.arm.state().vhdBlobs, [], 'a user-given VHD is not one of the staging VHDs');

    await call('DELETE', T('vhd-uri'));
    await h.arm.waitForState((s) => !s.imageTemplates.some((t) => t.name === 'vhd-uri'));
    assert.equal(await blob.exists(), true, 'deleting the template leaves the user-given VHD');

    const missing = `${h.azurite.url(account.name)}/no-such-container/image.vhd`;
    await create('vhd-missing', template([], [{ type: 'VHD', runOutputName: 'vhd', uri: missing }]));
    assert.equal((await waitForOperation(h.arm.url, await startRun('vhd-missing'))).status, 'Failed');
    const s = await lastRun('vhd-missing');
    assert.equal(s.runState, 'Failed');
    assert.ok(String(s.message).includes(`runOutputName: vhd, type: VHD, error: Writing the VHD to '${missing}' failed: 404`), String(s.message));
  });

  it('downloads a URL without SAS with a storage token of the template identity and checks the checksum found in the customizer', async () => {
    const archive = await makeTarGz({ 'site/index.html': '<h1>hi</h1>' });
    const artifact = await uploadArtifact(h.azurite, 'identity/site.tar.gz', archive);
    await create('identity', template([
      { type: 'Shell', name: 'fetch', inline: [`curl -sSfo /tmp/site.tar.gz -H "Authorization: Bearer $TOKEN" '${artifact.url}'`, `echo '${artifact.sha256}  /tmp/site.tar.gz' | sha256sum -c`] },
    ]));
    assert.equal((await waitForOperation(h.arm.url, await startRun('identity'))).status, 'Succeeded');
    const d = h.arm.state().downloads.find((x) => x.customizerName === 'fetch');
    assert.deepEqual({ auth: d?.auth, status: d?.status, sha256: d?.sha256, expected: d?.expectedSha256, entries: d?.entries }, {
      auth: 'bearer',
      status: 200,
      sha256: artifact.sha256,
      expected: artifact.sha256,
      entries: ['site/index.html'],
    });
  });

  it('fails the run on a checksum mismatch, naming the log location and operation id', async () => {
    const artifact = await uploadArtifact(h.azurite, 'bad/app.tar.gz', await makeTarGz({ a: 'a' }));
    await create('mismatch', template([
      { type: 'File', name: 'app', sourceUri: artifact.sasUrl, destination: '/tmp/app.tar.gz', sha256Checksum: 'a'.repeat(64) },
    ]));
    const op = await waitForOperation(h.arm.url, await startRun('mismatch'));
    assert.equal(op.status, 'Failed');
    assert.equal(typeof (op.error as Json).message, 'string');
    const s = await lastRun('mismatch');
    assert.equal(s.runState, 'Failed');
    const t = h.arm.state().imageTemplates.find((x) => x.name === 'mismatch');
    const logUrl = `${h.azurite.url(h.azurite.stagingAccount.name)}/packerlogs/${t?.runIds[0]}/customization.log`;
    assert.match(String(s.message), /sha256 checksum mismatch/);
    assert.ok(String(s.message).includes(`Image Build log location: ${logUrl}. OperationId: ${String(op.name)}.`), String(s.message));
    const log = await readStagingBlob(h.azurite, 'packerlogs', `${t?.runIds[0]}/customization.log`);
    assert.match(log, /PACKER ERR ==> azure-arm: Checksum mismatch for https:\/\/127\.0\.0\.1:\d+\/[a-z0-9]+\/artifacts\/bad\/app\.tar\.gz: expected sha256 a{64}/);
    assert.equal(log.trimEnd().split('\n').pop(), 'Done exporting Packer logs to Azure Storage.');
    assert.deepEqual(t?.runOutputs, [], 'nothing distributed');
  });

  it('fails the run when an artifact cannot be downloaded (no SAS and a missing blob), and when the source does not exist', async () => {
    await create('missing-blob', template([{ type: 'Shell', name: 'script', scriptUri: `${h.azurite.url(h.azurite.userAccount.name)}/artifacts/nope.sh` }]));
    await waitForOperation(h.arm.url, await startRun('missing-blob'));
    const s1 = await lastRun('missing-blob');
    assert.equal(s1.runState, 'Failed');
    assert.match(String(s1.message), /failed to download '.*\/artifacts\/nope\.sh': server returned 404/);

    await create('missing-source', template([], undefined, { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '1.0.0' }));
    await waitForOperation(h.arm.url, await startRun('missing-source'));
    const s2 = await lastRun('missing-source');
    assert.equal(s2.runState, 'Failed');
    assert.match(String(s2.message), /platform image 'Canonical:ubuntu-24_04-lts:server:1\.0\.0' is not available in location 'westus'.*Image Build log location: https:/);
  });

  it('pins latest to the newest platform version and fails the named customizer when the scenario says so', async () => {
    h.arm.setScenario({ failCustomizerName: 'second' });
    await create('scripted', template(
      [{ type: 'Shell', name: 'first', inline: ['true'] }, { type: 'Shell', name: 'second', inline: ['false'] }],
      undefined,
      { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    ));
    await waitForOperation(h.arm.url, await startRun('scripted'));
    const r = await call('GET', T('scripted'));
    const props = (r.body as Json).properties as Json;
    assert.equal((props.source as Json).exactVersion, '24.04.202409090');
    assert.equal((props.lastRunStatus as Json).runState, 'Failed');
    assert.match(String((props.lastRunStatus as Json).message), /customizer 'second'/);
    const t = h.arm.state().imageTemplates.find((x) => x.name === 'scripted');
    const log = await readStagingBlob(h.azurite, 'packerlogs', `${t?.runIds[0]}/customization.log`);
    assert.match(log, /PACKER ERR ==> azure-arm: Script exited with non-zero exit status: 1/);
  });

  it('ends PartiallySucceeded when one distributor kind fails, with outputs for the others', async () => {
    h.arm.setScenario({ failDistributorKinds: ['SharedImage'] });
    await create('partial', template([], [
      { type: 'ManagedImage', runOutputName: 'managed', imageId: MANAGED_OUT, location: LOCATION },
      { type: 'SharedImage', runOutputName: 'gallery', galleryImageId: GALLERY_IMAGE_ID, targetRegions: [{ name: LOCATION }] },
    ]));
    await waitForOperation(h.arm.url, await startRun('partial'));
    const s = await lastRun('partial');
    assert.equal(s.runState, 'PartiallySucceeded');
    assert.match(String(s.message), /runOutputName: gallery, type: SharedImage/);
    const outs = await call('GET', `${T('partial')}/runOutputs`);
    assert.deepEqual(((outs.body as Json).value as Json[]).map((o) => o.name), ['managed']);
  });

  it('cancels a running build: Canceling then Canceled, the run operation ends Canceled', async () => {
    h.arm.setScenario({ timing: { customizerMs: 5000 } });
    await create('cancel-me', template([{ type: 'Shell', name: 'slow', inline: ['sleep 600'] }]));
    const runOp = await startRun('cancel-me');
    await waitFor('Customizing', async () => (await lastRun('cancel-me')).runSubState === 'Customizing');
    const again = await call('POST', `${T('cancel-me')}/run`);
    assert.equal(again.status, 409);
    assert.equal((again.body as { error: Json }).error.code, 'OperationNotAllowed');
    const refused = await call('DELETE', T('cancel-me'));
    assert.equal(refused.status, 409, 'delete refused while running');
    assert.match(String((refused.body as { error: Json }).error.message), /imageTemplates\/delete is not allowed .* run state: Running/);

    // Recorded: 204 with nothing to poll, then Canceling with its message and no runSubState key.
    const c = await call('POST', `${T('cancel-me')}/cancel`);
    assert.equal(c.status, 204);
    for (const name of ['azure-asyncoperation', 'location', 'retry-after']) assert.equal(c.headers.get(name), null, name);
    const canceling = await lastRun('cancel-me');
    assert.equal(canceling.runState, 'Canceling');
    assert.equal(canceling.message, 'Canceling image build');
    assert.equal(Object.prototype.hasOwnProperty.call(canceling, 'runSubState'), false);
    assert.equal(canceling.endTime, '0001-01-01T00:00:00Z');
    const run = await waitForOperation(h.arm.url, runOp);
    assert.equal(run.status, 'Canceled');
    assert.equal((await lastRun('cancel-me')).runState, 'Canceled');
  });

  it('deletes a template with its staging group, logs and default VHD; the operation is InProgress, then Succeeded', async () => {
    h.arm.setScenario({ timing: { deleteMs: 300 } });
    await create('doomed', template([{ type: 'Shell', name: 's', inline: ['true'] }], [{ type: 'VHD', runOutputName: 'vhd' }]));
    await waitForOperation(h.arm.url, await startRun('doomed'));
    const before = h.arm.state();
    const t = before.imageTemplates.find((x) => x.name === 'doomed');
    const staging = t?.exactStagingResourceGroup as string;
    assert.ok(before.resourceGroups.some((g) => g.id === staging && g.tags.createdBy === 'AzureVMImageBuilder' && g.tags.imageTemplateName === 'doomed'));
    assert.equal(before.vhdBlobs.length, 1);

    // Recorded: 202, both headers naming the same operation (each with its own signature), which answers 200 with its status.
    const del = await call('DELETE', T('doomed'));
    assert.equal(del.status, 202);
    const location = del.headers.get('location') as string;
    const asyncOp = del.headers.get('azure-asyncoperation') as string;
    assert.equal(new URL(asyncOp).pathname, new URL(location).pathname);
    assert.notEqual(new URL(asyncOp).searchParams.get('s'), new URL(location).searchParams.get('s'));
    const polled = await armCall(h.arm.url, 'GET', location);
    assert.equal(polled.status, 200);
    assert.equal((polled.body as Json).status, 'InProgress');
    assert.equal(((await call('GET', T('doomed'))).body as { properties: Json }).properties.provisioningState, 'Deleting');
    await waitFor('delete to finish', async () => ((await armCall(h.arm.url, 'GET', location)).body as Json).status === 'Succeeded');
    assert.equal((await call('GET', T('doomed'))).status, 404);
    const after = h.arm.state();
    assert.equal(after.resourceGroups.some((g) => g.id === staging), false);
    assert.deepEqual(after.vhdBlobs, []);
    const service = new BlobServiceClient(h.azurite.url(h.azurite.stagingAccount.name), new StorageSharedKeyCredential(h.azurite.stagingAccount.name, h.azurite.stagingAccount.key));
    const left: string[] = [];
    for await (const b of service.getContainerClient('packerlogs').listBlobsFlat({ prefix: `${t?.runIds[0]}/` })) left.push(b.name);
    for await (const b of service.getContainerClient('vhds').listBlobsFlat({ prefix: 'doomed-' })) left.push(b.name);
    assert.deepEqual(left, []);
    assert.equal((await call('DELETE', T('doomed'))).status, 204, 'deleting what is gone answers 204');
  });

  it('adopts a given stagingResourceGroup and only empties it on delete', async () => {
    const given = `/subscriptions/${SUB}/resourceGroups/my-staging`;
    h.arm.seed({ resourceGroups: [{ subscriptionId: SUB, name: 'my-staging', location: LOCATION }] });
    const body = template([]);
    (body.properties as Json).stagingResourceGroup = given;
    await create('adopt', body);
    await waitForOperation(h.arm.url, await startRun('adopt'));
    assert.equal(h.arm.state().imageTemplates.find((x) => x.name === 'adopt')?.exactStagingResourceGroup, given);
    const accounts = await call('GET', `${given}/providers/Microsoft.Storage/storageAccounts`);
    assert.equal(((accounts.body as Json).value as Json[]).length, 1);
    await call('DELETE', T('adopt'));
    await h.arm.waitForState((s) => s.imageTemplates.length === 0);
    const rg = h.arm.state().resourceGroups.find((g) => g.id === given);
    assert.ok(rg, 'the given group stays');
    assert.equal(rg.tags.usedBy, undefined);
    const after = await call('GET', `${given}/providers/Microsoft.Storage/storageAccounts`);
    assert.deepEqual((after.body as Json).value, []);
  });
});
