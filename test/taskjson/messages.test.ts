import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../testkit/repoRoot';
import { readTaskJson } from './taskJsonFile';
import { keysIn } from './messageKeys';

/**
 * Message keys that may stay in task.json without a reference in the code.
 * Keep it empty: a key nobody uses is a text nobody maintains. (Add a key
 * here only with a comment saying which module is about to use it.)
 */
const UNREFERENCED_ALLOWED: readonly string[] = [];

/** The folders whose code runs inside AzureImageBuilder@1. */
const SOURCE_ROOTS = ['shared', path.join('tasks', 'AzureImageBuilder')];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}


/** Key -> files using it. */
function referencedKeys(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const root of SOURCE_ROOTS) {
    for (const file of sourceFiles(path.join(repoRoot, root))) {
      for (const key of keysIn(fs.readFileSync(file, 'utf8'))) {
        found.set(key, [...(found.get(key) ?? []), path.relative(repoRoot, file)]);
      }
    }
  }
  return found;
}

/** Every PascalCase string literal in the task's code: the widest net for a key named in any other way (tables, unions, helpers). */
function quotedKeys(): Set<string> {
  const found = new Set<string>();
  for (const root of SOURCE_ROOTS) {
    for (const file of sourceFiles(path.join(repoRoot, root))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/['"`]([A-Z][A-Za-z0-9]*)['"`]/g)) found.add(m[1] as string);
    }
  }
  return found;
}

describe('task.json messages', () => {
  const messages = readTaskJson().messages;

  it('finds keys in each way the code names them', () => {
    assert.deepEqual(
      keysIn(`host.loc('A1', x); new LocalizedError("B2", []); issue('C3'); { key: 'D4', messageKey: 'E5' }; loc('not a key')`),
      ['A1', 'B2', 'C3', 'D4', 'E5'],
    );
  });

  it('declares every message key the code uses', () => {
    const missing = [...referencedKeys()].filter(([key]) => !(key in messages)).map(([key, files]) => `${key} (${files.join(', ')})`);
    assert.deepEqual(missing, []);
  });

  it('has no message that nothing uses', () => {
    const used = new Set([...referencedKeys().keys(), ...quotedKeys()]);
    const unused = Object.keys(messages).filter((key) => !used.has(key) && !UNREFERENCED_ALLOWED.includes(key));
    assert.deepEqual(unused, []);
  });

  it('names the input first in every config problem message', () => {
    const configKeys = new Set<string>();
    for (const file of sourceFiles(path.join(repoRoot, 'shared', 'config'))) {
      for (const key of keysIn(fs.readFileSync(file, 'utf8'))) configKeys.add(key);
    }
    assert.ok(configKeys.size > 30);
    for (const key of configKeys) {
      const text = messages[key] ?? '';
      assert.match(text, /^Input '%s'/, key);
    }
  });

  it('uses only util.format placeholders, never PowerShell-style {0}', () => {
    for (const [key, text] of Object.entries(messages)) {
      assert.doesNotMatch(text, /\{\d+\}/, key);
      assert.ok(text.trim().length > 0, key);
    }
  });
});
