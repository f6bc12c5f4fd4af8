import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';
import { findNode20, node24Path } from '../../testkit/agent/nodeBinaries';
import { runTaskLikeAgent, type AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';

const TASK_DIR = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1');
const IDENTITY = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ib-identity';
const GALLERY_IMAGE = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/app-linux';
const CONNECTION = '5b0c2f4e-2222-4333-8444-a55566677788';
/** Pause after every chunk the task writes: the task's writes pile up behind a full pipe. */
const SLOW = { pauseMs: 5 };

const binaries = (): { name: string; path: string }[] => [
  { name: 'Node 20', path: findNode20() },
  { name: 'Node 24', path: node24Path },
];

/** A throwaway task folder whose entry is `source`, run by the agent stand-in like any task. */
function tinyTask(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drain-task-'));
  fs.writeFileSync(path.join(dir, 'index.js'), source);
  fs.writeFileSync(
    path.join(dir, 'task.json'),
    JSON.stringify({
      id: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      name: 'DrainProbe',
      friendlyName: 'Drain probe',
      description: 'Writes a lot, then ends.',
      helpMarkDown: 'Test fixture.',
      category: 'Utility',
      author: 'tests',
      version: { Major: 1, Minor: 0, Patch: 0 },
      minimumAgentVersion: '4.265.1',
      instanceNameFormat: 'Drain probe',
      inputs: [],
      execution: { Node20_1: { target: 'index.js' }, Node24: { target: 'index.js' } },
    }),
  );
  return dir;
}

/** ~1 MiB of log, then the commands an agent must not miss, then the ending under test. */
function writerSource(ending: string): string {
  return `
const line = 'x'.repeat(1023) + '\\n';
for (let i = 0; i < 1024; i++) process.stdout.write(line);
process.stdout.write('##vso[task.setvariable variable=last;isOutput=true]arrived\\n');
process.stdout.write('##vso[task.complete result=Succeeded;]done\\n');
${ending}
`;
}

describe('the end of the output reaches a slow agent', function () {
  this.timeout(120_000);

  for (const node of binaries()) {
    describe(node.name, () => {
      it('the old ending (process.exit right after writing) loses the tail: this test setup can see the loss', async () => {
        const dir = tinyTask(writerSource('process.exit(0);'));
        try {
          const run = await runTaskLikeAgent({ taskDir: dir, inputs: {}, nodePath: node.path, stepName: 'p', slowReader: SLOW });
          assert.equal(run.outputs['p.last'], undefined, 'the output variable written before process.exit was lost');
          assert.doesNotMatch(run.stdout, /task\.complete/, 'task.complete was lost');
          assert.ok(run.stdout.length < 1024 * 1024, `part of the log was lost (${run.stdout.length} bytes arrived)`);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it('endProcess keeps every byte, also with a handle that keeps the process alive', async () => {
        const endProcess = JSON.stringify(path.join(repoRoot, 'build', 'shared', 'edge', 'endProcess.js'));
        // A ref'd interval stands for an SDK socket or timer that is never closed: the last resort ends it.
        const dir = tinyTask(writerSource(`setInterval(() => {}, 60_000);\nrequire(${endProcess}).endProcess(0);`));
        try {
          const run = await runTaskLikeAgent({ taskDir: dir, inputs: {}, nodePath: node.path, stepName: 'p', slowReader: SLOW });
          assert.equal(run.exitCode, 0);
          assert.equal(run.outputs['p.last'], 'arrived');
          assert.match(run.stdout, /##vso\[task\.complete result=Succeeded;\]done/);
          assert.equal(run.result, 'Succeeded');
          assert.ok(run.stdout.length > 1024 * 1024, `every log byte arrived (${run.stdout.length})`);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it('a dry run with a template of several hundred KB, read slowly, 10 times: every output, the attachment and task.complete arrive', async () => {
        // One environment variable holds at most 128 KiB, so the template's bulk is spread over three inputs;
        // each script line is a line of the printed template.
        const script = (kind: string) => Array.from({ length: 1100 }, (_, i) => `echo "${kind} ${i} ${'y'.repeat(80)}"`);
        const inlineScript = script('step').join('\n');
        const validationInlineScript = script('check').join('\n');
        const additionalCustomizers = JSON.stringify([{ type: 'Shell', name: 'extra', inline: script('extra') }]);
        const total = inlineScript.length + validationInlineScript.length + additionalCustomizers.length;
        assert.ok(total > 300_000 && Math.max(inlineScript.length, additionalCustomizers.length) < 128 * 1024, String(total));
        for (let attempt = 1; attempt <= 10; attempt++) {
          const run: AgentRunResult = await runTaskLikeAgent({
            taskDir: TASK_DIR,
            nodePath: node.path,
            stepName: 'bake',
            slowReader: SLOW,
            inputs: {
              azureSubscription: CONNECTION,
              resourceGroup: 'rg',
              location: 'westeurope',
              managedIdentity: IDENTITY,
              baseImage: 'Canonical:ubuntu-24_04-lts:server',
              galleryImageId: GALLERY_IMAGE,
              templateName: `drain-${attempt}`,
              inlineScript,
              validationInlineScript,
              additionalCustomizers,
              dryRun: 'true',
            },
            endpoints: {
              [CONNECTION]: {
                url: 'https://management.azure.com/',
                scheme: 'ManagedServiceIdentity',
                parameters: { tenantid: 'tenant-1' },
                data: { subscriptionId: '00000000-0000-0000-0000-000000000001', environment: 'AzureCloud' },
              },
            },
          });
          const where = `${node.name}, attempt ${attempt}`;
          assert.equal(run.exitCode, 0, where);
          assert.equal(run.result, 'Succeeded', `${where}: task.complete arrived\n${run.log.slice(-5).join('\n')}`);
          assert.match(run.stdout, /##vso\[task\.complete result=Succeeded;?\]/, where);
          assert.equal(run.outputs['bake.templateName'], `drain-${attempt}`, `${where}: the output variable arrived`);
          assert.equal(run.attachments.length, 1, `${where}: the template attachment arrived`);
          assert.equal(run.logs.length, 1, `${where}: the uploaded log arrived`);
          for (const last of ['step 1099 ', 'check 1099 ', 'extra 1099 ']) assert.ok(run.log.some((l) => l.includes(last)), `${where}: '${last}' arrived`);
        }
      });
    });
  }
});
