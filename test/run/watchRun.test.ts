import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import type { ImageBuilderConfig } from '../../shared/config/types';
import type { BuildServices, TemplateState } from '../../shared/ports/buildServices';
import { watchRun } from '../../shared/run/watchRun';
import { baseConfig } from '../support/configFixtures';
import { RecordingHost } from '../watch/fakeHost';
import { fakeServices } from './fakes';

const STAGING = '/subscriptions/s/resourceGroups/IT_rg_tmpl_1234';
const refused = () => Object.assign(new Error('The client does not have authorization to perform action Microsoft.Storage/storageAccounts/read'), { statusCode: 403, code: 'AuthorizationFailed' });

/**
 * watchRun over fake Azure with faked time: the template stays Customizing
 * until `endAt`, and the staging group's storage accounts cannot be listed, as
 * with a connection scoped to one resource group.
 */
function scenario(endAt: number, listStorage: () => Promise<never> = () => Promise.reject(refused())) {
  const { services: base } = fakeServices();
  let armListings = 0;
  const state = (): TemplateState =>
    Date.now() >= endAt
      ? { id: '/t', lastRunStatus: { runState: 'Succeeded' }, exactStagingResourceGroup: STAGING }
      : { id: '/t', lastRunStatus: { runState: 'Running', runSubState: 'Customizing' }, exactStagingResourceGroup: STAGING };
  const services: BuildServices = {
    ...base,
    templates: { ...base.templates, get: async () => state() },
    buildLogAccess: () => ({
      listStorageAccounts: async () => {
        armListings += 1;
        return listStorage();
      },
      openContainer: () => {
        throw new Error('no account was listed');
      },
      setSecret: () => undefined,
    }),
  };
  return { services, armListings: () => armListings };
}

function config(change: (c: ImageBuilderConfig) => void = () => undefined): ImageBuilderConfig {
  const c = baseConfig();
  c.pollIntervalSeconds = 15;
  change(c);
  return c;
}

describe('watchRun: a quiet build log', () => {
  let timers: sinon.SinonFakeTimers;
  const start = Date.UTC(2026, 0, 1, 10, 0, 0);
  beforeEach(() => {
    timers = sinon.useFakeTimers({ now: start, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => timers.restore());

  it('says once that the staging group cannot be listed, with the fix, and prints a heartbeat every 5 minutes meanwhile', async () => {
    const host = new RecordingHost();
    const { services, armListings } = scenario(start + 17 * 60_000);
    const watching = watchRun({ host, config: config(), services, cancellation: new AbortController().signal });
    await timers.tickAsync(20 * 60_000);
    const result = await watching;

    assert.equal(result.kind, 'succeeded');
    const warnings = host.texts('warning');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /staging resource group IT_rg_tmpl_1234 \(403 AuthorizationFailed/);
    assert.match(warnings[0]!, /stagingResourceGroup/);
    assert.equal(armListings(), 1, 'given up after the refusal: no listing per poll');

    const beats = host.lines.filter((l) => l.includes('Still waiting for the build'));
    // Checked once per poll (15 s, give or take 10 %), so each beat comes within a poll of the 5 minutes since the last one.
    assert.equal(beats.length, 3, beats.join('\n'));
    beats.forEach((beat, i) => {
      const minutes = 5 * (i + 1);
      assert.match(beat, new RegExp(`^\\[2026-01-01T10:${String(minutes).padStart(2, '0')}:[0-5]\\dZ\\] Still waiting for the build: status Running/Customizing, elapsed ${minutes}m [0-5]\\ds, no new build-log line for ${minutes}m [0-5]\\ds\\.$`));
    });
    // Heartbeats are status lines: never inside a build-log group.
    assert.deepEqual(host.groupedLines, []);
    host.cleanup();
  });

  it('gives no heartbeat to a build shorter than the interval', async () => {
    const host = new RecordingHost();
    const { services } = scenario(start + 4 * 60_000, () => Promise.resolve([] as never));
    const watching = watchRun({ host, config: config(), services, cancellation: new AbortController().signal });
    await timers.tickAsync(5 * 60_000);
    assert.equal((await watching).kind, 'succeeded');
    assert.equal(host.lines.filter((l) => l.includes('Still waiting')).length, 0);
    assert.equal(host.texts('warning').length, 0);
    host.cleanup();
  });
});
