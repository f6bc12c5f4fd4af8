import * as assert from 'node:assert/strict';
import { assertCleanup } from '../e2e/checks';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, buildInputs, checklistOf, linesOf, observeRun, permissionReads, providerReads, summaryTexts, templateWrites, type Checklist, type Run } from './support';
import { startStage, type Stage } from '../e2e/stage';

/** The summary tab holds the checklist: its title and one table row per line, with the check's title. */
function assertSummaryHasChecklist(run: Run, checklist: Checklist): string {
  const summaries = summaryTexts(run);
  const section = summaries.find((s) => s.includes('## Preflight checks'));
  assert.ok(section, `a summary tab with the preflight section; summaries: ${JSON.stringify(summaries)}`);
  const title = `Preflight checks: ${checklist.passed} passed, ${checklist.warnings} warnings, ${checklist.failed} failed`;
  assert.ok(section.includes(title), `the summary repeats the checklist title: ${section}`);
  const rows = section.split('\n').filter((l) => /^\| [✓!✗] /.test(l));
  assert.equal(rows.length, checklist.lines.length, `one table row per checklist line: ${section}`);
  const status = { '✓': 'Passed', '!': 'Warning', '✗': 'Failed' } as const;
  checklist.lines.forEach((line, i) => {
    assert.ok(rows[i]?.startsWith(`| ${line.mark} ${status[line.mark]} | ${line.title} |`), `row ${i}: ${rows[i]}`);
  });
  return section;
}

