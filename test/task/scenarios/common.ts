import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import { repoRoot } from '../../../testkit/repoRoot';

export const SUB = '00000000-0000-0000-0000-000000000001';
export const IDENTITY = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ib-identity`;
export const GALLERY_IMAGE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/app-linux`;

/** The bundled task, exactly what the .vsix ships. */
export const bundledTask = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1', 'index.js');

/** A mock runner with a temp dir as agent temp and working directory, and the minimum inputs of a dry run. */
export function dryRunScenario(inputs: Record<string, string>): TaskMockRunner {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-mock-'));
  process.env['AGENT_TEMPDIRECTORY'] = work;
  process.env['SYSTEM_DEFAULTWORKINGDIRECTORY'] = work;
  process.env['SYSTEM_TEAMPROJECT'] = 'Fabrikam';
  process.env['BUILD_BUILDID'] = '42';
  process.env['SYSTEM_JOBATTEMPT'] = '1';
  const tmr = new TaskMockRunner(bundledTask);
  const base: Record<string, string> = {
    azureSubscription: 'conn',
    resourceGroup: 'rg',
    location: 'westeurope',
    managedIdentity: IDENTITY,
    baseImage: 'Canonical:ubuntu-24_04-lts:server',
    galleryImageId: GALLERY_IMAGE,
    dryRun: 'true',
  };
  for (const [name, value] of Object.entries({ ...base, ...inputs })) tmr.setInput(name, value);
  return tmr;
}

/**
 * Runs the bundled task. The bundle carries its own copy of task-lib, which
 * skips loading inputs into its vault when another copy (the mock runner's)
 * already marked the process as loaded; clearing that mark lets the shipped
 * copy read the inputs exactly as it does under the agent.
 */
export function runBundled(tmr: TaskMockRunner): void {
  delete (globalThis as Record<string, unknown>)['_vsts_task_lib_loaded'];
  tmr.run(true);
}
