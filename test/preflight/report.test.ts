import * as assert from 'node:assert/strict';
import { preflightMarkdown, reportPreflight } from '../../shared/preflight/report';
import type { PreflightOutcome } from '../../shared/preflight/types';
import type { TaskHost } from '../../shared/core/taskHost';
import { loc } from './preflightFixtures';

function recordingHost(): { host: TaskHost; log: string[] } {
  const log: string[] = [];
  const host = {
    loc: (key: string, ...args: unknown[]) => loc(key, ...args),
    info: (line: string) => log.push(`info ${line}`),
    warning: (line: string) => log.push(`warning ${line}`),
    error: (line: string) => log.push(`error ${line}`),
    debug: () => undefined,
  } as unknown as TaskHost;
  return { host, log };
}

const outcome: PreflightOutcome = {
  verdict: 'failed',
  elapsedMs: 1234,
  results: [
    { id: 'resourceProviders', status: 'passed', key: 'PreflightProviderRegistered', args: ['Microsoft.Compute'] },
    { id: 'templateName', status: 'warning', input: 'templateName', key: 'PreflightTemplateLeftover', args: ['t|1', 'rg', 'Succeeded', 'Failed'] },
    { id: 'regions', status: 'warning', key: 'PreflightCheckTimedOut', args: [20] },
    { id: 'galleryCompatibility', status: 'failed', input: 'galleryImageVersion', key: 'PreflightGalleryVersionExists', args: ['1.0.0', '/g/images/app'] },
  ],
};

describe('preflight report', () => {
  it('prints one checklist line per finding, an error issue naming the input per failure, and a warning issue per warning', () => {
    const { host, log } = recordingHost();
    const verdict = reportPreflight(host, outcome);
    assert.equal(verdict, 'Preflight found 1 problem(s) that would fail the build. Nothing was created or uploaded.');
    assert.deepEqual(log, [
      'info Preflight checks: 1 passed, 2 warnings, 1 failed (1.2 s)',
      'info   ✓ Resource providers: Resource provider Microsoft.Compute is registered.',
      'info   ! Template name: An image template named t|1 is left in resource group rg (provisioning state Succeeded, last run Failed); the build deletes it and creates it again.',
      'info   ! Regions: Not checked: Azure did not answer within 20 seconds.',
      'info   ✗ Gallery image definitions: Gallery image version 1.0.0 already exists in /g/images/app. Choose a new galleryImageVersion, or leave it empty so the service picks the next one.',
      "warning Input 'templateName': An image template named t|1 is left in resource group rg (provisioning state Succeeded, last run Failed); the build deletes it and creates it again.",
      'warning Not checked: Azure did not answer within 20 seconds.',
      "error Input 'galleryImageVersion': Gallery image version 1.0.0 already exists in /g/images/app. Choose a new galleryImageVersion, or leave it empty so the service picks the next one.",
    ]);
  });

  it('says so when everything passed or only warned', () => {
    const { host } = recordingHost();
    assert.equal(reportPreflight(host, { ...outcome, verdict: 'passed', results: outcome.results.slice(0, 1) }), 'Preflight passed.');
    assert.equal(reportPreflight(host, { ...outcome, verdict: 'warnings', results: outcome.results.slice(0, 3) }), 'Preflight passed with 2 warning(s).');
  });

  it('renders a summary table with escaped cells', () => {
    const markdown = preflightMarkdown(outcome, loc);
    const rows = markdown.split('\n');
    assert.equal(rows[0], '## Preflight checks');
    assert.equal(rows[4], '| Result | Check | Details |');
    assert.equal(rows[6], '| ✓ Passed | Resource providers | Resource provider Microsoft.Compute is registered. |');
    assert.equal(
      rows[7],
      "| ! Warning | Template name | Input 'templateName': An image template named t\\|1 is left in resource group rg (provisioning state Succeeded, last run Failed); the build deletes it and creates it again. |",
    );
    assert.match(rows[9] ?? '', /^\| ✗ Failed \| Gallery image definitions \| Input 'galleryImageVersion': /);
  });
});