describe('e2e preflight: the preflight and preflightOnly inputs', function () {
  this.timeout(180_000);
  let stage: Stage;

  before(async () => {
    stage = await startStage();
  });
  after(async () => {
    await stage?.azure.stop();
  });

  it('preflight false: no checklist, no provider or permission reads, and the build runs', async () => {
    const inputs = buildInputs(stage, 'mode-off', { preflight: 'false' });
    const observed = await observeRun(stage.azure, inputs);
    const { run } = observed;
    if (run.result !== 'Succeeded') console.log(run.log.join('\n'));
    assert.equal(run.result, 'Succeeded');
    assert.equal(checklistOf(run), undefined, 'no checklist in the log');
    assert.ok(!run.log.some((l) => l.includes('Preflight')), 'no preflight line at all');
    assert.deepEqual(providerReads(observed.requests), [], 'no provider registration read');
    assert.deepEqual(permissionReads(observed.requests), [], 'no Microsoft.Authorization/permissions read');
    assert.ok(!summaryTexts(run).some((s) => s.includes('## Preflight checks')), 'no preflight section in the summary');
    assert.ok(templateWrites(observed.requests).some((r) => r.method === 'PUT'), 'the template was created');
    await assertCleanup(stage.azure, inputs['templateName'] ?? '', { template: 'gone', blob: 'gone' });
  });

  it('preflight true (the default) on a full build: the checklist comes before anything is created, and the summary carries it', async () => {
    const inputs = buildInputs(stage, 'mode-default');
    const observed = await observeRun(stage.azure, inputs);
    const { run } = observed;
    if (run.result !== 'Succeeded') console.log(run.log.join('\n'));
    assert.equal(run.result, 'Succeeded');
    const checklist = checklistOf(run);
    assert.ok(checklist, 'a checklist');
    assert.equal(checklist.failed + checklist.warnings, 0);
    const titleAt = run.log.findIndex((l) => l.startsWith('Preflight checks:'));
    const uploadingAt = run.log.findIndex((l) => l.startsWith('Uploading the build artifacts'));
    const creatingAt = run.log.findIndex((l) => l.startsWith('Creating image template'));
    assert.ok(titleAt >= 0 && uploadingAt > titleAt && creatingAt > uploadingAt, `checklist (line ${titleAt}) before upload (${uploadingAt}) and create (${creatingAt})`);
    assert.ok(providerReads(observed.requests).length >= 3, 'providers were read');
    const firstWrite = observed.requests.findIndex((r) => r.method !== 'GET' && r.method !== 'HEAD');
    const lastPermissionRead = observed.requests.map((r, i) => (permissionReads([r]).length ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    assert.ok(firstWrite > lastPermissionRead, 'every preflight read happened before the first write');
    assertSummaryHasChecklist(run, checklist);
  });

  it('the checks run in parallel: four reads of four checks are all in flight at the same time', async () => {
    // Each read is held until all four have arrived. Checks run one after another would never
    // send the second while the first waits, so they would hang on the first and time out.
    const paths = [
      '/providers/Microsoft\\.Compute$', // resource providers
      '/userAssignedIdentities/ib-template-identity$', // identities
      '/subscriptions/[^/]+/locations$', // regions
      '/resourceGroups/[^/]+/providers/Microsoft\\.Authorization/permissions$', // permissions
    ];
    let release!: () => void;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    for (const pathPattern of paths) stage.azure.arm.injectFault({ method: 'GET', pathPattern, kind: 'slow', until: allArrived, count: 1 });
    stage.azure.arm.clearRequests(); // earlier tests' reads of the same paths must not count
    const arrived = paths.map((p) => stage.azure.arm.waitForRequest((r) => r.method === 'GET' && new RegExp(p, 'i').test(r.path)));
    // What the stand-in's log says of the four at the moment the last one arrives, before any is let go.
    const atRelease = Promise.all(arrived).then((held) => {
      const log = stage.azure.arm.requests();
      release();
      return held.map((h) => log.find((e) => e.startedAt === h.startedAt && e.path === h.path));
    });
    let observed: Awaited<ReturnType<typeof observeRun>>;
    try {
      observed = await observeRun(stage.azure, buildInputs(stage, 'mode-parallel', { preflightOnly: 'true' }));
    } finally {
      release();
    }
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.equal(checklist.failed + checklist.warnings, 0, JSON.stringify(checklist.lines));
    const inFlight = await atRelease;
    // All four were asked and none answered yet when the last arrived; each was answered once let go.
    assert.deepEqual(inFlight.map((e) => [e?.fault, e?.status]), paths.map(() => ['slow', 0]), 'four reads in flight at once');
    for (const e of inFlight) {
      const answered = observed.requests.find((r) => r.startedAt === e?.startedAt && r.path === e?.path);
      assert.equal(answered?.status, 200, `${e?.path} answered`);
    }
  });

  it('preflightOnly: Succeeded after the checks; no PUT, no upload; the summary tab holds the checklist', async () => {
    const observed = await observeRun(stage.azure, buildInputs(stage, 'mode-only', { preflightOnly: 'true' }));
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.equal(checklist.warnings, 0);
    assert.ok(checklist.lines.length >= 7, 'every check reported');
    assert.ok(observed.run.issues.every((i) => i.type !== 'error'), JSON.stringify(observed.run.issues));
    assertSummaryHasChecklist(observed.run, checklist);
  });

  it('preflightOnly with a warning: SucceededWithIssues, the warning in the summary, the leftover untouched', async () => {
    const inputs = buildInputs(stage, 'mode-only-warn', { preflightOnly: 'true' });
    const name = inputs['templateName'] ?? '';
    const { world } = stage;
    stage.azure.arm.seed({
      imageTemplates: [
        {
          id: `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.VirtualMachineImages/imageTemplates/${name}`,
          resource: {
            location: world.location,
            identity: { type: 'UserAssigned', userAssignedIdentities: { [world.identityId]: {} } },
            properties: {
              source: { type: 'ManagedImage', imageId: world.managedImageId },
              distribute: [],
              lastRunStatus: { runState: 'Failed', message: 'earlier failure' },
            },
          },
        },
      ],
    });
    const observed = await observeRun(stage.azure, inputs);
    const checklist = assertStoppedAfterPreflight(observed, 'SucceededWithIssues');
    assert.deepEqual(linesOf(checklist, TITLES.templateName).map((l) => l.mark), ['!']);
    const section = assertSummaryHasChecklist(observed.run, checklist);
    assert.ok(section.includes(`Input 'templateName': An image template named ${name}`), section);
    assert.equal(stage.azure.arm.state().imageTemplates.filter((t) => t.name === name).length, 1, 'preflightOnly leaves the leftover alone');
  });

  it('preflightOnly with a failed check: Failed, and the summary tab shows the failure', async () => {
    const observed = await observeRun(
      stage.azure,
      buildInputs(stage, 'mode-only-fail', { preflightOnly: 'true', galleryImageId: stage.world.windowsGalleryImageId }),
    );
    assertFailedInPreflight(observed, 'galleryImageId', 'is for Windows, but provisioner shell builds Linux images');
    const checklist = checklistOf(observed.run);
    assert.ok(checklist);
    const section = assertSummaryHasChecklist(observed.run, checklist);
    assert.ok(section.includes(`Input 'galleryImageId': Gallery image definition`), section);
  });
});
