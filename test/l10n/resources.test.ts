/**
 * The localization files of every task: task.loc.json and en-US are what
 * task.json generates, every culture has exactly the keys of en-US, and no
 * translation loses, adds or reorders a placeholder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CULTURES,
  SOURCE_CULTURE,
  checkTask,
  englishResources,
  findTaskFolders,
  formatProblem,
  generatedFiles,
  localizeTaskJson,
  placeholderProblem,
  readResjson,
  resjsonPath,
  taskLocJsonPath,
} from '../../testkit/localize';
import { repoRoot } from '../../testkit/repoRoot';

const tasks = findTaskFolders();

/** Every string value of a JSON document, with its path. */
function strings(value: unknown, at = '$'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

describe('localization files', () => {
  it('covers every task of the extension', () => {
    assert.deepEqual(
      tasks.map((t) => t.label),
      ['AzureImageBuilderV1', 'AzureImageVersionCheckV1', 'AzureImageVersionPromoteV1'],
    );
  });

  for (const task of tasks) {
    describe(task.label, () => {
      it('task.loc.json and en-US are what task.json generates (node build/scripts/localize.js)', () => {
        for (const [file, expected] of generatedFiles(task.folder)) {
          const rel = path.relative(repoRoot, file);
          assert.ok(fs.existsSync(file), `${rel} is missing: run node build/scripts/localize.js`);
          assert.equal(fs.readFileSync(file, 'utf8'), expected, `${rel} is stale: run node build/scripts/localize.js`);
        }
      });

      it('task.loc.json names a resource for every UI text, and each one exists in en-US', () => {
        const taskLoc = JSON.parse(fs.readFileSync(taskLocJsonPath(task.folder), 'utf8')) as Record<string, any>;
        const taskJson = JSON.parse(fs.readFileSync(path.join(task.folder, 'task.json'), 'utf8')) as Record<string, any>;
        const english = readResjson(resjsonPath(task.folder, SOURCE_CULTURE));
        for (const field of ['friendlyName', 'description', 'helpMarkDown', 'instanceNameFormat']) {
          assert.equal(taskLoc[field], `ms-resource:loc.${field}`);
        }
        for (const input of taskLoc['inputs'] as Record<string, any>[]) {
          assert.equal(input['label'], `ms-resource:loc.input.label.${input['name']}`);
          assert.equal(input['helpMarkDown'], `ms-resource:loc.input.help.${input['name']}`);
          // Option display names stay as task.json writes them (see scripts/localize.ts).
          const english = (taskJson['inputs'] as Record<string, any>[]).find((i) => i['name'] === input['name']);
          assert.deepEqual(input['options'], english?.['options']);
        }
        for (const group of (taskLoc['groups'] ?? []) as Record<string, any>[]) {
          assert.equal(group['displayName'], `ms-resource:loc.group.displayName.${group['name']}`);
        }
        const references = strings(taskLoc).filter(([, v]) => v.startsWith('ms-resource:'));
        assert.ok(references.length > 5);
        for (const [at, reference] of references) {
          assert.ok(reference.slice('ms-resource:'.length) in english, `${at}: ${reference} has no en-US text`);
        }
        // Everything else is the same task.json: ids, names, types, rules, defaults.
        assert.deepEqual(taskLoc['id'], taskJson['id']);
        assert.deepEqual(taskLoc['version'], taskJson['version']);
        assert.deepEqual(taskLoc['execution'], taskJson['execution']);
        assert.deepEqual(
          (taskLoc['inputs'] as Record<string, any>[]).map((i) => [i['name'], i['type'], i['defaultValue'], i['visibleRule'], Object.keys(i['options'] ?? {})]),
          (taskJson['inputs'] as Record<string, any>[]).map((i) => [i['name'], i['type'], i['defaultValue'], i['visibleRule'], Object.keys(i['options'] ?? {})]),
        );
      });

      for (const culture of CULTURES.filter((c) => c !== SOURCE_CULTURE)) {
        it(`${culture}: a translation of every key, and no other key`, () => {
          const file = resjsonPath(task.folder, culture);
          assert.ok(fs.existsSync(file), `${path.relative(repoRoot, file)} is missing`);
          const english = Object.keys(englishResources(task.folder));
          const translated = Object.keys(readResjson(file));
          const missing = english.filter((k) => !translated.includes(k));
          const extra = translated.filter((k) => !english.includes(k));
          assert.deepEqual(
            { missing, extra },
            { missing: [], extra: [] },
            `${path.relative(repoRoot, file)}: node build/scripts/localize.js --todo lists the missing keys with their English text`,
          );
        });

        it(`${culture}: each translation keeps the placeholders, code and names of its English text`, () => {
          const english = englishResources(task.folder);
          const translated = readResjson(resjsonPath(task.folder, culture));
          const problems = Object.entries(translated)
            .filter(([key]) => key in english)
            .map(([key, text]) => [key, placeholderProblem(english[key]!, text)] as const)
            .filter(([, problem]) => problem !== undefined)
            .map(([key, problem]) => `${key}: ${problem}`);
          assert.deepEqual(problems, []);
        });

        it(`${culture}: is a translation, not a copy of the English texts`, () => {
          const english = englishResources(task.folder);
          const translated = readResjson(resjsonPath(task.folder, culture));
          const long = Object.keys(english).filter((k) => english[k]!.length > 40);
          const copied = long.filter((k) => translated[k] === english[k]);
          assert.ok(copied.length <= long.length / 20, `${copied.length} of ${long.length} long texts are left in English: ${copied.join(', ')}`);
        });
      }

      it('the script check agrees: no problem at all', () => {
        assert.deepEqual(checkTask(task).map(formatProblem), []);
      });
    });
  }
});

describe('the placeholder check', () => {
  const english = "Input '%s': expected %d to %d `az provider show` in $(Build.SourcesDirectory), see https://aka.ms/x for sourceType {0}.";
  const good = "Eingabe '%s': %d bis %d erwartet, `az provider show` in $(Build.SourcesDirectory), siehe https://aka.ms/x für sourceType {0}.";

  it('accepts a translation that keeps everything', () => {
    assert.equal(placeholderProblem(english, good), undefined);
  });

  it('refuses a dropped, an added or a reordered printf placeholder', () => {
    assert.match(placeholderProblem(english, good.replace('%d bis ', 'bis '))!, /%s %d %d expected in this order, found %s %d/);
    assert.match(placeholderProblem(english, `${good} %s`)!, /found %s %d %d %s/);
    assert.match(placeholderProblem('%s in %d', '%d: %s')!, /in this order/);
  });

  it('refuses translated code, macros, URLs, input names and .NET placeholders', () => {
    assert.match(placeholderProblem(english, good.replace('`az provider show`', '`az Anbieter zeigen`'))!, /`az provider show`/);
    assert.match(placeholderProblem(english, good.replace('$(Build.SourcesDirectory)', 'dem Quellordner'))!, /Build\.SourcesDirectory/);
    assert.match(placeholderProblem(english, good.replace('https://aka.ms/x', 'aka.ms'))!, /https:\/\/aka\.ms\/x/);
    assert.match(placeholderProblem(english, good.replace('sourceType', 'Quelltyp'))!, /sourceType/);
    assert.match(placeholderProblem(english, good.replace('{0}', '{1}'))!, /\{0\}/);
    assert.match(placeholderProblem('Name', '`Name`')!, /adds "`Name`"/);
  });

  it('keys labels, help and messages as ms-resource references and leaves pick list display names as written', () => {
    const { resources, taskLoc } = localizeTaskJson({
      friendlyName: 'F',
      inputs: [{ name: 'kind', label: 'Kind', helpMarkDown: 'Help', options: { a: 'Apple', b: 'Banana' } }],
      messages: { Hello: 'Hello %s' },
    });
    assert.deepEqual(resources, {
      'loc.friendlyName': 'F',
      'loc.input.label.kind': 'Kind',
      'loc.input.help.kind': 'Help',
      'loc.messages.Hello': 'Hello %s',
    });
    assert.deepEqual((taskLoc['inputs'] as any)[0].options, { a: 'Apple', b: 'Banana' });
    assert.deepEqual(taskLoc['messages'], { Hello: 'ms-resource:loc.messages.Hello' });
  });
});
