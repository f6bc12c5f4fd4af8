import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { repoRoot } from '../../testkit/repoRoot';

const taskDir = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1');
const taskJson = path.join(taskDir, 'task.json');
/** The bundle the scenarios run (scenarios/common.ts); not imported here, so task-lib never loads in the mocha process. */
const bundledTask = path.join(taskDir, 'index.js');

/** Runs a compiled scenario on this Node, never a downloaded one. */
async function run(scenario: string): Promise<MockTestRunner> {
  const tr = new MockTestRunner(path.join(__dirname, 'scenarios', `${scenario}.js`), taskJson);
  tr.nodePath = process.execPath;
  await tr.runAsync();
  return tr;
}

/** The JSON the task printed between the dry-run group markers. */
function printedTemplate(stdout: string): any {
  const start = stdout.indexOf('##[group]');
  const end = stdout.indexOf('##[endgroup]', start);
  assert.ok(start >= 0 && end > start, 'the template group is in the output');
  const body = stdout.slice(stdout.indexOf('\n', start) + 1, end);
  return JSON.parse(body);
}

describe('AzureImageBuilder task entry (MockTestRunner, bundled task)', function () {
  this.timeout(60_000);

  before(() => {
    assert.ok(fs.existsSync(bundledTask), `the bundle exists (npm run build): ${bundledTask}`);
  });

  it('dry run on Linux prints the template, attaches it and sets templateName', async () => {
    const tr = await run('dryRunLinux');
    assert.ok(tr.succeeded, tr.stdout);
    assert.equal(tr.errorIssues.length, 0, tr.errorIssues.join('\n'));
    const template = printedTemplate(tr.stdout);
    assert.equal(template.location, 'westeurope');
    assert.equal(template.properties.source.type, 'PlatformImage');
    assert.equal(template.properties.source.offer, 'ubuntu-24_04-lts');
    const inline = template.properties.customize.flatMap((c: { inline?: string[] }) => c.inline ?? []);
    assert.ok(inline.includes('echo baked-by-mock'), 'the inline script is in a Shell customizer');
    assert.equal(template.properties.distribute[0].type, 'SharedImage');
    assert.ok(tr.stdOutContained('##vso[task.setvariable variable=templateName;isOutput=true;issecret=false;]ib-Fabrikam-42-1'));
    assert.ok(tr.stdOutContained('##vso[task.addattachment type=ImageBuilderTemplate;'));
    assert.ok(tr.stdOutContained('##vso[task.complete result=Succeeded;]'));
  });

  it('dry run on Windows elevates, restarts and runs Windows Update last', async () => {
    const tr = await run('dryRunWindows');
    assert.ok(tr.succeeded, tr.stdout);
    const customize = printedTemplate(tr.stdout).properties.customize as { type: string; runElevated?: boolean; inline?: string[] }[];
    const script = customize.find((c) => c.inline?.includes('Write-Host baked-by-mock'));
    assert.equal(script?.type, 'PowerShell');
    assert.equal(script?.runElevated, true);
    const types = customize.map((c) => c.type);
    assert.ok(types.includes('WindowsRestart'));
    assert.equal(types.at(-1), 'WindowsUpdate');
  });

  it('invalid inputs fail before any Azure call, naming each input', async () => {
    const tr = await run('invalidInputs');
    assert.equal(tr.succeeded, false);
    assert.equal(tr.errorIssues.length, 3, tr.errorIssues.join('\n')); // two problems + the summary line
    assert.ok(tr.errorIssues.some((e) => e.includes("'buildTimeoutInMinutes'")), tr.errorIssues.join('\n'));
    assert.ok(tr.errorIssues.some((e) => e.includes("'replicationRegions'")), tr.errorIssues.join('\n'));
    assert.ok(tr.stdOutContained('##vso[task.complete result=Failed;]'));
    assert.ok(!tr.stdout.includes('##[group]'), 'no template was printed');
  });

  it('a Windows switch with the shell provisioner is refused with a message naming the switch', async () => {
    const tr = await run('windowsSwitchOnShell');
    assert.equal(tr.succeeded, false);
    assert.ok(tr.errorIssues.some((e) => e.includes("'runElevated'")), tr.errorIssues.join('\n'));
  });
});
