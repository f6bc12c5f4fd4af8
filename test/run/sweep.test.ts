import * as assert from 'node:assert/strict';
import { ConsoleHost } from '../support/consoleHost';
import type { ListedTemplate } from '../../shared/ports/buildServices';
import { CANCELING_BOUND_MS, FINISHED_GRACE_MS, judgeLeftover, sweepLeftovers } from '../../shared/run/sweep';
import { loc } from '../config/configFixtures';
import { baseConfig } from '../support/configFixtures';
import { fakeServices } from './fakes';

const NOW = Date.UTC(2026, 5, 1, 12);
const OURS = { createdBy: 'AzureImageBuilder@1', imageBuilderCleanup: 'always' };
const ago = (ms: number) => new Date(NOW - ms);

function template(name: string, change: Partial<ListedTemplate> = {}): ListedTemplate {
  return {
    id: `/subscriptions/s/resourceGroups/rg-aib/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`,
    name,
    provisioningState: 'Succeeded',
    tags: { ...OURS },
    ...change,
  };
}
const finished = (runState: string, endedAgoMs: number) => ({ runState, startTime: ago(endedAgoMs + 60_000), endTime: ago(endedAgoMs) });

describe('sweep of earlier leftovers: which templates', () => {
  const cases: Array<[string, ListedTemplate, 'delete' | string]> = [
    ['canceled, ours', template('a', { lastRunStatus: finished('Canceled', 1_000) }), 'delete'],
    ['failed to provision, ours', template('a', { provisioningState: 'Failed' }), 'delete'],
    ['failed long ago', template('a', { lastRunStatus: finished('Failed', FINISHED_GRACE_MS + 1) }), 'delete'],
    ['succeeded long ago', template('a', { lastRunStatus: finished('Succeeded', FINISHED_GRACE_MS + 1) }), 'delete'],
    ['partially succeeded long ago', template('a', { lastRunStatus: finished('PartiallySucceeded', FINISHED_GRACE_MS + 1) }), 'delete'],
    ['canceling past the bound', template('a', { lastRunStatus: { runState: 'Canceling', startTime: ago(CANCELING_BOUND_MS + 1) } }), 'delete'],
    ['running: another job\'s live build', template('a', { lastRunStatus: { runState: 'Running', runSubState: 'Customizing', startTime: ago(10 * CANCELING_BOUND_MS) } }), 'running'],
    ['canceling, recently started', template('a', { lastRunStatus: { runState: 'Canceling', startTime: ago(CANCELING_BOUND_MS - 1) } }), 'canceling'],
    ['canceling without a start time', template('a', { lastRunStatus: { runState: 'Canceling' } }), 'canceling'],
    ['succeeded a moment ago: its job may still read it', template('a', { lastRunStatus: finished('Succeeded', 60_000) }), 'recent'],
    ['failed a moment ago', template('a', { lastRunStatus: finished('Failed', 60_000) }), 'recent'],
    ['created, never run: a job between create and run', template('a'), 'neverRun'],
    ['still creating', template('a', { provisioningState: 'Creating' }), 'busy'],
    ['already deleting', template('a', { provisioningState: 'Deleting', lastRunStatus: finished('Canceled', 1_000) }), 'busy'],
    ['no tag', template('a', { tags: {}, lastRunStatus: finished('Canceled', 1_000) }), 'notOurs'],
    ['another tool\'s createdBy', template('a', { tags: { createdBy: 'packer' }, lastRunStatus: finished('Canceled', 1_000) }), 'notOurs'],
    ['ours, cleanup never', template('a', { tags: { ...OURS, imageBuilderCleanup: 'never' }, lastRunStatus: finished('Canceled', 1_000) }), 'keptByPolicy'],
    ['ours, cleanup onSuccess, canceled: kept for inspection', template('a', { tags: { ...OURS, imageBuilderCleanup: 'onSuccess' }, lastRunStatus: finished('Canceled', 1_000) }), 'keptByPolicy'],
    ['ours, cleanup onSuccess, failed to provision', template('a', { tags: { ...OURS, imageBuilderCleanup: 'onSuccess' }, provisioningState: 'Failed' }), 'keptByPolicy'],
    ['ours, no cleanup tag', template('a', { tags: { createdBy: 'AzureImageBuilder@1' }, lastRunStatus: finished('Canceled', 1_000) }), 'keptByPolicy'],
    ['succeeded into the default VHD place', template('a', { distributesToDefaultVhd: true, lastRunStatus: finished('Succeeded', FINISHED_GRACE_MS + 1) }), 'keptByPolicy'],
    ['this run\'s own name (any case)', template('PROJ-42-1', { lastRunStatus: finished('Canceled', 1_000) }), 'ownName'],
  ];
  for (const [what, t, expected] of cases) {
    it(`${what}: ${expected === 'delete' ? 'deleted' : `kept (${expected})`}`, () => {
      const verdict = judgeLeftover(t, 'proj-42-1', NOW);
      if (expected === 'delete') assert.equal(verdict.action, 'delete', JSON.stringify(verdict));
      else assert.deepEqual({ action: verdict.action, reason: verdict.action === 'keep' ? verdict.reason : undefined }, { action: 'keep', reason: expected });
    });
  }

  it('reads the tags without regard to case', () => {
    const t = template('a', { tags: { CREATEDBY: 'azureimagebuilder@1', ImageBuilderCleanup: 'always' }, lastRunStatus: finished('Canceled', 1_000) });
    assert.equal(judgeLeftover(t, 'x', NOW).action, 'delete');
  });

  it('takes the zero end date of an unfinished run as no end', () => {
    const t = template('a', { lastRunStatus: { runState: 'Failed', startTime: ago(FINISHED_GRACE_MS + 1), endTime: new Date('0001-01-01T00:00:00Z') } });
    assert.equal(judgeLeftover(t, 'x', NOW).action, 'delete');
  });
});

