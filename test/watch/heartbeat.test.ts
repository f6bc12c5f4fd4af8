import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { Heartbeat } from '../../shared/watch/heartbeat';
import { LogSections } from '../../shared/watch/logSections';
import { RecordingHost } from './fakeHost';

describe('Heartbeat', () => {
  let timers: sinon.SinonFakeTimers;
  const start = Date.UTC(2026, 0, 1, 10, 0, 0);
  beforeEach(() => {
    timers = sinon.useFakeTimers({ now: start, toFake: ['Date'] });
  });
  afterEach(() => timers.restore());

  it('beats after 5 quiet minutes, again 5 minutes later, and a build-log line restarts the count', () => {
    const host = new RecordingHost();
    let beat: Heartbeat | undefined;
    const sections = new LogSections(host, { onLogLine: () => beat?.logLine() });
    beat = new Heartbeat(host, sections, start);
    const beats = () => host.lines.filter((l) => l.includes('Still waiting'));

    timers.tick(4 * 60_000 + 59_000);
    beat.check('Running/Building');
    assert.equal(beats().length, 0);
    timers.tick(1_000);
    beat.check('Running/Building');
    assert.deepEqual(beats(), ['[2026-01-01T10:05:00Z] Still waiting for the build: status Running/Building, elapsed 5m 00s, no new build-log line for 5m 00s.']);

    timers.tick(60_000);
    sections.logLine('[g] PACKER OUT ==> azure-arm: Waiting for SSH to become available...');
    timers.tick(4 * 60_000);
    beat.check('Running/Building');
    assert.equal(beats().length, 1, 'a line a minute after the beat: the next one waits 5 minutes from the line');
    timers.tick(60_000);
    beat.check('Running/Customizing');
    assert.equal(beats()[1], '[2026-01-01T10:11:00Z] Still waiting for the build: status Running/Customizing, elapsed 11m 00s, no new build-log line for 5m 00s.');
    host.cleanup();
  });

  it('does not count hidden service lines as log activity', () => {
    const host = new RecordingHost();
    let beat: Heartbeat | undefined;
    const sections = new LogSections(host, { onLogLine: () => beat?.logLine() });
    beat = new Heartbeat(host, sections, start);
    timers.tick(4 * 60_000);
    sections.logLine('(telemetry) Starting provisioner shell');
    timers.tick(60_000);
    beat.check('Running/Customizing');
    assert.equal(host.lines.filter((l) => l.includes('Still waiting')).length, 1);
    host.cleanup();
  });
});
