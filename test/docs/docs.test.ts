import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findTasks, generateDocs, regionMarkers, renderReference, replaceRegion, staleFiles, type TaskDefinition } from '../../testkit/docs';
import { repoRoot } from '../../testkit/repoRoot';

const docsScript = path.join(repoRoot, 'build', 'scripts', 'docs.js');

describe('inputs reference (npm run docs)', () => {
  it('is committed and matches every task.json (run `npm run docs` after changing a task.json)', () => {
    const files = generateDocs(repoRoot);
    const taskDocs = files.map((f) => f.path).filter((p) => p.startsWith('docs/')).sort();
    assert.deepEqual(taskDocs, ['docs/inputs-AzureImageBuilder.md', 'docs/inputs-AzureImageVersionCheck.md', 'docs/inputs-AzureImageVersionPromote.md']);
    assert.deepEqual(staleFiles(repoRoot, files), [], 'the generated docs differ from the committed ones: run `npm run docs` and commit the result');
  });

  it('lists every input of every task, by name, in its document', () => {
    for (const { task } of findTasks(repoRoot)) {
      const doc = fs.readFileSync(path.join(repoRoot, 'docs', `inputs-${task.name}.md`), 'utf8');
      for (const input of task.inputs ?? []) assert.ok(doc.includes(`| \`${input.name}\` |`), `${task.name}: ${input.name}`);
      for (const output of task.outputVariables ?? []) assert.ok(doc.includes(`- \`${output.name}\``), `${task.name}: output ${output.name}`);
    }
  });
});

describe('reference rendering', () => {
  const task: TaskDefinition = {
    name: 'Demo',
    version: { Major: 2, Minor: 1, Patch: 0 },
    groups: [
      { name: 'second', displayName: 'Second group' },
      { name: 'first', displayName: 'First group' },
    ],
    inputs: [
      { name: 'loose', label: 'Loose', type: 'string', helpMarkDown: 'No group.' },
      { name: 'b', label: 'B', type: 'pickList', groupName: 'first', options: { x: 'X', y: 'Y' }, defaultValue: 'x', required: 'true', helpMarkDown: 'Pipe | inside\nand a new line.' },
      { name: 'a', label: 'A', type: 'boolean', groupName: 'second', defaultValue: false, aliases: ['oldA', 'olderA'], visibleRule: 'b = y || b = x', helpMarkDown: 'Flag.' },
      { name: 'conn', label: 'Connection', type: 'connectedService:AzureRM', groupName: 'first', required: true },
      { name: 'free', label: 'Free', type: 'pickList', groupName: 'first', properties: { EditableOptions: 'True' } },
    ],
    outputVariables: [{ name: 'out1', description: 'First output.' }, { name: 'out2' }],
  };
  const text = renderReference(task);
  const row = (name: string) => text.split('\n').find((l) => l.startsWith(`| \`${name}\` |`)) ?? '';

  it('makes one table per group in task.json order, ungrouped inputs first', () => {
    const headings = text.split('\n').filter((l) => l.startsWith('#### '));
    assert.deepEqual(headings, ['#### General', '#### Second group', '#### First group', '#### Outputs']);
  });

  it('shows aliases, type with options, default, required and the visible rule', () => {
    assert.equal(row('a'), '| `a` | `oldA`, `olderA` | boolean | `false` | no | `b = y \\|\\| b = x` | **A.** Flag. |');
    assert.equal(row('b'), '| `b` |  | pickList: `x`, `y` | `x` | yes |  | **B.** Pipe \\| inside and a new line. |');
    assert.match(row('conn'), /\| service connection \(AzureRM\) \|  \| yes \|/);
    assert.match(row('free'), /\| pickList \(pick or type\) \|/);
  });

  it('keeps every row on one line with the same number of cells as the header', () => {
    for (const line of text.split('\n').filter((l) => l.startsWith('| `'))) {
      assert.equal(line.replace(/\\\|/g, '').split('|').length, 9, line);
    }
  });

  it('lists the outputs', () => {
    assert.match(text, /- `out1`: First output\.\n- `out2`\n/);
  });

  it('refuses an input in a group task.json does not declare', () => {
    assert.throws(() => renderReference({ ...task, inputs: [{ name: 'x', type: 'string', groupName: 'nope' }] }), /'x' name a group that task.json does not declare/);
  });
});

