import { FakeClock } from '../support/fakeClock';
import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { RestError, createHttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { LogSections } from '../../shared/watch/logSections';
import { createStatusPrinter } from '../../shared/watch/statusPrinter';
import { isTransientError } from '../../shared/core/httpAnswer';
import {
  pollTemplateRun,
  progressPercent,
  type PollTemplateRunOptions,
  type TemplateRunSnapshot,
  type WatchEvent,
} from '../../shared/watch/statusPoller';
import { RecordingHost } from './fakeHost';

const running = (runSubState: string, extra: Partial<TemplateRunSnapshot> = {}): TemplateRunSnapshot => ({
  provisioningState: 'Succeeded',
  lastRunStatus: { runState: 'Running', runSubState },
  ...extra,
});
const ended = (runState: string): TemplateRunSnapshot => ({ provisioningState: 'Succeeded', lastRunStatus: { runState, message: '' } });

/** Answers in turn; the last answer repeats. Each answer is a snapshot or an error to throw. */
function sequence(answers: (TemplateRunSnapshot | Error)[]): { get: () => Promise<TemplateRunSnapshot>; calls: () => number } {
  let i = 0;
  return {
    get: async () => {
      const answer = answers[Math.min(i, answers.length - 1)]!;
      i += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    calls: () => i,
  };
}

function restError(statusCode: number, headers: Record<string, string> = {}, code?: string): RestError {
  const request = { url: 'https://management.example/x', method: 'GET', headers: createHttpHeaders() } as unknown as PipelineRequest;
  const response = { status: statusCode, headers: createHttpHeaders(headers), request } as PipelineResponse;
  return new RestError(`status ${statusCode}`, { statusCode, response, request, ...(code ? { code } : {}) });
}

function baseOptions(clock: FakeClock, get: () => Promise<TemplateRunSnapshot>, extra: Partial<PollTemplateRunOptions> = {}): PollTemplateRunOptions {
  return {
    getTemplate: get,
    intervalSeconds: 15,
    buildTimeoutInMinutes: 60,
    clock,
    random: () => 0, // no jitter unless a test asks for it
    ...extra,
  };
}

describe('pollTemplateRun', () => {
  let host: RecordingHost;
  beforeEach(() => {
    host = new RecordingHost();
  });
  afterEach(() => host.cleanup());

  it('prints each phase change once, with a timestamp and the elapsed time, and reports progress', async () => {
    const clock = new FakeClock();
    const s = sequence([
      running('Queued'),
      running('Queued'),
      running('Building'),
      running('Customizing'),
      running('Customizing'),
      running('Customizing'),
      running('Distributing'),
      ended('Succeeded'),
    ]);
    const result = await pollTemplateRun(baseOptions(clock, s.get, { onEvent: createStatusPrinter(host, new LogSections(host)) }));

    assert.equal(result.kind, 'finished');
    assert.deepEqual(host.lines, [
      '[2025-01-31T10:00:00Z] Build status: Running/Queued (elapsed 0s)',
      '[2025-01-31T10:00:30Z] Build status: Running/Building (elapsed 30s)',
      '[2025-01-31T10:00:45Z] Build status: Running/Customizing (elapsed 45s)',
      '[2025-01-31T10:01:30Z] Build status: Running/Distributing (elapsed 1m 30s)',
      '[2025-01-31T10:01:45Z] Build finished: Succeeded (elapsed 1m 45s)',
    ]);
    const progress = host.records.filter((r) => r.kind === 'progress').map((r) => (r.kind === 'progress' ? r.percent : -1));
    assert.deepEqual(progress, [5, 15, 60, 90, 100]);
    assert.deepEqual(
      result.phases.map((p) => [p.phase.runSubState ?? p.phase.runState, p.durationMs / 1000]),
      [
        ['Queued', 30],
        ['Building', 15],
        ['Customizing', 45],
        ['Distributing', 15],
      ],
    );
    assert.equal(s.calls(), 8);
  });

  it('measures elapsed time from the given start of the run', async () => {
    const clock = new FakeClock();
    const start = clock.nowMs - 120_000;
    const s = sequence([running('Building'), ended('Failed')]);
    const events: WatchEvent[] = [];
    const result = await pollTemplateRun(baseOptions(clock, s.get, { startedAt: start, onEvent: (e) => events.push(e) }));
    assert.equal(result.kind, 'finished');
    assert.equal(result.kind === 'finished' && result.runState, 'Failed');
    const first = events.find((e) => e.type === 'phaseChanged');
    assert.equal(first?.type === 'phaseChanged' && first.elapsedMs, 120_000);
  });

  it('keeps the sleep within the interval and at most 10% below it', async () => {
    const clock = new FakeClock();
    const randoms = [0, 0.999999, 0.25, 0.75];
    let r = 0;
    const s = sequence([running('Building'), running('Building'), running('Building'), running('Building'), ended('Succeeded')]);
    await pollTemplateRun(baseOptions(clock, s.get, { random: () => randoms[r++ % randoms.length]! }));
    assert.deepEqual(clock.sleeps, [15_000, 13_500, 14_625, 13_875]);

    const clock2 = new FakeClock();
    const many = sequence([...Array.from({ length: 300 }, () => running('Customizing')), ended('Succeeded')]);
    await pollTemplateRun(baseOptions(clock2, many.get, { random: Math.random, buildTimeoutInMinutes: 960 }));
    assert.equal(clock2.sleeps.length, 300);
    for (const ms of clock2.sleeps) assert.ok(ms >= 13_500 && ms <= 15_000, `sleep ${ms} out of bounds`);
    assert.ok(new Set(clock2.sleeps).size > 10, 'jitter varies the sleeps');
  });

  it('waits as long as a Retry-After header asks, in seconds or as a date', async () => {
    const clock = new FakeClock();
    const retryDate = new Date(clock.nowMs + 90_000).toUTCString();
    const s = sequence([restError(429, { 'retry-after': '120' }), restError(503, { 'retry-after': retryDate }), restError(503, { 'retry-after': '1' }), ended('Succeeded')]);
    const result = await pollTemplateRun(baseOptions(clock, s.get, { onEvent: createStatusPrinter(host) }));
    assert.equal(result.kind, 'finished');
    // 120 s asked; then a date 90 s after the start, which is already past by then (so the interval);
    // then 1 s asked, shorter than the interval, so the interval wins.
    assert.deepEqual(clock.sleeps, [120_000, 15_000, 15_000]);
    assert.equal(host.texts('debug').length, 3);
    assert.match(host.texts('debug')[0]!, /429.*attempt 1 of 5, trying again in 120 s/);
  });

  it('honours a Retry-After date that lies ahead', async () => {
    const clock = new FakeClock();
    const s = sequence([restError(503, { 'retry-after': new Date(clock.nowMs + 60_000).toUTCString() }), ended('Succeeded')]);
    await pollTemplateRun(baseOptions(clock, s.get));
    assert.deepEqual(clock.sleeps, [60_000]);
  });

  it('tolerates transient failures below the bound and keeps polling', async () => {
    const clock = new FakeClock();
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const s = sequence([running('Building'), restError(500), restError(502), reset, restError(504), running('Customizing'), ended('Succeeded')]);
    const events: WatchEvent[] = [];
    const result = await pollTemplateRun(baseOptions(clock, s.get, { onEvent: (e) => events.push(e) }));
    assert.equal(result.kind, 'finished');
    assert.deepEqual(
      events.filter((e) => e.type === 'transientError').map((e) => (e.type === 'transientError' ? e.consecutiveFailures : 0)),
      [1, 2, 3, 4],
    );
  });

  it('reports the error once the consecutive transient failures reach the bound', async () => {
    const clock = new FakeClock();
    const s = sequence([running('Building'), restError(503)]);
    const result = await pollTemplateRun(baseOptions(clock, s.get, { maxConsecutiveFailures: 3 }));
    assert.equal(result.kind, 'pollFailed');
    if (result.kind !== 'pollFailed') return;
    assert.equal(result.consecutiveFailures, 3);
    assert.equal((result.error as RestError).statusCode, 503);
    assert.equal(s.calls(), 4);
    assert.equal(result.snapshot?.lastRunStatus?.runSubState, 'Building', 'the last good state is kept');
  });

  it('stops at once on an error that is not transient', async () => {
    const clock = new FakeClock();
    const s = sequence([restError(404, {}, 'ResourceNotFound')]);
    const result = await pollTemplateRun(baseOptions(clock, s.get));
    assert.equal(result.kind, 'pollFailed');
    assert.equal(s.calls(), 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('ends the wait at the build timeout plus the margin (0 meaning 240 minutes)', async () => {
    const clock = new FakeClock();
    const start = clock.nowMs;
    const s = sequence([running('Customizing')]);
    const events: WatchEvent[] = [];
    const result = await pollTemplateRun(baseOptions(clock, s.get, { buildTimeoutInMinutes: 0, deadlineMarginMinutes: 30, intervalSeconds: 60, onEvent: (e) => events.push(e) }));
    assert.equal(result.kind, 'deadlineExceeded');
    assert.equal(clock.nowMs - start, 270 * 60_000, 'never sleeps past the deadline');
    assert.equal(s.calls(), 271, 'one read a minute, and a last one at the deadline');
    const deadline = events.find((e) => e.type === 'deadlineExceeded');
    assert.ok(deadline && deadline.type === 'deadlineExceeded');
    assert.equal(deadline.buildTimeoutMinutes, 240);

    const clock2 = new FakeClock();
    const s2 = sequence([running('Customizing')]);
    const r2 = await pollTemplateRun(baseOptions(clock2, s2.get, { buildTimeoutInMinutes: 10, deadlineMarginMinutes: 5, intervalSeconds: 40, onEvent: createStatusPrinter(host) }));
    assert.equal(r2.kind, 'deadlineExceeded');
    assert.equal(clock2.nowMs - Date.UTC(2025, 0, 31, 10, 0, 0), 15 * 60_000);
    assert.ok(host.lines.some((l) => l === '[2025-01-31T10:15:00Z] Stopped waiting for the build after 15m 00s: the build timeout (10 minutes) plus a margin of 5 minutes has passed.'));
  });

  describe('at the deadline, with the real clock under sinon fake timers', () => {
    let timers: sinon.SinonFakeTimers;
    const start = Date.UTC(2025, 0, 31, 10, 0, 0);
    beforeEach(() => {
      timers = sinon.useFakeTimers({ now: start, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });
    afterEach(() => timers.restore());

    /** The template as the service reports it: running until `endsAt`, then `state`. */
    function serviceEndingAt(endsAt: number, state: string) {
      const reads: number[] = [];
      return {
        reads,
        get: async (): Promise<TemplateRunSnapshot> => {
          reads.push(Date.now() - start);
          return Date.now() >= endsAt ? ended(state) : running('Customizing');
        },
      };
    }

    it('reads the template once more at the deadline and reports a build that ended shortly before it, not a timeout', async () => {
      // Deadline 15 minutes after the start; a 300 s interval reads at 0, 5 and 10 minutes; the build ends at 14m 30s.
      const service = serviceEndingAt(start + 14.5 * 60_000, 'Succeeded');
      const events: WatchEvent[] = [];
      const done = pollTemplateRun({ getTemplate: service.get, intervalSeconds: 300, buildTimeoutInMinutes: 10, deadlineMarginMinutes: 5, random: () => 0, onEvent: (e) => events.push(e) });
      await timers.tickAsync(15 * 60_000);
      const result = await done;
      assert.equal(result.kind, 'finished');
      assert.equal(result.kind === 'finished' && result.runState, 'Succeeded');
      assert.deepEqual(service.reads, [0, 300_000, 600_000, 900_000]);
      assert.ok(!events.some((e) => e.type === 'deadlineExceeded'), 'no timeout reported');
    });

    it('still reports the timeout when the last read at the deadline shows the build running', async () => {
      const service = serviceEndingAt(start + 16 * 60_000, 'Succeeded');
      const events: WatchEvent[] = [];
      const done = pollTemplateRun({ getTemplate: service.get, intervalSeconds: 300, buildTimeoutInMinutes: 10, deadlineMarginMinutes: 5, random: () => 0, onEvent: (e) => events.push(e) });
      await timers.tickAsync(15 * 60_000);
      const result = await done;
      assert.equal(result.kind, 'deadlineExceeded');
      assert.deepEqual(service.reads, [0, 300_000, 600_000, 900_000]);
      assert.equal(events.filter((e) => e.type === 'deadlineExceeded').length, 1);
    });

    it('reports the timeout when the last read fails transiently, without waiting for another', async () => {
      let reads = 0;
      const get = async (): Promise<TemplateRunSnapshot> => {
        reads += 1;
        if (Date.now() >= start + 15 * 60_000) throw restError(503);
        return running('Customizing');
      };
      const done = pollTemplateRun({ getTemplate: get, intervalSeconds: 300, buildTimeoutInMinutes: 10, deadlineMarginMinutes: 5, random: () => 0 });
      await timers.tickAsync(15 * 60_000);
      const result = await done;
      assert.equal(result.kind, 'deadlineExceeded');
      assert.equal(reads, 4);
    });
  });

  it('stops as soon as it is aborted during the sleep, without waiting out the interval', async () => {
    const timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const controller = new AbortController();
      const s = sequence([running('Customizing')]);
      let settled = false;
      const done = pollTemplateRun({ getTemplate: s.get, intervalSeconds: 3600, buildTimeoutInMinutes: 0, abortSignal: controller.signal });
      void done.finally(() => (settled = true));
      await timers.tickAsync(30);
      assert.equal(settled, false, 'still sleeping before the abort');
      controller.abort();
      await timers.tickAsync(0);
      assert.equal(settled, true, 'returned on the abort, an hour of interval left');
      assert.equal((await done).kind, 'aborted');
      assert.equal(s.calls(), 1);
    } finally {
      timers.restore();
    }
  });

  it('ends as aborted, without another read, when the wait of an injected clock ends early on an abort', async () => {
    const controller = new AbortController();
    const s = sequence([running('Customizing')]);
    const clock = new FakeClock();
    const waitedUnder: (AbortSignal | undefined)[] = [];
    // The pipeline is cancelled during the wait: the clock's sleep returns early, as the real one does.
    clock.sleep = async (_ms, signal) => {
      waitedUnder.push(signal);
      controller.abort();
    };
    const result = await pollTemplateRun(baseOptions(clock, s.get, { abortSignal: controller.signal }));
    assert.equal(result.kind, 'aborted');
    assert.equal(s.calls(), 1);
    assert.deepEqual(waitedUnder, [controller.signal], 'the wait is given the signal so it can end early');
  });

  it('stops as soon as it is aborted while a read hangs', async () => {
    const controller = new AbortController();
    let reading!: () => void;
    const readStarted = new Promise<void>((resolve) => (reading = resolve));
    const done = pollTemplateRun({
      getTemplate: () => {
        reading();
        return new Promise(() => undefined);
      },
      intervalSeconds: 15,
      buildTimeoutInMinutes: 0,
      abortSignal: controller.signal,
    });
    await readStarted;
    controller.abort();
    // The read never answers: only the abort can end the poll.
    assert.equal((await done).kind, 'aborted');
  });

  it('does not read at all when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const s = sequence([running('Queued')]);
    const result = await pollTemplateRun(baseOptions(new FakeClock(), s.get, { abortSignal: controller.signal }));
    assert.equal(result.kind, 'aborted');
    assert.equal(s.calls(), 0);
  });

  it('announces the staging resource group once and calls the tick hook once per poll', async () => {
    const clock = new FakeClock();
    const rg = '/subscriptions/s/resourceGroups/IT_rg_t_1234';
    const s = sequence([running('Queued'), running('Building', { exactStagingResourceGroup: rg }), running('Customizing', { exactStagingResourceGroup: rg }), ended('Succeeded')]);
    const events: WatchEvent[] = [];
    const ticks: (string | undefined)[] = [];
    await pollTemplateRun(
      baseOptions(clock, s.get, {
        onEvent: (e) => events.push(e),
        onTick: async (snap) => {
          ticks.push(snap?.lastRunStatus?.runSubState ?? snap?.lastRunStatus?.runState);
          throw new Error('a broken tick hook does not end the watch');
        },
      }),
    );
    assert.deepEqual(events.filter((e) => e.type === 'stagingResourceGroupKnown').length, 1);
    assert.deepEqual(ticks, ['Queued', 'Building', 'Customizing', 'Succeeded']);
  });

  it('reports a failed submission without waiting for a run', async () => {
    const clock = new FakeClock();
    const s = sequence([{ provisioningState: 'Failed', provisioningError: { provisioningErrorCode: 'BadSourceType', message: 'bad' } }]);
    const result = await pollTemplateRun(baseOptions(clock, s.get));
    assert.equal(result.kind, 'provisioningFailed');
    assert.equal(s.calls(), 1);
  });

  it('maps phases to progress and classifies errors', () => {
    assert.equal(progressPercent({ runState: 'Running', runSubState: 'Optimizing' }), 70);
    assert.equal(progressPercent({ runState: 'Running', runSubState: 'Validating' }), 80);
    assert.equal(progressPercent({ runState: 'Canceling' }, 60), 60);
    assert.equal(progressPercent({ runState: 'PartiallySucceeded' }), 100);
    assert.equal(isTransientError(restError(429)), true);
    assert.equal(isTransientError(restError(403)), false);
    assert.equal(isTransientError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })), true);
    assert.equal(isTransientError(new RestError('send failed', { code: RestError.REQUEST_SEND_ERROR })), true);
    assert.equal(isTransientError(new Error('plain')), false);
  });
});
