import * as assert from 'node:assert/strict';
import { ConsoleHost } from '../support/consoleHost';
import { LocalizedError } from '../../shared/core/localizedError';
import type { TemplateState } from '../../shared/ports/buildServices';
import { OWN_CANCELING_WAIT_MS, replaceOwnLeftover } from '../../shared/run/ownLeftover';
import { loc } from '../config/configFixtures';
import { baseConfig } from '../support/configFixtures';
import { FakeClock } from '../support/fakeClock';
import { fakeServices, type FakeScript } from './fakes';

const state = (runState?: string, provisioningState = 'Succeeded'): TemplateState => ({
  id: '/t',
  provisioningState,
  ...(runState ? { lastRunStatus: { runState } } : {}),
});

async function replace(script: FakeScript) {
  const { services, calls } = fakeServices(script);
  const lines: string[] = [];
  const host = new ConsoleHost(loc, (l) => lines.push(l));
  const clock = new FakeClock();
  const started = clock.now();
  let error: unknown;
  try {
    await replaceOwnLeftover({ host, config: baseConfig(), services, signal: new AbortController().signal, clock });
  } catch (err) {
    error = err;
  }
  return { calls, lines, error, waitedMs: clock.now() - started, message: error instanceof LocalizedError ? error.format(loc) : undefined };
}

describe('a leftover of the run\'s own template name', () => {
  it('none: nothing to do', async () => {
    const { calls, error } = await replace({});
    assert.equal(error, undefined);
    assert.deepEqual(calls, ['get']);
  });

  it('still canceling: waits, then deletes it once the cancel ended, and waits until it is gone', async () => {
    const { calls, lines, error } = await replace({
      existing: [state('Canceling'), state('Canceling'), state('Canceled'), state('Canceled', 'Deleting'), undefined],
    });
    assert.equal(error, undefined);
    assert.deepEqual(calls, ['get', 'get', 'get', 'delete', 'get', 'get']);
    assert.ok(lines.some((l) => l.includes('proj-42-1') && /still canceling; waiting up to 2 minutes/.test(l)), lines.join('\n'));
  });

  it('canceling past the bound: fails naming the template, without sending a DELETE', async () => {
    const { calls, message, waitedMs } = await replace({ existing: [state('Canceling')] });
    assert.ok(!calls.includes('delete'), calls.join(','));
    assert.equal(waitedMs, OWN_CANCELING_WAIT_MS, 'waited exactly the bound');
    assert.match(message ?? '', /proj-42-1 in resource group rg-aib is still canceling after 2 minutes/);
  });

  it('running: another build of that name; fails as before', async () => {
    const { calls, message } = await replace({ existing: [state('Running')] });
    assert.deepEqual(calls, ['get']);
    assert.match(message ?? '', /proj-42-1 already exists and is running/);
  });

  it('being deleted by an earlier run: waits until it is gone, sends no DELETE of its own', async () => {
    const { calls, error, lines } = await replace({ existing: [state('Canceled', 'Deleting'), state('Canceled', 'Deleting'), undefined] });
    assert.equal(error, undefined);
    assert.ok(!calls.includes('delete'));
    assert.ok(lines.some((l) => /being deleted by an earlier run/.test(l)));
  });

  it('a deletion that does not finish within the bound fails naming the template', async () => {
    const { message } = await replace({ existing: [state('Failed'), state('Failed', 'Deleting')] });
    assert.match(message ?? '', /proj-42-1 in resource group rg-aib is still being deleted after 5 minutes/);
  });

  it('a DELETE Azure refuses fails naming the template', async () => {
    const { message } = await replace({ existing: [state('Failed')], deleteAnswers: [{ kind: 'refused', reason: 'OperationNotAllowed' }] });
    assert.match(message ?? '', /refused to delete image template proj-42-1 in resource group rg-aib.*OperationNotAllowed/);
  });

  for (const [what, leftover] of [
    ['being created', state(undefined, 'Creating')],
    ['created, never run', state(undefined, 'Succeeded')],
  ] as const) {
    it(`${what}: possibly another job with the same name between create and run; fails naming it, no DELETE`, async () => {
      const { calls, message } = await replace({ existing: [leftover] });
      assert.deepEqual(calls, ['get']);
      assert.match(message ?? '', /proj-42-1 in resource group rg-aib exists and has not run a build/);
    });
  }

  it('failed to provision: replaced', async () => {
    const { calls, error } = await replace({ existing: [state(undefined, 'Failed'), undefined] });
    assert.equal(error, undefined);
    assert.deepEqual(calls, ['get', 'delete', 'get']);
  });
});