describe('marked regions', () => {
  const { start, end } = regionMarkers('Demo');

  it('replaces only the text between the markers and keeps them', () => {
    const doc = `# Title\n\nbefore\n${start}\nold text\n${end}\nafter\n`;
    const out = replaceRegion(doc, 'Demo', 'NEW') as string;
    assert.ok(out.startsWith(`# Title\n\nbefore\n${start}\n`));
    assert.ok(out.endsWith(`NEW\n${end}\nafter\n`));
    assert.ok(!out.includes('old text'));
    assert.equal(replaceRegion(out, 'Demo', 'NEW'), out, 'replacing again changes nothing');
  });

  it('leaves a document without markers alone', () => {
    assert.equal(replaceRegion('# nothing here\n', 'Demo', 'NEW'), undefined);
    assert.equal(replaceRegion(`${regionMarkers('Other').start}\n${regionMarkers('Other').end}`, 'Demo', 'NEW'), undefined);
  });

  it('rejects broken markers', () => {
    assert.throws(() => replaceRegion(`${start}\nno end\n`, 'Demo', 'x'), /expected one/);
    assert.throws(() => replaceRegion(`${end}\n${start}\n`, 'Demo', 'x'), /comes before/);
    assert.throws(() => replaceRegion(`${start}${end}${start}${end}`, 'Demo', 'x'), /found 2 and 2/);
  });
});

describe('docs script', function () {
  this.timeout(30_000);
  let root: string;

  const run = (...args: string[]) => spawnSync(process.execPath, [docsScript, '--root', root, ...args], { encoding: 'utf8' });

  beforeEach(() => {
    // A copy of what the script reads: package.json, the task.json files and the committed docs.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-docs-'));
    fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'));
    for (const { taskJsonPath } of findTasks(repoRoot)) {
      fs.mkdirSync(path.dirname(path.join(root, taskJsonPath)), { recursive: true });
      fs.copyFileSync(path.join(repoRoot, taskJsonPath), path.join(root, taskJsonPath));
    }
    fs.cpSync(path.join(repoRoot, 'docs'), path.join(root, 'docs'), { recursive: true });
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('--check passes on the committed docs', () => {
    const r = run('--check');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /up to date/);
  });

  it('--check fails and names the file when a task.json changed without regenerating, and writes nothing', () => {
    const taskJson = path.join(root, 'tasks/AzureImageVersionCheck/AzureImageVersionCheckV1/task.json');
    const task = JSON.parse(fs.readFileSync(taskJson, 'utf8')) as TaskDefinition;
    (task.inputs as NonNullable<TaskDefinition['inputs']>)[0]!.helpMarkDown = 'Changed help.';
    fs.writeFileSync(taskJson, JSON.stringify(task, null, 2));
    const before = fs.readFileSync(path.join(root, 'docs/inputs-AzureImageVersionCheck.md'), 'utf8');
    const r = run('--check');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /docs\/inputs-AzureImageVersionCheck\.md/);
    assert.doesNotMatch(r.stderr, /inputs-AzureImageBuilder\.md/);
    assert.equal(fs.readFileSync(path.join(root, 'docs/inputs-AzureImageVersionCheck.md'), 'utf8'), before);

    const write = run();
    assert.equal(write.status, 0, write.stderr);
    assert.match(fs.readFileSync(path.join(root, 'docs/inputs-AzureImageVersionCheck.md'), 'utf8'), /Changed help\./);
    assert.equal(run('--check').status, 0);
  });

  it('fills the marked regions of README.md and overview.md', () => {
    const { start, end } = regionMarkers('AzureImageVersionCheck');
    fs.writeFileSync(path.join(root, 'README.md'), `# Readme\n\n${start}\n${end}\n\nMore.\n`);
    fs.writeFileSync(path.join(root, 'overview.md'), '# Overview without markers\n');
    assert.equal(run('--check').status, 1);
    assert.equal(run().status, 0);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    assert.match(readme, /\| `requireReplication` \|/);
    assert.ok(readme.endsWith(`${end}\n\nMore.\n`));
    assert.equal(fs.readFileSync(path.join(root, 'overview.md'), 'utf8'), '# Overview without markers\n');
    assert.equal(run('--check').status, 0);
  });

  it('stops with a clear error on broken markers', () => {
    fs.writeFileSync(path.join(root, 'overview.md'), `${regionMarkers('AzureImageBuilder').start}\n`);
    const r = run('--check');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /overview\.md: expected one <!-- inputs:AzureImageBuilder:start --> and one <!-- inputs:AzureImageBuilder:end -->/);
  });
});
