/**
 * An ARM deployment template as templateJsonPath, through the bundled task run
 * like the agent runs it: lifted and printed in a dry run, and refused with
 * one error before any request when it uses an expression the task does not
 * evaluate.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';
import { buildInputs, errorsOf, observeRun, type Run } from './support';
import { startStage, type Stage } from '../e2e/stage';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'armTemplates');

/** The template the dry run printed in its group, parsed back. */
function printedTemplate(run: Run): Record<string, unknown> {
  const header = run.log.findIndex((l) => l.includes('Dry run: the image template that would be submitted to Azure'));
  assert.ok(header >= 0, `no dry-run template group in the log:\n${run.log.join('\n')}`);
  const start = run.log.findIndex((l, i) => i > header && l === '{');
  const end = run.log.findIndex((l, i) => i > start && l === '}');
  assert.ok(start > header && end > start, 'the template is printed as indented JSON');
  return JSON.parse(run.log.slice(start, end + 1).join('\n')) as Record<string, unknown>;
}

describe('e2e preflight: an ARM deployment template as the template file', function () {
  this.timeout(180_000);
  let stage: Stage;
  let folder: string;

  before(async () => {
    stage = await startStage();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-armtemplate-'));
  });
  after(async () => {
    await stage?.azure.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  /** The build inputs with the file in place of the source and gallery inputs. */
  function inputsWith(file: string, prefix: string, overrides: Record<string, string> = {}): Record<string, string> {
    const target = path.join(folder, file);
    fs.copyFileSync(path.join(fixtures, file), target);
    const inputs = buildInputs(stage, prefix, { templateJsonPath: target, ...overrides });
    delete inputs['baseImage'];
    delete inputs['galleryImageId'];
    return inputs;
  }

  it('a dry run lifts the imageTemplates resource, evaluates its expressions with the connection subscription, and prints the template', async () => {
    const observed = await observeRun(stage.azure, inputsWith('expressions-gallery.json', 'arm-dry', { dryRun: 'true' }));
    const { run } = observed;
    if (run.result !== 'Succeeded') console.log(run.log.join('\n'));
    assert.equal(run.result, 'Succeeded');
    assert.deepEqual(errorsOf(run), []);

    const template = printedTemplate(run);
    const subscription = stage.azure.scenario.subscriptionId;
    const { world } = stage;
    assert.equal(template['location'], world.location, 'resourceGroup().location is the location input');
    assert.deepEqual(template['identity'], { type: 'UserAssigned', userAssignedIdentities: { [world.identityId]: {} } }, 'the identity comes from the input');
    assert.deepEqual(template['tags'], { builtBy: `image builder in ${world.resourceGroup}`, bracketed: '[not an expression]' });
    const properties = template['properties'] as Record<string, unknown>;
    assert.deepEqual(properties['distribute'], [
      {
        type: 'SharedImage',
        galleryImageId: `/subscriptions/${subscription}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/corpGallery/images/web`,
        runOutputName: 'webImage-sig',
        targetRegions: [
          { name: world.location, replicaCount: 2 },
          { name: 'eastus', replicaCount: 1 },
        ],
      },
    ]);
    const customize = properties['customize'] as Array<Record<string, unknown>>;
    assert.ok(
      customize.some((step) => JSON.stringify(step['inline']) === JSON.stringify(["echo 'built for web'"])),
      `the file's own step, evaluated, is in the customizers: ${JSON.stringify(customize)}`,
    );
    assert.deepEqual(observed.requests.map((r) => `${r.method} ${r.path}`), [], 'a dry run asks nothing of ARM');
  });

  it('an expression the task does not evaluate: one error quoting it and naming templateJsonPath, no request', async () => {
    const observed = await observeRun(stage.azure, inputsWith('unsupported-expression.json', 'arm-bad'));
    const { run } = observed;
    assert.equal(run.result, 'Failed');
    const file = path.join(folder, 'unsupported-expression.json');
    assert.deepEqual(errorsOf(run), [
      `Input 'templateJsonPath': the template file '${file}' uses the expression [resourceId('Microsoft.Compute/galleries/images', parameters('galleryName'), 'web')] at properties.distribute[0].galleryImageId: resourceId() is not evaluated by the task. The task evaluates only parameters(), variables(), concat(), resourceGroup() (location, name, id), subscription() (subscriptionId, id), string and integer literals and nested calls; write the value itself in the file instead.`,
      '1 task input problem(s), listed above; nothing was sent to Azure.',
    ]);
    assert.ok(!run.log.some((l) => /Preflight checks:/.test(l)), 'no preflight ran');
    assert.ok(!run.log.some((l) => l.includes('Dry run: the image template')), 'no template was printed');
    assert.deepEqual(observed.requests.map((r) => `${r.method} ${r.path}`), [], 'the ARM stand-in received no request');
    assert.deepEqual(observed.newBlobs, [], 'nothing uploaded');
  });
});
