import * as assert from 'node:assert/strict';
import { repoRoot } from '../../testkit/repoRoot';
import {
  importCycles,
  importsOf,
  misplacedPackageImports,
  productImportsOfTooling,
  readImportGraph,
  upwardImports,
  type ImportEdge,
} from './importGraph';

/** A relative edge of a fake graph. */
function edge(from: string, to: string, specifier = `./${to.split('/').pop()!.replace(/\.ts$/, '')}`): ImportEdge {
  return { from, to, specifier, typeOnly: false };
}

describe('the import graph of shared/', function () {
  const edges = readImportGraph(repoRoot, ['shared', 'tasks']);

  it('reads the graph (it is not empty, and it sees imports between layers)', function () {
    assert.ok(edges.length > 300, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.from.startsWith('shared/run/') && e.to?.startsWith('shared/core/')));
  });

  it('only points down: a module imports its own folder or a lower layer', function () {
    assert.deepEqual(upwardImports(edges), []);
  });

  it('has no import cycle between files', function () {
    assert.deepEqual(importCycles(edges), []);
  });

  it('keeps task-lib in shared/edge and the Azure SDK in shared/azure', function () {
    assert.deepEqual(misplacedPackageImports(edges), []);
    assert.ok(edges.some((e) => e.from.startsWith('shared/edge/') && e.specifier.startsWith('azure-pipelines-task-lib')));
    assert.ok(edges.some((e) => e.from.startsWith('shared/azure/') && e.specifier.startsWith('@azure/')));
  });

  it('never imports test/ or scripts/ from shared/ or tasks/', function () {
    assert.deepEqual(productImportsOfTooling(edges), []);
  });
});

describe('the import graph checker', function () {
  it('reads every form of import, and which are type-only', function () {
    const found = importsOf(
      'x.ts',
      [
        "import a from './a';",
        "import type { B } from './b';",
        "import { type C } from './c';",
        "export { d } from './d';",
        "export type { E } from './e';",
        "const f = require('./f');",
        "async function g() { return import('./g'); }",
        "let h: import('./h').H;",
        "import i = require('./i');",
      ].join('\n'),
    );
    assert.deepEqual(found, [
      { specifier: './a', typeOnly: false },
      { specifier: './b', typeOnly: true },
      { specifier: './c', typeOnly: true },
      { specifier: './d', typeOnly: false },
      { specifier: './e', typeOnly: true },
      { specifier: './f', typeOnly: false },
      { specifier: './g', typeOnly: false },
      { specifier: './h', typeOnly: true },
      { specifier: './i', typeOnly: false },
    ]);
  });

  it('names an upward arrow, a sideways one between peers and a folder without a layer', function () {
    const fake = [
      edge('shared/core/a.ts', 'shared/run/b.ts', '../run/b'),
      edge('shared/report/c.ts', 'shared/watch/d.ts', '../watch/d'),
      edge('shared/run/e.ts', 'shared/core/a.ts', '../core/a'),
      edge('shared/misc/f.ts', 'shared/core/a.ts', '../core/a'),
    ];
    assert.deepEqual(upwardImports(fake), [
      "shared/core/a.ts imports '../run/b' (run, rank 6) from core (rank 0)",
      "shared/report/c.ts imports '../watch/d' (watch, rank 3) from report (rank 3)",
      'shared/misc/f.ts: folder shared/misc has no layer',
    ]);
  });

  it('names a cycle with the imports that close it', function () {
    const fake = [
      edge('shared/run/a.ts', 'shared/run/b.ts'),
      edge('shared/run/b.ts', 'shared/run/c.ts'),
      edge('shared/run/c.ts', 'shared/run/a.ts'),
      edge('shared/run/c.ts', 'shared/core/d.ts', '../core/d'),
    ];
    assert.deepEqual(importCycles(fake), [
      "cycle: shared/run/a.ts -> './b' (shared/run/b.ts) -> './c' (shared/run/c.ts) -> './a' (shared/run/a.ts)",
    ]);
    assert.deepEqual(importCycles(fake.slice(0, 2)), []);
  });

  it('names task-lib or SDK imports outside their folder, type-only ones too, and imports of test/', function () {
    const fake: ImportEdge[] = [
      { from: 'shared/run/a.ts', specifier: 'azure-pipelines-task-lib/task', typeOnly: false },
      { from: 'shared/watch/b.ts', specifier: '@azure/storage-blob', typeOnly: true },
      { from: 'shared/azure/c.ts', specifier: '@azure/storage-blob', typeOnly: false },
      { from: 'shared/edge/d.ts', specifier: 'azure-pipelines-task-lib/task', typeOnly: false },
      edge('tasks/T/src/index.ts', 'test/support/x.ts', '../../../test/support/x'),
    ];
    assert.deepEqual(misplacedPackageImports(fake), [
      "shared/run/a.ts imports 'azure-pipelines-task-lib/task': only shared/edge talks to the agent",
      "shared/watch/b.ts imports '@azure/storage-blob' (type only): only shared/azure uses the Azure SDK",
    ]);
    assert.deepEqual(productImportsOfTooling(fake), ["tasks/T/src/index.ts imports '../../../test/support/x' (test/support/x.ts)"]);
  });
});
