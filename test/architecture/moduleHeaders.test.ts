import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';

/** Every .ts file under a folder, repository-relative. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** True when the text opens with a comment that has words in it (not a bare marker or directive). */
function startsWithPurpose(text: string): boolean {
  const block = /^\/\*\*?([\s\S]*?)\*\//.exec(text);
  const lines = /^(?:\/\/[^\n]*\n?)+/.exec(text);
  const comment = block?.[1] ?? lines?.[0]?.replace(/^\/\/\s?/gm, '') ?? '';
  const words = comment.replace(/^\s*\*/gm, '').match(/[A-Za-z]{2,}/g) ?? [];
  return words.length >= 3 && !/^\s*(eslint|@ts-|istanbul)/.test(comment.replace(/^\s*\*/gm, ''));
}

describe('modules of shared/', function () {
  it('each start with a comment saying what the module is for', function () {
    const missing = sourceFiles('shared').filter((file) => !startsWithPurpose(fs.readFileSync(path.join(repoRoot, file), 'utf8')));
    assert.deepEqual(missing, []);
  });

  it('tells a purpose comment from an import, a directive or nothing', function () {
    assert.equal(startsWithPurpose('/** Reads the inputs into one config. */\nexport {};'), true);
    assert.equal(startsWithPurpose('// Reads the inputs into one config.\nexport {};'), true);
    assert.equal(startsWithPurpose("import * as fs from 'node:fs';\n/** Reads the inputs. */"), false);
    assert.equal(startsWithPurpose('/* eslint-disable no-console */\nexport {};'), false);
    assert.equal(startsWithPurpose(''), false);
  });
});
