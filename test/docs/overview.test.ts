import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findContradictions } from '../../shared/config/contradictions';
import { INPUT_DEFAULTS } from '../../shared/config/defaults';
import { DEFAULT_DEADLINE_MARGIN_MINUTES } from '../../shared/watch/statusPoller';
import { SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES } from '../../shared/core/buildTimeout';
import { checkPipeline } from '../samples/pipelineChecks';
import { readPipeline } from '../samples/pipelineModel';
import { loadTaskCatalog } from '../samples/taskCatalog';
import { repoRoot } from '../../testkit/repoRoot';
import { readTaskJson } from '../taskjson/taskJsonFile';
import { AZ_COMMANDS, checkAzCommand, checkShell, readShell, shellWords } from './azCommands';

const overview = fs.readFileSync(path.join(repoRoot, 'overview.md'), 'utf8');

/** The text under a `## ` heading, up to the next one. */
function section(title: string): string {
  const start = overview.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `overview.md has no section '${title}'`);
  const end = overview.indexOf('\n## ', start + 1);
  return overview.slice(start, end === -1 ? undefined : end);
}

function fences(text: string, lang: string): string[] {
  return [...text.matchAll(/^[ \t]*```(\w*)\n([\s\S]*?)^[ \t]*```$/gm)].filter((m) => m[1] === lang).map((m) => m[2] as string);
}

