import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { serviceConnection } from '../../testkit/harness';
import { startLocalAzure, type LocalAzure } from '../../testkit/emulators/localAzure';
import { FAST_BUILD } from '../e2e/checks';
import { repoRoot } from '../../testkit/repoRoot';
import { TITLES, assertFailedInPreflight, assertStoppedAfterPreflight, linesOf, observeRun, summaryTexts } from './support';

const SAMPLE = path.join(repoRoot, 'samples', 'pull-request-preflight.yml');

interface SampleStep {
  task?: string;
  inputs?: Record<string, string | number | boolean>;
}

interface SamplePipeline {
  variables?: Record<string, string>;
  steps?: SampleStep[];
}

/** The sample's Image Builder step inputs, with `$(name)` macros expanded from the given variables. */
function sampleInputs(variables: Record<string, string>): Record<string, string> {
  const pipeline = parse(fs.readFileSync(SAMPLE, 'utf8')) as SamplePipeline;
  const step = pipeline.steps?.find((s) => s.task?.startsWith('AzureImageBuilder@'));
  assert.ok(step?.inputs, 'the sample has an AzureImageBuilder step with inputs');
  const all = { ...pipeline.variables, ...variables };
  const expand = (text: string) =>
    text.replace(/\$\(([^)]+)\)/g, (_, name: string) => {
      const value = all[name];
      assert.ok(value !== undefined, `the sample uses $(${name}), which it does not define`);
      return value;
    });
  return Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, expand(String(v))]));
}

/**
 * samples/pull-request-preflight.yml as a pull-request pipeline runs it: its
 * step's inputs, read from the YAML, through the agent stand-in. The
 * stand-ins hold what the sample names (resource group, identity, gallery
 * definition, storage account) in the stand-in's subscription, which replaces
 * the sample's placeholder subscription id.
 */
describe('e2e preflight: the pull-request sample pipeline', function () {
  this.timeout(120_000);
  let azure: LocalAzure;
  let inputs: Record<string, string>;
  let connection: ReturnType<typeof serviceConnection>;
  let definitionId: string;

  before(async () => {
    const raw = parse(fs.readFileSync(SAMPLE, 'utf8')) as SamplePipeline;
    const storageAccountName = String(raw.steps?.find((s) => s.task?.startsWith('AzureImageBuilder@'))?.inputs?.['storageAccountName']);
    azure = await startLocalAzure({ buildTiming: FAST_BUILD, storageAccountNames: [storageAccountName], reuseStorage: true });
    connection = serviceConnection(azure, 'secret');
    inputs = sampleInputs({ azureSubscription: connection.id, subscriptionId: azure.scenario.subscriptionId });

    assert.equal(inputs['preflightOnly'], 'true', 'the sample stops after preflight');
    const { subscriptionId } = azure.scenario;
    const location = inputs['location'] ?? '';
    const resourceGroup = inputs['resourceGroup'] ?? '';
    const [publisher = '', offer = '', sku = ''] = (inputs['baseImage'] ?? '').split(':');
    definitionId = inputs['galleryImageId'] ?? '';
    const galleryId = definitionId.replace(/\/images\/[^/]+$/, '');
    assert.ok(definitionId.startsWith(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/`), definitionId);
    azure.arm.seed({
      resourceGroups: [{ subscriptionId, name: resourceGroup, location }],
      identities: [{ id: inputs['managedIdentity'] ?? '', location }],
      storageAccounts: [{ id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${storageAccountName}`, location }],
      platformImages: [{ location, publisher, offer, sku, version: '24.04.202410100', osType: 'Linux', hyperVGeneration: 'V2' }],
      galleries: [{ id: galleryId, location }],
      galleryImages: [{ id: definitionId, location, osType: 'Linux', hyperVGeneration: 'V2' }],
    });
  });
  after(async () => {
    await azure?.stop();
  });

  it('passes every check and stops after preflight: Succeeded, nothing created or uploaded, the checklist in the summary tab', async () => {
    // packagePath (samples/app) is relative to the sources folder, which is the repository.
    const observed = await observeRun(azure, inputs, { connection, workDir: repoRoot, stepName: 'preflight' });
    const checklist = assertStoppedAfterPreflight(observed, 'Succeeded');
    assert.equal(checklist.warnings, 0);
    for (const title of Object.values(TITLES)) assert.ok(linesOf(checklist, title, '✓').length >= 1, `${title} passed`);
    assert.deepEqual(linesOf(checklist, TITLES.regions).map((l) => l.text), ['Regions westeurope, northeurope exist in the subscription.']);
    assert.deepEqual(azure.arm.state().imageTemplates, [], 'no template');
    assert.ok(summaryTexts(observed.run).some((s) => s.includes('## Preflight checks')), 'the summary tab has the checklist');
  });

  it('catches a gallery definition of the wrong Hyper-V generation in review: Failed in seconds, nothing created', async () => {
    const location = inputs['location'] ?? '';
    azure.arm.seed({ galleryImages: [{ id: definitionId, location, osType: 'Linux', hyperVGeneration: 'V1' }] });
    try {
      const observed = await observeRun(azure, inputs, { connection, workDir: repoRoot, stepName: 'preflight' });
      assertFailedInPreflight(observed, 'galleryImageId', `Gallery image definition ${definitionId} is Hyper-V generation V1, but the source image is V2.`);
    } finally {
      azure.arm.seed({ galleryImages: [{ id: definitionId, location, osType: 'Linux', hyperVGeneration: 'V2' }] });
    }
  });
});
