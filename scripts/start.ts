/**
 * `npm start`: the AzureImageBuilder task, bundled as it ships, run the way
 * the Azure Pipelines agent runs it, against local stand-ins for Azure. It
 * runs the step of samples/local-demo.yml and prints the pipeline log a user
 * would read, the output variables and the summary tab, then stops
 * everything it started.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { makeTestCertificates } from '../testkit/certificates';
import { repoRoot } from '../testkit/repoRoot';
import { startLocalAzure } from '../testkit/emulators/localAzure';
import { runImageBuilderTask, serviceConnection } from '../testkit/harness';

interface DemoStep {
  task: string;
  name?: string;
  inputs: Record<string, string | number | boolean>;
}

function readDemoStep(): DemoStep {
  const file = path.join(repoRoot, 'samples', 'local-demo.yml');
  const doc = parse(fs.readFileSync(file, 'utf8')) as { steps?: DemoStep[] };
  const step = doc.steps?.find((s) => s.task?.startsWith('AzureImageBuilder@'));
  if (!step) throw new Error(`${file} has no AzureImageBuilder step`);
  return step;
}

/** The ids the sample names, taken apart so the stand-ins can hold those very resources. */
function sampleWorld(inputs: Record<string, string>) {
  const identity = inputs['managedIdentity'] ?? '';
  const subscriptionId = /\/subscriptions\/([^/]+)/i.exec(identity)?.[1];
  if (!subscriptionId) throw new Error('samples/local-demo.yml: managedIdentity must be a resource id');
  return { subscriptionId, resourceGroup: inputs['resourceGroup'] ?? '', location: inputs['location'] ?? '', identity, gallery: inputs['galleryImageId'] ?? '' };
}

/**
 * The stand-ins serve HTTPS with a throwaway CA, and this process talks to
 * them too (the Resource Manager stand-in writes build logs to Azurite), so
 * the CA must be trusted from process start: Node reads NODE_EXTRA_CA_CERTS
 * only then. The parent makes the CA and runs the demo in a child that has it.
 */
async function main(): Promise<number> {
  if (process.env['IB_TEST_TLS_DIR'] && process.env['NODE_EXTRA_CA_CERTS']) return demo();
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-start-tls-'));
  try {
    const tls = makeTestCertificates(tlsDir);
    const child = spawn(process.execPath, [__filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, IB_TEST_TLS_DIR: tls.dir, NODE_EXTRA_CA_CERTS: tls.caPath },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    return await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    fs.rmSync(tlsDir, { recursive: true, force: true });
  }
}

async function demo(): Promise<number> {

  const step = readDemoStep();
  const inputs = Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, String(v)]));
  const world = sampleWorld(inputs);
  const out = (line = '') => process.stdout.write(line + '\n');

  out('Starting local stand-ins for Azure (Azurite, Entra ID, Azure DevOps, Resource Manager)...');
  const azure = await startLocalAzure({
    buildTiming: { provisioningMs: 300, queuedMs: 1500, buildingMs: 2500, customizerMs: 3000, distributingMs: 2500, deleteMs: 500 },
    storageAccountNames: [inputs['storageAccountName'] ?? ''],
  });
  try {
    const rgId = `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}`;
    const galleryId = world.gallery.replace(/\/images\/[^/]+$/i, '');
    azure.arm.seed({
      subscriptions: [{ subscriptionId: world.subscriptionId, tenantId: azure.scenario.tenantId, displayName: 'Demo' }],
      resourceGroups: [{ subscriptionId: world.subscriptionId, name: world.resourceGroup, location: world.location }],
      identities: [{ id: world.identity, location: world.location }],
      storageAccounts: [{ id: `${rgId}/providers/Microsoft.Storage/storageAccounts/${inputs['storageAccountName']}`, location: world.location }],
      platformImages: ['24.04.202409090', '24.04.202410100'].map((version) => ({
        location: world.location, publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version, osType: 'Linux' as const, hyperVGeneration: 'V2' as const,
      })),
      galleries: [{ id: galleryId, location: world.location }],
      galleryImages: [{ id: world.gallery, location: world.location, osType: 'Linux', hyperVGeneration: 'V2' }],
    });
    const connection = serviceConnection(azure, 'secret');
    connection.endpoint.data = { ...connection.endpoint.data, subscriptionId: world.subscriptionId, subscriptionName: 'Demo' };

    const runDemoStep = async (extra: Record<string, string>) => {
      out(`Running ${step.task} (step '${step.name ?? 'bake'}') from samples/local-demo.yml through the agent stand-in:`);
      out('');
      const result = await runImageBuilderTask({
        azure,
        connection,
        inputs: { ...inputs, ...extra, azureSubscription: connection.id },
        stepName: step.name ?? 'bake',
        workDir: repoRoot,
        onLine: (line) => out(`  ${line}`),
      });
      out('');
      out(`Result: ${result.result}`);
      out('Output variables:');
      for (const [name, value] of Object.entries(result.outputs)) out(`  ${name} = ${value}`);
      for (const summary of result.summaries) {
        out('');
        out(`Summary tab (${path.basename(summary)}):`);
        for (const line of fs.readFileSync(summary, 'utf8').split('\n')) out(`  | ${line}`);
      }
      // The task requests the deletion and does not wait for it; one being deleted is not left.
      const templates = azure.arm.state().imageTemplates;
      const deleting = templates.filter((t) => t.provisioningState === 'Deleting').length;
      const left = templates.length - deleting;
      out('');
      const going = deleting > 0 ? ` (${deleting} being deleted, as the task requested)` : '';
      out(left === 0 ? `Cleanup: no image template left in the stand-in${going}.` : `Cleanup: ${left} image template(s) left${going}.`);
      return result;
    };
    // --twice: a second run with the same inputs and skipUnchanged, which finds the first run's image current.
    const twice = process.argv.includes('--twice');
    const runs = twice ? [{ skipUnchanged: 'true' }, { skipUnchanged: 'true' }] : [{}];
    let result: Awaited<ReturnType<typeof runImageBuilderTask>> | undefined;
    for (const [index, extra] of runs.entries()) {
      if (twice) out(`=== Run ${index + 1} of 2${index === 1 ? ': same inputs, skipUnchanged' : ''} ===`);
      const started = Date.now();
      result = await runDemoStep(extra);
      if (twice) out(`Run ${index + 1} took ${((Date.now() - started) / 1000).toFixed(1)} s; buildSkipped = ${result.outputs[`${step.name ?? 'bake'}.buildSkipped`]}`);
      out('');
      if (result.result !== 'Succeeded' && result.result !== 'SucceededWithIssues') break;
    }
    if (!result) return 1;
    return result.result === 'Succeeded' || result.result === 'SucceededWithIssues' ? 0 : 1;
  } finally {
    await azure.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
