import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';

/** Top-level folders of TypeScript sources. */
const AREAS = ['shared', 'tasks', 'test', 'testkit', 'scripts', 'bench'] as const;
type Area = (typeof AREAS)[number];

/** Which areas each area may import from (besides itself and node_modules). */
const ALLOWED: Record<Area, readonly Area[]> = {
  // The task and its library never load tooling: what ships is what runs.
  shared: [],
  tasks: ['shared'],
  // Tooling serves tests, `npm start`, `npm run bench` and the build; it knows no test.
  testkit: ['shared', 'tasks'],
  scripts: ['shared', 'tasks', 'testkit'],
  bench: ['shared', 'tasks', 'testkit'],
  // Tests use tooling, never the command-line scripts (they run them as processes if at all).
  test: ['shared', 'tasks', 'testkit'],
};

function sourcesOf(dir: string): string[] {
  const found: string[] = [];
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && path.relative(repoRoot, full) !== path.join('bench', 'work')) found.push(...sourcesOf(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      found.push(full);
    }
  }
  return found;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]*)['"]/gm;

/** Relative imports of a source file, as the areas they land in. */
function importedAreas(file: string): Array<{ specifier: string; area: string }> {
  // Comments may show imports as examples; only code counts.
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(SPECIFIER)].map((m) => {
    const target = path.relative(repoRoot, path.resolve(path.dirname(file), m[1]!));
    return { specifier: m[1]!, area: target.split(path.sep)[0]! };
  });
}

describe('tooling boundaries: production code, tooling, scripts and tests import only what they may', () => {
  const files = AREAS.flatMap((area) => sourcesOf(path.join(repoRoot, area)).map((file) => ({ area, file })));

  it('finds the sources of every area, the tooling in testkit among them', () => {
    for (const area of AREAS) assert.ok(files.some((f) => f.area === area), `sources under ${area}/`);
    assert.ok(fs.existsSync(path.join(repoRoot, 'testkit', 'emulators', 'localAzure.ts')), 'the stand-ins live in testkit/emulators');
    assert.ok(fs.existsSync(path.join(repoRoot, 'testkit', 'agent', 'runTaskLikeAgent.ts')), 'the agent stand-in lives in testkit/agent');
  });

  for (const area of AREAS) {
    it(`${area}/ imports only from ${[area, ...ALLOWED[area]].join(', ')}`, () => {
      const wrong: string[] = [];
      for (const { file } of files.filter((f) => f.area === area)) {
        for (const { specifier, area: target } of importedAreas(file)) {
          if (target !== area && !(ALLOWED[area] as readonly string[]).includes(target)) wrong.push(`${path.relative(repoRoot, file)} imports ${specifier}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('catches an import that crosses a boundary', () => {
    const probe = path.join(repoRoot, 'shared', 'probe.ts');
    const text = "import { startLocalAzure } from '../testkit/emulators/localAzure';\n";
    const found = [...text.matchAll(SPECIFIER)].map((m) => path.relative(repoRoot, path.resolve(path.dirname(probe), m[1]!)).split(path.sep)[0]);
    assert.deepEqual(found, ['testkit']);
    assert.ok(!(ALLOWED.shared as readonly string[]).includes('testkit'));
  });
});