describe('sweep of earlier leftovers: what it does and says', () => {
  async function sweep(script: Parameters<typeof fakeServices>[0]) {
    const { services, calls } = fakeServices(script);
    const lines: string[] = [];
    const host = new ConsoleHost(loc, (l) => lines.push(l));
    await sweepLeftovers({ host, config: baseConfig(), services, signal: new AbortController().signal, now: () => NOW });
    return { calls, lines };
  }

  it('requests the deletion of each leftover by name, never of a running, foreign or own template', async () => {
    const { calls, lines } = await sweep({
      listed: [
        template('old-canceled', { lastRunStatus: finished('Canceled', 1_000) }),
        template('other-job-live', { lastRunStatus: { runState: 'Running', runSubState: 'Customizing', startTime: ago(1_000) } }),
        template('not-ours', { tags: {}, lastRunStatus: finished('Failed', FINISHED_GRACE_MS * 2) }),
        template('proj-42-1', { lastRunStatus: finished('Canceled', 1_000) }),
        template('broken', { provisioningState: 'Failed' }),
      ],
      sweepAnswers: { broken: { kind: 'gone' } },
    });
    assert.deepEqual(calls, ['list', 'delete old-canceled', 'delete broken']);
    assert.ok(lines.some((l) => l.includes('old-canceled') && l.includes('rg-aib') && l.includes('Canceled') && /deletion requested/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('broken') && /is gone/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => /other-job-live|not-ours/.test(l)), lines.join('\n'));
  });

  it('says so when Azure refuses a deletion, and when a leftover is still canceling', async () => {
    const { lines } = await sweep({
      listed: [
        template('stuck', { lastRunStatus: { runState: 'Canceling', startTime: ago(CANCELING_BOUND_MS * 2) } }),
        template('stopping', { lastRunStatus: { runState: 'Canceling', startTime: ago(1_000) } }),
      ],
      sweepAnswers: { stuck: { kind: 'refused', reason: 'OperationNotAllowed' } },
    });
    assert.ok(lines.some((l) => l.includes('stuck') && /refused/.test(l) && l.includes('OperationNotAllowed')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('stopping') && /still canceling/.test(l)), lines.join('\n'));
  });

  it('a list it may not read is a warning, and the run goes on', async () => {
    const { calls, lines } = await sweep({ listFails: Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 }) });
    assert.deepEqual(calls, ['list']);
    assert.ok(lines.some((l) => l.startsWith('WARNING:') && l.includes('rg-aib') && l.includes('AuthorizationFailed')), lines.join('\n'));
  });
});
