import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readImportGraph } from '../architecture/importGraph';
import { repoRoot } from '../../testkit/repoRoot';
import { keysIn } from './messageKeys';

// ajv-draft-04 ships CommonJS with a default export; the schema is draft-04.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv4 = require('ajv-draft-04') as new (options: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
};

const SCHEMA_PATH = path.resolve(repoRoot, '..', 'shared', 'specs', 'azure-pipelines', 'tasks.schema.json');

/** tasks/<Name>/<Name>V<N>/ folders, as scripts/bundle.ts finds them. */
function taskFolders(): string[] {
  const root = path.join(repoRoot, 'tasks');
  return fs.readdirSync(root).flatMap((name) =>
    fs
      .readdirSync(path.join(root, name))
      .filter((version) => new RegExp(`^${name}V\\d+$`).test(version))
      .map((version) => path.join(root, name, version)),
  );
}

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The files of shared/ a set of files imports, directly or through other files. */
function reachableFrom(files: readonly string[]): string[] {
  const edges = readImportGraph(repoRoot, ['shared', 'tasks']);
  const seen = new Set<string>(files);
  const queue = [...files];
  while (queue.length > 0) {
    const at = queue.pop()!;
    for (const edge of edges) {
      if (edge.from === at && edge.to !== undefined && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return [...seen].filter((file) => /^shared\/(core|azure|edge)\//.test(file));
}

describe('every task.json of the extension', () => {
  const folders = taskFolders();
  const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object;
  const validate = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);

  it('finds the three tasks', () => {
    assert.deepEqual(folders.map((f) => path.basename(f)).sort(), ['AzureImageBuilderV1', 'AzureImageVersionCheckV1', 'AzureImageVersionPromoteV1']);
  });

  for (const folder of folders) {
    const name = path.basename(folder);
    const task = JSON.parse(fs.readFileSync(path.join(folder, 'task.json'), 'utf8')) as Record<string, unknown>;

    it(`${name}: validates against the published tasks.schema.json, has an icon and a unique id`, () => {
      // tasks.schema.json knows only agent handlers; an agentless task's HttpRequest is checked in test/gate.
      const execution = { ...((task['execution'] ?? {}) as Record<string, unknown>) };
      delete execution['HttpRequest'];
      const ok = validate({ ...task, execution });
      assert.ok(ok, JSON.stringify(validate.errors, null, 2));
      assert.ok(fs.existsSync(path.join(folder, 'icon.png')), 'icon.png');
      const ids = folders.map((f) => (JSON.parse(fs.readFileSync(path.join(f, 'task.json'), 'utf8')) as { id: string }).id);
      assert.equal(ids.filter((id) => id === task['id']).length, 1);
    });

    const sources = tsFiles(path.join(folder, 'src'));
    if (sources.length === 0) continue;
    it(`${name}: declares every message key its own code and the sign-in code use`, () => {
      const messages = (task['messages'] ?? {}) as Record<string, string>;
      // Its own code, and the shared modules it signs in and reports through (core, azure, edge) that its imports reach.
      const shared = reachableFrom(sources.map((file) => path.relative(repoRoot, file).split(path.sep).join('/'))).map((file) => path.join(repoRoot, file));
      const used = new Set([...sources, ...shared].flatMap((file) => keysIn(fs.readFileSync(file, 'utf8'))));
      const missing = [...used].filter((key) => !(key in messages));
      assert.deepEqual(missing, []);
    });
  }
});
