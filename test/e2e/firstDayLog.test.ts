import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { makeAppFolder, runImageBuilderTask, type ImageWorld } from '../../testkit/harness';
import { assertNoSecrets, assertResult, recordSubmittedTemplates, uniqueTemplateName } from './checks';
import { startStage } from './stage';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;

/**
 * The pipeline log and the summary a first-time pipeline author reads, end to
 * end through the agent stand-in: a build from a gallery image's `latest`
 * (pinned to the exact version at submit and published as an output), the
 * build log without Packer prefixes in groups named after the customizers,
 * the summary linking the produced image, and a connection that may not list
 * the staging group's storage accounts.
 */
describe('e2e first day: a readable log, gallery latest pinned, a least-privilege connection', function () {
  this.timeout(240_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let definition: string;
  const runs = new Map<string, { templateName: string; result: Run; submitted?: Record<string, unknown> }>();

  before(async () => {
    ({ azure, world } = await startStage());
    definition = world.sourceGalleryVersionId.replace(/\/versions\/[^/]+$/, '');
    const { location } = world;
    // 1.0.0 is seeded; 1.10.0 is the newest that may stand for latest (numeric order, not text order).
    azure.arm.seed({
      galleryImageVersions: [
        { id: `${definition}/versions/1.9.0`, location },
        { id: `${definition}/versions/1.10.0`, location },
        { id: `${definition}/versions/2.0.0`, location, excludeFromLatest: true },
        { id: `${definition}/versions/1.11.0`, location, targetRegions: [{ name: 'eastus' }] },
      ],
    });
    const common = { resourceGroup: world.resourceGroup, location, managedIdentity: world.identityId, pollIntervalSeconds: '2' };
    const scenarios: Record<string, Record<string, string>> = {
      galleryLatest: {
        ...common,
        sourceType: 'galleryImageVersion',
        galleryImageVersionId: `${definition}/versions/latest`,
        packagePath: makeAppFolder(),
        storageAccountName: world.storageAccountName,
        inlineScript: 'sh bin/install.sh',
        galleryImageId: world.linuxGalleryImageId,
        galleryVersioning: 'latest',
        galleryVersioningMajor: '3',
      },
      stagingRefused: {
        ...common,
        baseImage: world.linuxPlatformImage,
        inlineScript: 'echo hello',
        galleryImageId: world.linuxGalleryImageId,
      },
    };
    const names = Object.fromEntries(Object.keys(scenarios).map((k) => [k, uniqueTemplateName(`first-${k}`.toLowerCase())]));
    // A connection scoped to the template's resource group: listing the storage accounts of the
    // staging group the service creates per build answers 403, as Azure does.
    azure.arm.injectFault({
      method: 'GET',
      pathPattern: /\/resourceGroups\/IT_[^/]*first-stagingrefused[^/]*\/providers\/Microsoft\.Storage\/storageAccounts$/i,
      kind: 'status',
      status: 403,
      errorBody: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action Microsoft.Storage/storageAccounts/read over the staging resource group.' },
      count: 1000,
    });
    const recorder = recordSubmittedTemplates(azure);
    // One after the other: every build of the ARM stand-in logs to the same staging account, and a
    // run follows the newest log there, which would be another run's when they overlap.
    for (const [key, inputs] of Object.entries(scenarios)) {
      const templateName = names[key]!;
      const result = await runImageBuilderTask({ azure, inputs: { ...inputs, templateName } });
      runs.set(key, { templateName, result, submitted: recorder.get(templateName) });
    }
    recorder.stop();
  });
  after(async () => {
    await azure?.stop();
  });

  const runOf = (key: string) => {
    const run = runs.get(key);
    assert.ok(run, `scenario ${key} ran`);
    if (run.result.result !== 'Succeeded') console.log(run.result.log.join('\n'));
    return run;
  };

  it('pins the gallery source latest to the exact newest version, says so, and publishes it as sourceImageVersionId', () => {
    const { result, submitted } = runOf('galleryLatest');
    assertResult(result, 'Succeeded');
    const exact = `${definition}/versions/1.10.0`;
    const source = (submitted?.['properties'] as { source?: Record<string, unknown> } | undefined)?.source;
    assert.deepEqual(source, { type: 'SharedImageVersion', imageVersionId: exact });
    assert.equal(result.outputs['bake.sourceImageVersionId'], exact);
    assert.ok(result.log.some((l) => l.includes(`latest is ${exact}; the build uses that version`)), 'the log names the pinned version');
    const distribute = (submitted?.['properties'] as { distribute?: Array<Record<string, unknown>> } | undefined)?.distribute;
    assert.deepEqual(distribute?.[0]?.['versioning'], { scheme: 'Latest', major: 3 });
    assertNoSecrets(result, azure);
  });

  it('shows the build log without Packer prefixes and telemetry, in groups named after the customizers, with their durations', () => {
    const { result } = runOf('galleryLatest');
    const log = result.log;
    assert.ok(!log.some((l) => /PACKER (OUT|ERR)/.test(l)), 'no Packer prefix shown');
    assert.ok(!log.some((l) => l.startsWith('(telemetry)')), 'no telemetry marker shown');
    assert.ok(log.some((l) => l.startsWith('==> azure-arm: ')), 'Packer lines shown without their prefix');
    const groups = log.filter((l) => l.startsWith('##[group]Build log: ')).map((l) => l.slice('##[group]'.length));
    assert.ok(groups.includes('Build log: DownloadBuildArtifacts (File)'), groups.join('\n'));
    assert.ok(groups.includes('Build log: RunInlineScript (Shell)'), groups.join('\n'));
    assert.ok(!groups.some((g) => /step \d+, shell/.test(g)), `the task's steps are named: ${groups.join(', ')}`);
    assert.ok(log.some((l) => /^RunInlineScript \(Shell\) finished after \d+s \(as read from the build log\)\.$/.test(l)), 'the step duration is shown outside its group');
    // The attached log keeps every line as the service wrote it.
    const attached = result.logs.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.match(attached, /\[[^\]]+\] PACKER OUT /);
    assert.match(attached, /\(telemetry\) Starting provisioner shell/);
  });

  it('says up front how long the task may wait', () => {
    const { result } = runOf('galleryLatest');
    assert.ok(result.log.some((l) => /^The task waits up to 270 minutes for the build: the build timeout of 240 minutes \(0: the service default\)/.test(l)));
  });

  it("links the produced gallery image version in the summary and lists the task's own phases", () => {
    const { result } = runOf('galleryLatest');
    const versionId = result.outputs['bake.galleryImageVersionId'];
    assert.ok(versionId, JSON.stringify(result.outputs));
    const summaryFile = result.summaries[0];
    assert.equal(result.summaries.length, 1, 'one summary tab per step');
    assert.ok(summaryFile, JSON.stringify(result.summaries));
    const markdown = fs.readFileSync(summaryFile, 'utf8');
    const version = versionId.split('/').pop()!;
    assert.ok(markdown.includes(`- [Gallery image version ${version} in the Azure portal](https://portal.azure.com/#resource${versionId})`), markdown);
    for (const row of ['| Artifact upload |', '| Template creation |', '| Build (until the service reported the end) |', '| Build step: RunInlineScript (Shell) |']) {
      assert.ok(markdown.includes(row), `${row} in\n${markdown}`);
    }
  });

  it('says once, with the fix, that a connection scoped to one resource group cannot read the staging group, and the build goes on', () => {
    const { result } = runOf('stagingRefused');
    assertResult(result, 'Succeeded');
    const warnings = result.issues.filter((i) => i.type === 'warning' && i.message.includes('staging resource group'));
    assert.equal(warnings.length, 1, JSON.stringify(result.issues));
    assert.match(warnings[0]!.message, /403 AuthorizationFailed/);
    assert.match(warnings[0]!.message, /stagingResourceGroup/);
    assert.match(warnings[0]!.message, /Image Builder identity needs Contributor or Owner/);
    assert.ok(!result.log.some((l) => l.startsWith('==> azure-arm: ')), 'no build-log line could be shown');
  });
});
