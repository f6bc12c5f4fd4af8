import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { realClock } from '../../shared/core/clock';

describe('realClock', () => {
  let timers: sinon.SinonFakeTimers;
  beforeEach(() => {
    timers = sinon.useFakeTimers({ now: Date.UTC(2025, 0, 31, 10, 0, 0), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => timers.restore());

  /** Whether the promise has settled once pending callbacks ran. */
  async function settled(promise: Promise<void>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    await timers.tickAsync(0);
    return done;
  }

  it('tells the time', () => {
    assert.equal(realClock.now(), Date.UTC(2025, 0, 31, 10, 0, 0));
    timers.tick(1500);
    assert.equal(realClock.now(), Date.UTC(2025, 0, 31, 10, 0, 1, 500));
  });

  it('sleeps for the time asked', async () => {
    const sleeping = realClock.sleep(1000);
    await timers.tickAsync(999);
    assert.equal(await settled(sleeping), false);
    await timers.tickAsync(1);
    assert.equal(await settled(sleeping), true);
  });

  it('wakes up (resolves, does not reject) as soon as the signal aborts, and leaves no timer behind', async () => {
    const controller = new AbortController();
    const sleeping = realClock.sleep(3_600_000, controller.signal);
    await timers.tickAsync(10);
    assert.equal(await settled(sleeping), false);
    controller.abort();
    assert.equal(await settled(sleeping), true);
    await sleeping;
    assert.equal(timers.countTimers(), 0);
  });

  it('does not wait at all under a signal that is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(await settled(realClock.sleep(3_600_000, controller.signal)), true);
    assert.equal(timers.countTimers(), 0);
  });
});
