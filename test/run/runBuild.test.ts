import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { ConsoleHost } from '../support/consoleHost';
import type { BuildServices } from '../../shared/ports/buildServices';
import { runBuild } from '../../shared/run/runBuild';
import { loc } from '../config/configFixtures';
import { artifactsFor, baseConfig } from '../support/configFixtures';
import { FakeClock } from '../support/fakeClock';
import { connection, fakeServices } from './fakes';

function config(change: (c: ImageBuilderConfig) => void = () => undefined): ImageBuilderConfig {
  const c = baseConfig();
  c.preflight = false;
  c.artifacts = artifactsFor('shell');
  change(c);
  return c;
}

async function run(c: ImageBuilderConfig, services: BuildServices, signal = new AbortController().signal, clock = new FakeClock()) {
  const lines: string[] = [];
  const host = new ConsoleHost(loc, (l) => lines.push(l));
  const pipeline = { teamProject: 'Web', buildId: '42', jobAttempt: '1', jobId: 'job-a', taskInstanceId: 'step-1', workingDirectory: '/w' };
  const outcome = await runBuild({ host, config: c, connection, cancellation: signal, services, pipeline, clock });
  return { outcome, lines, host };
}

describe('build run orchestration (fake Azure)', () => {
  it('a leftover template that is still building stops the run before anything is uploaded or created', async () => {
    const { services, calls } = fakeServices({ existing: [{ id: '/t', lastRunStatus: { runState: 'Running' } }] });
    const { outcome, lines } = await run(config(), services);
    assert.equal(outcome.result, 'Failed');
    assert.deepEqual(calls, ['list', 'get']);
    assert.ok(lines.some((l) => l.includes('already exists and is running')), lines.join('\n'));
  });

  it('an idle leftover of the own name is replaced: its deletion is requested and waited for before the new template is created', async () => {
    const idle = { id: '/t', lastRunStatus: { runState: 'Failed' } };
    const deleting = { id: '/t', provisioningState: 'Deleting', lastRunStatus: { runState: 'Failed' } };
    const { services, calls } = fakeServices({ existing: [idle, deleting, deleting, undefined], createFails: new Error('boom') });
    await run(config(), services);
    assert.deepEqual(calls.slice(0, 9), ['list', 'get', 'delete', 'get', 'get', 'get', 'resolveLatest', 'digest', 'stage']);
    assert.equal(calls[9], 'create');
  });

  it('watches the build on the injected clock: the waits between polls and the elapsed times are its own, none real', async () => {
    const running = (runSubState: string) => ({ id: '/t', provisioningState: 'Succeeded', exactStagingResourceGroup: '/subscriptions/s/resourceGroups/IT_rg_t_1', lastRunStatus: { runState: 'Running', runSubState } });
    const { services, calls } = fakeServices({
      existing: [undefined, running('Queued'), running('Customizing'), running('Customizing'), { ...running(''), lastRunStatus: { runState: 'Succeeded' } }],
    });
    const clock = new FakeClock();
    const started = clock.nowMs;
    const { outcome, lines } = await run(config((c) => (c.sweepLeftovers = false)), services, undefined, clock);
    assert.equal(outcome.result, 'Succeeded', lines.join('\n'));
    const watchCalls = calls.slice(calls.indexOf('startRun') + 1, calls.indexOf('runOutputs'));
    assert.equal(watchCalls.filter((c) => c === 'get').length, 4, calls.join(','));
    // Three waits of about one poll interval (15 s, less up to 10 % jitter) between the four reads of the watch.
    assert.equal(clock.sleeps.length, 3, JSON.stringify(clock.sleeps));
    for (const ms of clock.sleeps) assert.ok(ms > 13_000 && ms <= 15_000, `a poll wait of ${ms} ms`);
    const elapsed = Math.round((clock.nowMs - started) / 1000);
    assert.ok(lines.some((l) => l.includes(`Build finished: Succeeded (elapsed ${elapsed}s)`)), `elapsed ${elapsed}s on the fake clock:\n${lines.join('\n')}`);
  });

  it('sweepLeftovers off: the resource group is not listed', async () => {
    const { services, calls } = fakeServices({ createFails: new Error('boom') });
    await run(config((c) => (c.sweepLeftovers = false)), services);
    assert.ok(!calls.includes('list'), calls.join(','));
  });

  it('a failed create still removes the template it may have left and the uploaded artifacts', async () => {
    const { services, calls } = fakeServices({ createFails: Object.assign(new Error('Conflict'), { statusCode: 409, code: 'Conflict' }) });
    const { outcome, lines } = await run(config(), services);
    assert.equal(outcome.result, 'Failed');
    assert.ok(calls.includes('delete') && calls.includes('removeUpload'), calls.join(','));
    assert.ok(!calls.includes('startRun'));
    assert.ok(lines.some((l) => /409/.test(l) && /Conflict/.test(l)), lines.join('\n'));
  });

  it('says up front how long it may wait and which job settings must allow it', async () => {
    const { services } = fakeServices({ createFails: new Error('stop here') });
    const { lines } = await run(config((c) => (c.buildVm.buildTimeoutInMinutes = 0)), services);
    const budget = lines.find((l) => l.startsWith('The task waits up to'));
    assert.ok(budget, lines.join('\n'));
    assert.match(budget, /up to 270 minutes for the build: the build timeout of 240 minutes \(0: the service default\) plus a margin of 30 minutes/);
    assert.match(budget, /timeoutInMinutes of at least 285/);
    assert.match(budget, /cancelTimeoutInMinutes/);
    const { lines: shorter } = await run(config((c) => (c.buildVm.buildTimeoutInMinutes = 60)), fakeServices({ createFails: new Error('stop here') }).services);
    assert.ok(shorter.some((l) => /up to 90 minutes for the build: the build timeout of 60 minutes plus a margin of 30 minutes/.test(l)), shorter.join('\n'));
  });

  it('a gallery source asked for as latest is resolved before the template is created, and the log says to what', async () => {
    const { services, calls } = fakeServices({ createFails: new Error('stop here') });
    const latest = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/base/versions/latest';
    const { lines } = await run(config((c) => (c.source = { kind: 'galleryImageVersion', imageVersionId: latest })), services);
    assert.ok(calls.indexOf('resolveLatestGallery') >= 0 && calls.indexOf('resolveLatestGallery') < calls.indexOf('create'), calls.join(','));
    assert.ok(lines.some((l) => l.includes(`Gallery source ${latest}: latest is ${latest.replace(/latest$/, '2.0.1')}`)), lines.join('\n'));
    // An exact version needs no lookup.
    const exact = fakeServices({ createFails: new Error('stop here') });
    await run(config((c) => (c.source = { kind: 'galleryImageVersion', imageVersionId: latest.replace(/latest$/, '1.0.0') })), exact.services);
    assert.ok(!exact.calls.includes('resolveLatestGallery'));
  });

  it('cleanup onSuccess keeps what a failed run created', async () => {
    const { services, calls } = fakeServices({ createFails: new Error('boom') });
    await run(config((c) => (c.cleanup = 'onSuccess')), services);
    assert.ok(!calls.includes('delete') && !calls.includes('removeUpload'), calls.join(','));
  });

  it('a cancel before the build starts ends Canceled without creating anything', async () => {
    const { services, calls } = fakeServices({});
    const cancel = new AbortController();
    cancel.abort();
    const { outcome } = await run(config(), services, cancel.signal);
    assert.equal(outcome.result, 'Canceled');
    assert.deepEqual(calls, []);
  });

  it("the template carries the task's tags over the user's: owner, cleanup policy, run and step key", async () => {
    let submitted: Record<string, string> | undefined;
    const { services } = fakeServices({});
    services.templates.create = async (body) => {
      submitted = body.tags;
      throw new Error('stop here');
    };
    await run(config((c) => (c.templateTags = { team: 'web', CreatedBy: 'someone' })), services);
    assert.deepEqual(submitted, {
      team: 'web',
      createdBy: 'AzureImageBuilder@1',
      imageBuilderCleanup: 'always',
      imageBuilderRun: 'Web/42/1',
      imageBuilderStep: submitted?.['imageBuilderStep'],
    });
    assert.match(submitted?.['imageBuilderStep'] ?? '', /^[0-9a-f]{8}$/);
  });

  it('a failed run requests the deletion without waiting for it and says so, in the log and the cleanup summary', async () => {
    const { services, calls } = fakeServices({ createFails: new Error('boom') });
    const { lines, host } = await run(config(), services);
    assert.equal(calls.filter((c) => c === 'delete').length, 1, calls.join(','));
    assert.equal(calls.at(-1) === 'get', false, 'nothing polls the template after the delete request');
    const requested = lines.find((l) => l.includes('Deletion of image template proj-42-1 in resource group rg-aib requested'));
    assert.ok(requested && /in the background/.test(requested), lines.join('\n'));
    // One summary tab: the run's failure, then what cleanup did.
    assert.deepEqual(host.summaries.map((f) => path.basename(f)), ['proj-42-1-summary.md']);
    const markdown = fs.readFileSync(host.summaries[0]!, 'utf8');
    assert.ok(markdown.indexOf('Failed') < markdown.indexOf('Cleanup of image template'), markdown);
    assert.match(markdown, /Deletion of image template proj-42-1 in resource group rg-aib requested/);
    assert.match(markdown, /Deleted the uploaded build artifacts/);
  });
});
