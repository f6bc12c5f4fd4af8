import * as assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import * as sinon from 'sinon';
import { RestError } from '@azure/core-rest-pipeline';
import { runPreflight } from '../../shared/preflight/runPreflight';
import { PREFLIGHT_CHECKS } from '../../shared/preflight/checks';
import { artifactsFor, configWith, fullBuildVm, SUBSCRIPTION } from '../support/configFixtures';
import type { ReaderMethod } from './fakeReader';
import { fakeReader, lines } from './preflightFixtures';

const everything = configWith('shell', (c) => {
  fullBuildVm(c);
  c.artifacts = artifactsFor('shell', 'sas');
});

const READER_METHODS: ReaderMethod[] = [
  'getProviderRegistration',
  'getIdentity',
  'getPlatformImageVersion',
  'listPlatformImageVersions',
  'getManagedImage',
  'getGalleryImageVersion',
  'getGalleryImageDefinition',
  'getTemplate',
  'getPermissions',
  'listLocations',
  'findStorageAccount',
  'listComputeUsages',
  'listVmSizes',
  'listRoleAssignments',
  'getRoleDefinition',
];

describe('preflight runner', () => {
  it('passes every check in a world where everything is in order', async () => {
    const outcome = await runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader: fakeReader() });
    assert.equal(outcome.verdict, 'passed', lines(outcome.results).join('\n'));
    // Every check but the gallery region one (the fixtures' definitions name no region) reports.
    assert.deepEqual([...new Set(outcome.results.map((r) => r.id))], PREFLIGHT_CHECKS.map((c) => c.id).filter((id) => id !== 'galleryRegion'));
  });

  it('runs the checks at once: the total is the slowest chain of reads, not the sum', async () => {
    // Simulated time: each read takes DELAY on the fake clock, so the elapsed time is exact.
    const timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const DELAY = 150;
      const reader = fakeReader();
      for (const method of READER_METHODS) reader.delays[method] = DELAY;
      const running = runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader });
      await timers.runAllAsync();
      const outcome = await running;
      assert.equal(outcome.verdict, 'passed');
      // Longest chain: list versions -> get version -> (gallery) definition, three reads deep.
      const sum = reader.calls.length * DELAY;
      assert.ok(reader.calls.length >= 15, `only ${reader.calls.length} reads`);
      assert.ok(outcome.elapsedMs <= 3 * DELAY, `took ${outcome.elapsedMs} ms of simulated time; one after another would be ${sum} ms`);
    } finally {
      timers.restore();
    }
  });

  it('reads a thing several checks need only once', async () => {
    const reader = fakeReader();
    await runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader });
    // The source check and the gallery check both read the source image.
    assert.equal(reader.count('listPlatformImageVersions'), 1);
    assert.equal(reader.count('getPlatformImageVersion'), 1);
  });

  it('turns a reader error into a warning of that check only, saying why', async () => {
    const reader = fakeReader();
    reader.failures.getPermissions = new RestError("The client 'x' does not have authorization to perform action 'Microsoft.Authorization/permissions/read'.", {
      code: 'AuthorizationFailed',
      statusCode: 403,
    });
    const outcome = await runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader });
    const permissions = outcome.results.filter((r) => r.id === 'permissions');
    assert.deepEqual(lines(permissions), [
      "warning: Not checked: reading Azure failed (403 AuthorizationFailed: The client 'x' does not have authorization to perform action 'Microsoft.Authorization/permissions/read'.).",
    ]);
    assert.equal(outcome.verdict, 'warnings');
    assert.ok(outcome.results.filter((r) => r.id !== 'permissions').every((r) => r.status === 'passed'));
  });

  it('gives up on a check that does not answer in time and reports it as a warning', async () => {
    const timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let outcome;
    try {
      const reader = fakeReader();
      reader.hanging.add('listLocations');
      const running = runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader, timeoutMs: 200 });
      await timers.tickAsync(200);
      outcome = await running;
    } finally {
      timers.restore();
    }
    assert.deepEqual(lines(outcome.results.filter((r) => r.id === 'regions')), ['warning: Not checked: Azure did not answer within 0.2 seconds.']);
    assert.equal(outcome.verdict, 'warnings');
  });

  it('fails the verdict when one check fails, whatever the others say', async () => {
    const reader = fakeReader((w) => (w.providers['Microsoft.VirtualMachineImages'] = 'NotRegistered'));
    reader.failures.listLocations = new Error('socket hang up');
    const outcome = await runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader });
    assert.equal(outcome.verdict, 'failed');
    assert.deepEqual(
      outcome.results.filter((r) => r.status !== 'passed').map((r) => `${r.id}:${r.status}`),
      ['resourceProviders:failed', 'regions:warning'],
    );
  });

  it("listens once on the task's signal however many checks run (no leak warning in the pipeline log), and a cancel still stops each of them", async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const checks = Array.from({ length: 20 }, (_, i) => ({
      id: PREFLIGHT_CHECKS[i % PREFLIGHT_CHECKS.length]!.id,
      run: ({ signal }: { signal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          seen.push(signal!);
          signal!.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
    }));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const running = runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader: fakeReader(), signal: controller.signal, timeoutMs: 60_000, checks });
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(seen.length, 20, 'every check started');
      assert.equal(getEventListeners(controller.signal, 'abort').length, 1, "one listener on the task's signal");
      controller.abort(new Error('canceled'));
      const outcome = await running;
      assert.equal(outcome.results.length, 20);
      assert.ok(outcome.results.every((r) => r.status === 'warning' && r.key === 'PreflightCheckError'), JSON.stringify(outcome.results));
      assert.ok(seen.every((s) => s.aborted), 'each check saw the cancel');
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the listener is removed at the end');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('stops the checks when the task is cancelled', async () => {
    const reader = fakeReader();
    reader.hanging.add('getTemplate');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('canceled')), 50);
    const outcome = await runPreflight({ config: everything, subscriptionId: SUBSCRIPTION, reader, signal: controller.signal, timeoutMs: 60_000 });
    assert.deepEqual(lines(outcome.results.filter((r) => r.id === 'templateName')), ['warning: Not checked: reading Azure failed (aborted).']);
  });
});