/** Rows of the first Markdown table in the text, as cells. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

describe('overview.md: set up once', () => {
  const scripts = fences(section('Set up once'), 'sh');

  it('gives the setup as shell blocks whose az commands, flags and variables all check out', () => {
    assert.ok(scripts.length >= 5);
    assert.deepEqual(checkShell(scripts), []);
  });

  it('registers every resource provider Image Builder needs', () => {
    const namespaces = readShell(scripts)
      .commands.filter((c) => c.words.slice(0, 2).join(' ') === 'provider register')
      .map((c) => c.words[c.words.indexOf('--namespace') + 1]);
    for (const ns of ['Microsoft.VirtualMachineImages', 'Microsoft.Compute', 'Microsoft.Storage', 'Microsoft.Network', 'Microsoft.KeyVault', 'Microsoft.ContainerInstance']) {
      assert.ok(namespaces.includes(ns), ns);
    }
  });

  it('creates an image definition that fits the quick start source: Linux, generalized, Gen2, Trusted Launch', () => {
    const definition = readShell(scripts).commands.find((c) => c.words.slice(0, 3).join(' ') === 'sig image-definition create');
    assert.ok(definition);
    const flag = (name: string) => definition.words[definition.words.indexOf(name) + 1];
    assert.equal(flag('--os-type'), 'Linux');
    assert.equal(flag('--os-state'), 'Generalized');
    assert.equal(flag('--hyper-v-generation'), 'V2');
    assert.equal(flag('--features'), 'SecurityType=TrustedLaunch');
  });

  it('assigns only built-in roles from the role table or custom roles it defines', () => {
    const script = readShell(scripts);
    const custom = script.commands
      .filter((c) => c.words.slice(0, 3).join(' ') === 'role definition create')
      .map((c) => (JSON.parse((c.words[c.words.indexOf('--role-definition') + 1] ?? '').replace(/\$SUB/g, 'sub')) as { Name: string }).Name);
    const tableRoles = section('Permissions');
    for (const command of script.commands.filter((c) => c.words.slice(0, 3).join(' ') === 'role assignment create')) {
      const role = command.words[command.words.indexOf('--role') + 1] ?? '';
      assert.ok(custom.includes(role) || tableRoles.includes(role), `${role} is neither in the role table nor defined`);
    }
  });

  it('uses the names of the quick start', () => {
    const values = new Map(readShell(scripts).assignments.map((a) => [a.name, a.value]));
    const step = (parseYaml(fences(section('Quick start (YAML)'), 'yaml')[0] ?? '') as { jobs: { steps: { inputs?: Record<string, string> }[] }[] }).jobs[0]?.steps[0]?.inputs ?? {};
    assert.equal(step['resourceGroup'], values.get('RG'));
    assert.equal(step['location'], values.get('LOC'));
    assert.equal(step['storageAccountName'], values.get('STORAGE'));
    assert.ok(step['managedIdentity']?.endsWith(`/resourceGroups/${values.get('RG')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${values.get('IDENTITY')}`));
    assert.ok(step['galleryImageId']?.endsWith(`/galleries/${values.get('GALLERY')}/images/${values.get('IMAGE')}`));
  });

  describe('the az checker', () => {
    const one = (line: string) => checkAzCommand({ line, words: shellWords(line).words.slice(1) });
    it('passes a correct command', () => assert.deepEqual(one('az group create --name rg --location westeurope'), []));
    it('fails a misspelt command', () => assert.match(one('az group craete --name rg --location westeurope').join(), /unknown command 'az group craete'/));
    it('fails an unknown flag', () => assert.match(one('az group create --name rg --location westeurope --locaton x').join(), /has no flag --locaton/));
    it('fails a missing required flag', () => assert.match(one('az identity create --name id').join(), /needs --resource-group/));
    it('accepts either of alternative flags', () => {
      assert.deepEqual(one('az role assignment create --assignee-object-id x --role Reader --scope /s'), []);
      assert.match(one('az role assignment create --role Reader --scope /s').join(), /needs --assignee or --assignee-object-id/);
    });
    it('fails a placeholder inside a command', () => assert.match(one('az group create --name <group> --location westeurope').join(), /placeholder/));
    it('fails a variable used before it is set, and one never used', () => {
      assert.deepEqual(checkShell(['az group create --name "$RG" --location westeurope', 'RG=x', 'LOC=y']), [
        'az group create --name "$RG" --location westeurope: $RG is not set before',
        'LOC=y: LOC is set but never used',
      ]);
    });
    it('reads quotes, continued lines and command substitution', () => {
      assert.deepEqual(shellWords(`az x --a '{"n":"'"$SUB"'"}' "$B" # note`), { words: ['az', 'x', '--a', '{"n":"$SUB"}', '$B'], expanded: ['SUB', 'B'] });
      const script = readShell(['A=1\nB=$(az group show --name "$A" \\\n  --query id --output tsv)']);
      assert.deepEqual(script.commands.map((c) => c.words), [['group', 'show', '--name', '$A', '--query', 'id', '--output', 'tsv']]);
    });
    it('knows every command it lists by a multi-word name', () => {
      for (const name of Object.keys(AZ_COMMANDS)) assert.ok(name.split(' ').length >= 2, name);
    });
  });
});

describe('overview.md: permissions', () => {
  const rows = tableRows(section('Permissions'));

  it('says who needs which role on which scope for every feature', () => {
    const features = ['Artifacts by SAS', 'Artifacts by identity', 'subnet', 'staging resource group', 'Live build log', 'Distribute to a gallery', 'Distribute to a managed image', 'Managed image source', 'Gallery source', 'Platform'];
    for (const feature of features) assert.ok(rows.some((r) => (r[0] ?? '').includes(feature)), feature);
    const who = new Set(['service connection', 'Image Builder identity', 'build VM identity', 'its service connection', 'nobody']);
    for (const row of rows) {
      assert.equal(row.length, 4, row.join(' | '));
      assert.ok(who.has(row[1] ?? ''), `unknown principal '${row[1]}'`);
    }
  });

  it('gives the subnet role the join and read actions', () => {
    const row = rows.find((r) => (r[0] ?? '').includes('subnet'));
    assert.match(row?.[2] ?? '', /Microsoft\.Network\/virtualNetworks\/subnets\/join\/action/);
    assert.match(row?.[2] ?? '', /Microsoft\.Network\/virtualNetworks\/read/);
  });
});

describe('overview.md: quick start and timeouts', () => {
  const quickStart = fences(section('Quick start (YAML)'), 'yaml')[0] ?? '';

  it('parses, and its job allows the build timeout plus the wait margin', () => {
    const doc = parseYaml(quickStart) as { jobs: { timeoutInMinutes?: number; steps: { task?: string; inputs?: Record<string, unknown> }[] }[] };
    const job = doc.jobs[0];
    assert.ok(job);
    const step = job.steps.find((s) => s.task === 'AzureImageBuilder@1');
    const build = Number(step?.inputs?.['buildTimeoutInMinutes'] ?? 0) || SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES;
    assert.equal(typeof job.timeoutInMinutes, 'number', 'the quick start job sets timeoutInMinutes');
    assert.ok((job.timeoutInMinutes as number) > build, `job ${job.timeoutInMinutes} min <= build ${build} min`);
    assert.ok((job.timeoutInMinutes as number) >= build + DEFAULT_DEADLINE_MARGIN_MINUTES, 'the job also covers the task\'s wait margin');
  });

  it('is a pipeline whose task, inputs and output references check out', () => {
    assert.deepEqual(checkPipeline(readPipeline(quickStart), loadTaskCatalog()).problems, []);
  });

  it('explains the job timeout, the build timeout and the cancel timeout with the numbers the task uses', () => {
    const text = section('Timeouts: set them before the first build');
    for (const word of ['`timeoutInMinutes`', '`buildTimeoutInMinutes`', '`cancelTimeoutInMinutes`']) assert.ok(text.includes(word), word);
    assert.ok(text.includes(`**${SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES}** minutes`));
    assert.ok(text.includes(`plus ${DEFAULT_DEADLINE_MARGIN_MINUTES} minutes`));
    assert.ok(text.includes('**60** minutes'));
  });
});

describe('overview.md: migration from AzureImageBuilderTask@1', () => {
  const text = section('Migrating from AzureImageBuilderTask@1');
  const task = readTaskJson();
  const outputs = new Set(task.outputVariables.map((o) => o.name));

  it('starts with naming the step and reading $(bake.imageUri), before the table', () => {
    const firstTable = text.indexOf('\n|');
    assert.ok(text.indexOf('name: bake') > 0 && text.indexOf('name: bake') < firstTable);
    assert.ok(text.indexOf('$(bake.imageUri)') > 0 && text.indexOf('$(bake.imageUri)') < firstTable);
  });

  it('shows an example that checks out, v1 input names included', () => {
    const example = fences(text, 'yaml')[0] ?? '';
    const result = checkPipeline(readPipeline(example), loadTaskCatalog());
    assert.deepEqual(result.problems, []);
    assert.match(example, /\$\(bake\.imageUri\)/);
  });

  it('lists every v1 alias the task declares', () => {
    const table = text.slice(text.indexOf('\n|'));
    for (const alias of task.inputs.flatMap((i) => i.aliases ?? [])) assert.ok(table.includes(`\`${alias}\``), alias);
  });

  it('names only outputs the task declares, and every v1 output in its new form', () => {
    const named = [...text.matchAll(/\$\(bake\.(\w+)\)/g)].map((m) => m[1] as string);
    assert.ok(named.length > 0);
    for (const name of named) assert.ok(outputs.has(name), `$(bake.${name}) is not in outputVariables`);
    for (const v1 of ['imageUri', 'templateName', 'templateId', 'pirPublisher', 'pirOffer', 'pirSku', 'pirVersion']) {
      assert.ok(named.includes(v1), `v1 output ${v1} is missing`);
      assert.ok(text.includes(`\`$(${v1})\``), `v1 reference $(${v1}) is missing`);
    }
  });

  it('covers the behaviours that differ from v1', () => {
    const areas = tableRows(text.slice(text.indexOf('\n|'))).map((r) => r[0] ?? '');
    for (const area of ['Task reference', 'Output variables', 'Input names', 'Base image', 'Artifacts on the VM', 'Cleanup after a failure', 'Cancel and job timeout', 'Template name', 'Upload']) {
      assert.ok(areas.includes(area), area);
    }
  });

  it('gives the fully qualified task id from the manifest', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'vss-extension.json'), 'utf8')) as { publisher: string; id: string; contributions: { id: string; properties?: { name?: string } }[] };
    const contribution = manifest.contributions.find((c) => c.properties?.name === 'tasks/AzureImageBuilder');
    assert.ok(contribution, 'no contribution for tasks/AzureImageBuilder');
    assert.ok(text.includes(`\`${manifest.publisher}.${manifest.id}.${contribution.id}.${task.name}@1\``));
  });
});

describe('overview.md: options that pull against each other', () => {
  const text = section('Options that pull against each other');
  const rows = tableRows(text);

  it('lists every input the task warns about, next to the input it contradicts', () => {
    const combos: Record<string, string>[] = [
      { onCustomizerError: 'abort' },
      { onValidationError: 'abort', validationInlineScript: 'true' },
      { onValidationError: 'abort', cleanup: 'never' },
      { continueDistributeOnFailure: 'true' },
      { sourceValidationOnly: 'true', validationInlineScript: 'x', packagePath: 'app', inlineScript: 'x', additionalCustomizers: '[]', windowsRestart: 'true', windowsUpdateProvisioner: 'true', continueDistributeOnFailure: 'true' },
      { dryRun: 'true', preflightOnly: 'true' },
      { storageAccountName: 'sa', storageContainer: 'c1', artifactAccess: 'identity', artifactDestination: '/opt/app' },
    ];
    const workingDirectory = '/agent/_work/1/s';
    for (const inputs of combos) {
      const warnings = findContradictions((name) => inputs[name] ?? INPUT_DEFAULTS[name], workingDirectory);
      assert.ok(warnings.length > 0, JSON.stringify(inputs));
      for (const warning of warnings) {
        const row = rows.find((r) => (r[0] ?? '').includes(`\`${warning.input}`) || (r[1] ?? '').includes(`\`${warning.input}`));
        assert.ok(row, `${warning.key} on ${warning.input} is not in the table`);
      }
    }
  });

  it('names an input of the other side in every row', () => {
    for (const row of rows) assert.match(row[1] ?? '', /`[a-zA-Z]+/, row.join(' | '));
  });
});
