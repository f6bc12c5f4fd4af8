import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GalleryVersionState, GalleryVersionStore } from '../../shared/azure/galleryImageVersions';
import { ConsoleHost } from '../support/consoleHost';
import { createLocalizer } from '../support/localizer';
import { promoteVersion, type PromoteAction } from '../../tasks/AzureImageVersionPromote/AzureImageVersionPromoteV1/src/promote';
import { repoRoot } from '../../testkit/repoRoot';

const VERSION = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/app/versions/1.0.0';
const messages = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', 'AzureImageVersionPromote', 'AzureImageVersionPromoteV1', 'task.json'), 'utf8')) as { messages: Record<string, string> }).messages;

/** A version store that records writes; `applies: false` plays an update that Azure reports done but did not apply. */
function store(state: GalleryVersionState | undefined, options: { applies?: boolean } = {}) {
  const writes: boolean[] = [];
  let current = state ? { ...state } : undefined;
  const s: GalleryVersionStore = {
    read: async () => (current ? { ...current } : undefined),
    setExcludeFromLatest: async (value) => {
      writes.push(value);
      if (current && options.applies !== false) current = { ...current, excludeFromLatest: value };
    },
  };
  return { store: s, writes };
}

async function run(action: PromoteAction, s: GalleryVersionStore, mayWrite = true) {
  const lines: string[] = [];
  const host = new ConsoleHost(createLocalizer(messages), (l) => lines.push(l));
  const outcome = await promoteVersion({ host, versionId: VERSION, action, store: s, mayWrite: async () => mayWrite });
  return { outcome, lines, host };
}

const ok = (excludeFromLatest: boolean): GalleryVersionState => ({ id: VERSION, provisioningState: 'Succeeded', excludeFromLatest, failedRegions: [] });

describe('promote and demote (fake Azure)', () => {
  it('promote writes false once and reports it; demote writes true', async () => {
    const p = store(ok(true));
    const promoted = await run('promote', p.store);
    assert.equal(promoted.outcome.result, 'Succeeded');
    assert.deepEqual(p.writes, [false]);
    assert.match(promoted.outcome.message, /now eligible as latest/);
    const d = store(ok(false));
    assert.equal((await run('demote', d.store)).outcome.result, 'Succeeded');
    assert.deepEqual(d.writes, [true]);
  });

  it('is idempotent: no write, no permission needed, and it says so', async () => {
    const p = store(ok(false));
    const { outcome } = await run('promote', p.store, false);
    assert.equal(outcome.result, 'Succeeded');
    assert.deepEqual(p.writes, []);
    assert.match(outcome.message, /already eligible as latest/);
  });

  it('refuses, writing nothing: a missing version, a failed one, a failed replication, a missing permission', async () => {
    const cases: Array<[GalleryVersionState | undefined, boolean, RegExp]> = [
      [undefined, true, /does not exist/],
      [{ ...ok(true), provisioningState: 'Failed' }, true, /provisioning state Failed/],
      [{ ...ok(true), failedRegions: ['eastus', 'westus'] }, true, /failed in eastus, westus/],
      [ok(true), false, /galleries\/images\/versions\/write/],
    ];
    for (const [state, mayWrite, expected] of cases) {
      const s = store(state);
      const { outcome, host } = await run('promote', s.store, mayWrite);
      assert.equal(outcome.result, 'Failed');
      assert.match(outcome.message, expected);
      assert.match(outcome.message, /Nothing was changed/);
      assert.deepEqual(s.writes, []);
      assert.equal(host.summaries.length, 1, 'a summary even for a refusal');
    }
  });

  it('fails when the update finished but the version does not read as asked', async () => {
    const s = store(ok(true), { applies: false });
    const { outcome } = await run('promote', s.store);
    assert.equal(outcome.result, 'Failed');
    assert.match(outcome.message, /reads true instead of false/);
  });
});
