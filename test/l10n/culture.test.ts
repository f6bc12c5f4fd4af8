/**
 * The bundled task speaks the agent's language: run like the agent runs it,
 * with System.Culture set, an input error comes out in that culture's words
 * from Strings/resources.resjson/<culture>/resources.resjson. The input is
 * refused before any call to Azure, so no stand-in is needed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { readResjson, resjsonPath } from '../../testkit/localize';
import { runTaskLikeAgent, type AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';
import { repoRoot } from '../../testkit/repoRoot';

const taskDir = path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1');
const connectionId = '5d7b8c2e-0f4a-4b6e-9a51-2c3d4e5f6a7b';

function message(culture: string, key: string, ...args: unknown[]): string {
  const text = readResjson(resjsonPath(taskDir, culture))[`loc.messages.${key}`];
  assert.ok(text, `${culture} has loc.messages.${key}`);
  return format(text, ...args);
}

/** A build whose template name is refused on the agent. */
function runWithBadTemplateName(culture: string | undefined): Promise<AgentRunResult> {
  return runTaskLikeAgent({
    taskDir,
    inputs: {
      azureSubscription: connectionId,
      resourceGroup: 'rg-images',
      location: 'westeurope',
      managedIdentity: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib',
      templateName: '..',
      sourceType: 'platformImage',
      baseImage: 'Canonical:ubuntu-24_04-lts:server',
      galleryImageId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-g/providers/Microsoft.Compute/galleries/g/images/d',
    },
    ...(culture ? { variables: { 'System.Culture': culture } } : {}),
    endpoints: {
      [connectionId]: {
        // Never called: the run stops at the input error.
        url: 'https://127.0.0.1:9/',
        scheme: 'ServicePrincipal',
        parameters: { serviceprincipalid: 'sp-1', serviceprincipalkey: 'sp-secret-value', tenantid: 'tenant-1', authenticationType: 'spnKey' },
        data: { subscriptionId: '00000000-0000-0000-0000-000000000001', environment: 'AzureCloud' },
      },
    },
    timeoutMs: 60_000,
  });
}

function errors(run: AgentRunResult): string[] {
  return run.issues.filter((i) => i.type === 'error').map((i) => i.message);
}

describe('the bundled task in the agent culture', function () {
  this.timeout(120_000);

  before(() => {
    assert.ok(fs.existsSync(path.join(taskDir, 'index.js')), 'the bundle exists (npm run build)');
  });

  it('en-US: the English text of task.json', async () => {
    const run = await runWithBadTemplateName('en-US');
    assert.equal(run.result, 'Failed', run.log.join('\n'));
    assert.ok(
      errors(run).includes(
        "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '..'.",
      ),
      errors(run).join('\n'),
    );
  });

  for (const [culture, word] of [
    ['zh-CN', /[\u4e00-\u9fff]/],
    ['de-DE', /Eingabe/],
  ] as const) {
    it(`${culture}: the input error and the summary in that language`, async () => {
      const run = await runWithBadTemplateName(culture);
      assert.equal(run.result, 'Failed', run.log.join('\n'));
      const expected = message(culture, 'InvalidTemplateName', 'templateName', '..');
      assert.match(expected, word);
      assert.ok(errors(run).includes(expected), `expected\n  ${expected}\namong\n  ${errors(run).join('\n  ')}`);
      const summary = message(culture, 'InvalidInputs', 1);
      assert.ok(errors(run).includes(summary), `expected\n  ${summary}\namong\n  ${errors(run).join('\n  ')}`);
      assert.ok(!run.log.some((l) => l.includes('expected 1 to 64 letters')), 'no English left for this error');
      assert.ok(!run.log.some((l) => /Can't find loc string/.test(l)), 'every key resolves');
    });
  }

  it('an unknown culture falls back to English', async () => {
    const run = await runWithBadTemplateName('pt-BR');
    assert.equal(run.result, 'Failed', run.log.join('\n'));
    assert.ok(errors(run).some((e) => e.startsWith("Input 'templateName': expected 1 to 64 letters")), errors(run).join('\n'));
  });

  it("task-lib's own messages are in the bundle with their translations", () => {
    // task-lib 5 reads them from its lib-resource.js, bundled into index.js, not from files beside it.
    const libResource = require('azure-pipelines-task-lib/lib-resource') as { localizedMessages: Record<string, Record<string, string>> };
    const chinese = libResource.localizedMessages['zh-CN']?.['loc.messages.LIB_InputRequired'];
    assert.ok(chinese && /[\u4e00-\u9fff]/.test(chinese), 'task-lib has a zh-CN LIB_InputRequired');
    const bundle = fs.readFileSync(path.join(taskDir, 'index.js'), 'utf8');
    // esbuild writes non-ASCII characters as \uXXXX escapes.
    const escaped = chinese.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    assert.ok(bundle.includes(chinese) || bundle.includes(escaped), 'the bundle carries it');
  });
});
