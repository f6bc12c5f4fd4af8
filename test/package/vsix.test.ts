import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleTask, findTaskEntries } from '../../testkit/bundle';
import { CULTURES } from '../../testkit/localize';
import { runTaskLikeAgent } from '../../testkit/agent/runTaskLikeAgent';
import { findNode20, node24Path } from '../../testkit/agent/nodeBinaries';
import { repoRoot } from '../../testkit/repoRoot';
import { identityArguments } from '../../testkit/package';
import { readZipEntries, readZipEntry } from './zipEntries';

const MAX_VSIX_BYTES = 3 * 1024 * 1024;
const packageScript = path.join(repoRoot, 'build', 'scripts', 'package.js');
const probeSource = path.join(repoRoot, 'test', 'fixtures', 'tasks', 'AgentProbe');

/** Runs the package script as `npm run package` does, into its own output folder. */
function runPackageScript(
  root: string,
  outputDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  // The identity variables of the caller's shell must not leak into the runs that do not set them.
  const { IMAGE_BUILDER_PUBLISHER: _p, IMAGE_BUILDER_ID_SUFFIX: _s, ...inherited } = process.env;
  const run = spawnSync(process.execPath, [packageScript, '--root', root, '--output-path', outputDir, ...extraArgs], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...inherited, ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function vsixIn(outputDir: string): string {
  const files = fs.readdirSync(outputDir).filter((f) => f.endsWith('.vsix'));
  assert.equal(files.length, 1, `one .vsix expected in ${outputDir}, found ${files.join(', ')}`);
  return path.join(outputDir, files[0]!);
}

/**
 * An extension root holding the probe fixture task, bundled the way the real
 * task is, with decoys (sources, node_modules) that must stay out of the vsix.
 */
async function makeFixtureExtension(root: string): Promise<string> {
  const taskFolder = path.join(root, 'tasks', 'AgentProbe', 'AgentProbeV1');
  fs.mkdirSync(path.join(taskFolder, 'src'), { recursive: true });
  fs.mkdirSync(path.join(taskFolder, 'node_modules', 'decoy'), { recursive: true });
  fs.mkdirSync(path.join(root, 'images'), { recursive: true });
  fs.writeFileSync(path.join(taskFolder, 'src', 'index.ts'), 'export {};\n');
  fs.writeFileSync(path.join(taskFolder, 'node_modules', 'decoy', 'index.js'), '');

  const taskJson = JSON.parse(fs.readFileSync(path.join(probeSource, 'task.json'), 'utf8')) as { execution: Record<string, { target: string }> };
  for (const handler of Object.values(taskJson.execution)) handler.target = 'index.js';
  fs.writeFileSync(path.join(taskFolder, 'task.json'), JSON.stringify(taskJson, null, 2));
  fs.copyFileSync(path.join(repoRoot, 'tasks', 'AzureImageBuilder', 'AzureImageBuilderV1', 'icon.png'), path.join(taskFolder, 'icon.png'));
  fs.copyFileSync(path.join(repoRoot, 'images', 'extension-icon.png'), path.join(root, 'images', 'extension-icon.png'));
  fs.writeFileSync(path.join(root, 'overview.md'), '# Probe\n');
  await bundleTask(repoRoot, path.join(probeSource, 'probe.js'), taskFolder);

  const task = 'tasks/AgentProbe/AgentProbeV1';
  const manifest = {
    manifestVersion: 1,
    id: 'probe-extension',
    publisher: 'image-builder-pipelines',
    version: '0.0.1',
    name: 'Probe',
    description: 'Fixture extension',
    categories: ['Azure Pipelines'],
    targets: [{ id: 'Microsoft.VisualStudio.Services' }],
    icons: { default: 'images/extension-icon.png' },
    content: { details: { path: 'overview.md' } },
    files: [
      { path: 'images/extension-icon.png', addressable: true },
      ...['task.json', 'icon.png', 'index.js', 'lib.json'].map((f) => ({ path: `${task}/${f}` })),
    ],
    contributions: [
      { id: 'probe-task', type: 'ms.vss-distributed-task.task', targets: ['ms.vss-distributed-task.tasks'], properties: { name: 'tasks/AgentProbe' } },
    ],
  };
  fs.writeFileSync(path.join(root, 'vss-extension.json'), JSON.stringify(manifest, null, 2));
  return taskFolder;
}

function assertShipsOnlyTheTask(entries: string[], taskFolder: string): void {
  for (const file of ['task.json', 'icon.png', 'index.js', 'lib.json']) {
    assert.ok(entries.includes(`${taskFolder}/${file}`), `${taskFolder}/${file} missing from the vsix: ${entries.join(', ')}`);
  }
  assert.ok(entries.includes('overview.md'));
  assert.ok(entries.includes('images/extension-icon.png'));
  assert.ok(entries.includes('extension.vsixmanifest'));
  assert.deepEqual(entries.filter((e) => e.includes('node_modules/')), [], 'no node_modules in the vsix');
  assert.deepEqual(entries.filter((e) => /\/src\/.*\.ts$/.test(e) || e.endsWith('.ts')), [], 'no TypeScript sources in the vsix');
}

describe('build and package', function () {
  this.timeout(120000);
  let scratch: string;
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-test-'));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  describe('bundling', () => {
    it('finds tasks/<Name>/<Name>V<N> folders with src/index.ts and skips the rest', () => {
      const tasks = path.join(scratch, 'find', 'tasks');
      for (const dir of ['Alpha/AlphaV1/src', 'Alpha/AlphaV2', 'Beta/BetaV3/src', 'Beta/Other/src']) {
        fs.mkdirSync(path.join(tasks, dir), { recursive: true });
      }
      fs.writeFileSync(path.join(tasks, 'Alpha/AlphaV1/src/index.ts'), '');
      fs.writeFileSync(path.join(tasks, 'Beta/BetaV3/src/index.ts'), '');
      fs.writeFileSync(path.join(tasks, 'Beta/Other/src/index.ts'), '');
      assert.deepEqual(
        findTaskEntries(tasks).map((e) => path.relative(tasks, e.taskFolder)),
        [path.join('Alpha', 'AlphaV1'), path.join('Beta', 'BetaV3')],
      );
    });

    it('bundles an entry that imports the Azure SDKs into one file that runs on Node 20 and 24', async () => {
      const source = path.join(repoRoot, 'test', 'fixtures', 'tasks', 'SdkProbe');
      const taskFolder = path.join(scratch, 'sdk-probe');
      fs.mkdirSync(taskFolder, { recursive: true });
      fs.copyFileSync(path.join(source, 'task.json'), path.join(taskFolder, 'task.json'));
      const { bytes } = await bundleTask(repoRoot, path.join(source, 'src', 'index.ts'), taskFolder);
      assert.ok(bytes > 100_000 && bytes < MAX_VSIX_BYTES, `bundle of ${bytes} bytes`);
      assert.ok(fs.existsSync(path.join(taskFolder, 'lib.json')), 'task-lib resources beside the bundle');
      for (const nodePath of [findNode20(), node24Path]) {
        const run = await runTaskLikeAgent({ taskDir: taskFolder, inputs: {}, nodePath });
        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.outputs['step1.clients'], '3');
        assert.deepEqual(run.issues, []);
      }
    });

    it('loads a lazy chunk with require, not import(): Node would scan the chunk to guess its format first', async () => {
      const dir = path.join(scratch, 'lazy-entry');
      fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', 'later.ts'), "export const answer = (n: number): number => n * 2;\n");
      fs.writeFileSync(
        path.join(dir, 'src', 'index.ts'),
        "void (async () => {\n  const { answer } = await import('./later.js');\n  process.stdout.write(`answer=${answer(21)}\\n`);\n})();\n",
      );
      const { chunks, outFile } = await bundleTask(repoRoot, path.join(dir, 'src', 'index.ts'), dir);
      assert.deepEqual(chunks.map((c) => path.basename(c.outFile)), ['later.js']);
      const bundled = fs.readFileSync(outFile, 'utf8');
      assert.match(bundled, /require\("\.\/later\.js"\)/);
      assert.doesNotMatch(bundled, /\bimport\(/);
      for (const nodePath of [findNode20(), node24Path]) {
        const run = spawnSync(nodePath, [outFile], { encoding: 'utf8' });
        assert.equal(run.stdout, 'answer=42\n', `${nodePath}: ${run.stderr}`);
      }
    });

    it('fails loudly when the entry does not build', async () => {
      const dir = path.join(scratch, 'broken-entry');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'index.ts'), "import { missing } from './nowhere';\nconsole.log(missing);\n");
      await assert.rejects(bundleTask(repoRoot, path.join(dir, 'index.ts'), dir), /Could not resolve "\.\/nowhere"/);
    });
  });

  describe('a fixture extension (the probe task, bundled)', () => {
    let root: string;
    let taskFolder: string;
    before(async () => {
      root = path.join(scratch, 'fixture-ext');
      taskFolder = await makeFixtureExtension(root);
    });

    for (const [label, nodePath] of [
      ['Node 20', (): string => findNode20()],
      ['Node 24', (): string => node24Path],
    ] as const) {
      it(`runs the bundle standalone on ${label}: with no node_modules to fall back on`, async () => {
        const run = await runTaskLikeAgent({ taskDir: taskFolder, inputs: { message: 'from the bundle' }, nodePath: nodePath() });
        assert.equal(run.result, 'SucceededWithIssues', run.log.join('\n'));
        const report = run.log.find((l) => l.startsWith('REPORT '));
        assert.ok(report && report.includes('"message":"from the bundle"'));
        // A missing task-lib resource would show up as an extra warning issue.
        assert.deepEqual(
          run.issues.map((i) => i.message),
          ['careful: 50% done; [almost]', 'something went wrong', 'done with issues'],
        );
        assert.equal(run.outputs['step1.escaped'], 'a;b]c%d%3B\r\nline2');
      });
    }

    it('packages into a small vsix holding the task files and the overview, without sources or node_modules', () => {
      const out = path.join(scratch, 'fixture-out');
      const run = runPackageScript(root, out);
      assert.equal(run.status, 0, run.stderr + run.stdout);
      const vsix = vsixIn(out);
      assert.match(run.stdout, new RegExp(`${path.basename(vsix).replace(/\./g, '\\.')}\\s+[\\d.]+ KiB`));
      assertShipsOnlyTheTask(readZipEntries(vsix).map((e) => e.name), 'tasks/AgentProbe/AgentProbeV1');
      assert.ok(fs.statSync(vsix).size < MAX_VSIX_BYTES);
    });

    it('refuses to package when tfx warns about a task.json', () => {
      const broken = path.join(scratch, 'broken-ext');
      fs.cpSync(root, broken, { recursive: true });
      const taskJsonPath = path.join(broken, 'tasks', 'AgentProbe', 'AgentProbeV1', 'task.json');
      const taskJson = JSON.parse(fs.readFileSync(taskJsonPath, 'utf8')) as Record<string, unknown>;
      taskJson['id'] = 'not-a-guid';
      fs.writeFileSync(taskJsonPath, JSON.stringify(taskJson));
      const out = path.join(scratch, 'broken-out');
      const run = runPackageScript(broken, out);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /^warning: .*id/m);
      assert.match(run.stderr, /Packaging failed: tfx reported \d+ warning\(s\)/);
      assert.deepEqual(fs.readdirSync(out).filter((f) => f.endsWith('.vsix')), [], 'the refused package is removed');
    });
  });

  describe('the extension itself', () => {
    /** The manifest's identity as the Marketplace reads it from the package. */
    function identityIn(vsix: string): { id: string; publisher: string } {
      const manifest = readZipEntry(vsix, 'extension.vsixmanifest').toString('utf8');
      const identity = /<Identity\b[^>]*>/.exec(manifest)?.[0] ?? '';
      return { id: /\bId="([^"]*)"/.exec(identity)?.[1] ?? '', publisher: /\bPublisher="([^"]*)"/.exec(identity)?.[1] ?? '' };
    }

    it('packages the AzureImageBuilder bundle, both tasks and the overview under 3 MB', () => {
      const out = path.join(scratch, 'real-out');
      const run = runPackageScript(repoRoot, out);
      assert.equal(run.status, 0, `npm run build must have bundled the task first.\n${run.stderr}${run.stdout}`);
      const vsix = vsixIn(out);
      assert.deepEqual(identityIn(vsix), { id: 'image-builder-tasks', publisher: 'image-builder-pipelines' });
      assertRealPackage(vsix);
    });

    it("packages under an organization's own publisher (environment) and id suffix (command line), the manifest file untouched", () => {
      const manifestBefore = fs.readFileSync(path.join(repoRoot, 'vss-extension.json'), 'utf8');
      const out = path.join(scratch, 'org-out');
      const run = runPackageScript(repoRoot, out, ['--id-suffix', '-dev'], { IMAGE_BUILDER_PUBLISHER: 'contoso-images' });
      assert.equal(run.status, 0, run.stderr + run.stdout);
      const vsix = vsixIn(out);
      const { version } = JSON.parse(manifestBefore) as { version: string };
      assert.equal(path.basename(vsix), `contoso-images.image-builder-tasks-dev-${version}.vsix`);
      assert.deepEqual(identityIn(vsix), { id: 'image-builder-tasks-dev', publisher: 'contoso-images' });
      assertRealPackage(vsix);
      assert.equal(fs.readFileSync(path.join(repoRoot, 'vss-extension.json'), 'utf8'), manifestBefore);
    });

    it('refuses a publisher or suffix the Marketplace would not accept, before running tfx', () => {
      assert.throws(() => identityArguments(repoRoot, { publisher: 'my org' }), /--publisher 'my org' is not a Marketplace publisher id/);
      assert.throws(() => identityArguments(repoRoot, { idSuffix: '/dev' }), /--id-suffix '\/dev' makes 'image-builder-tasks\/dev'/);
      assert.deepEqual(identityArguments(repoRoot, { publisher: 'myorg', idSuffix: '-dev' }), ['--publisher', 'myorg', '--extension-id', 'image-builder-tasks-dev']);
      assert.deepEqual(identityArguments(repoRoot, {}), []);
    });

    function assertRealPackage(vsix: string): void {
      const entries = readZipEntries(vsix).map((e) => e.name);
      assertShipsOnlyTheTask(entries, 'tasks/AzureImageBuilder/AzureImageBuilderV1');
      for (const file of ['task.json', 'icon.png']) {
        assert.ok(entries.includes(`tasks/AzureImageVersionCheck/AzureImageVersionCheckV1/${file}`), `version check ${file} missing`);
      }
      // Azure DevOps shows task.loc.json with the texts of the user's culture; the agent reads the same files for messages.
      for (const task of ['tasks/AzureImageBuilder/AzureImageBuilderV1', 'tasks/AzureImageVersionCheck/AzureImageVersionCheckV1']) {
        assert.ok(entries.includes(`${task}/task.loc.json`), `${task}/task.loc.json missing`);
        for (const culture of CULTURES) {
          const file = `${task}/Strings/resources.resjson/${culture}/resources.resjson`;
          assert.ok(entries.includes(file), `${file} missing from the vsix`);
        }
      }
      const zhCN = readZipEntries(vsix).find((e) => e.name === 'tasks/AzureImageBuilder/AzureImageBuilderV1/Strings/resources.resjson/zh-CN/resources.resjson');
      assert.ok(zhCN && zhCN.size > 10_000, 'the Chinese messages ship, not an empty file');
      const bundle = readZipEntries(vsix).find((e) => e.name === 'tasks/AzureImageBuilder/AzureImageBuilderV1/index.js');
      assert.ok(bundle && bundle.size > 10_000, 'the bundle holds the task, not a stub');
      // The build run is a lazily loaded bundle of its own (testkit/bundle.ts); without it a real run cannot start.
      const runBundle = readZipEntries(vsix).find((e) => e.name === 'tasks/AzureImageBuilder/AzureImageBuilderV1/runBuild.js');
      assert.ok(runBundle && runBundle.size > 100_000, 'the lazily loaded build-run bundle ships beside index.js');
      assert.ok(fs.statSync(vsix).size < MAX_VSIX_BYTES, `${fs.statSync(vsix).size} bytes`);
    }
  });
});
