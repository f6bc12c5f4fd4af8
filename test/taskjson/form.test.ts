import * as assert from 'node:assert/strict';
import type { InputName } from '../../shared/config/inputNames';
import { base, ids, parse, type Inputs } from '../config/configFixtures';
import { readTaskJson, type TaskInput, type TaskJson } from './taskJsonFile';

/**
 * The classic editor's form against the parser. The editor validates
 * `required` only for inputs it shows, and the agent does not enforce
 * `required` at all, so the parser's rules are the truth; the form must never
 * hide an input while the parser requires it, and should mark it required
 * where the parser requires it whenever it is shown.
 */

type Values = ReadonlyMap<string, string>;

const CLAUSE = /^([A-Za-z][A-Za-z0-9]*)\s*(==|=|!=|NotContains|Contains)\s*(.*)$/;

function unquote(text: string): string {
  const trimmed = text.trim();
  return trimmed === '""' ? '' : trimmed;
}

interface Clause {
  input: string;
  operator: string;
  value: string;
}

export function parseRule(rule: string): { joiner: '&&' | '||'; clauses: Clause[] } {
  const joiner = rule.includes('||') ? '||' : '&&';
  const clauses = rule.split(joiner).map((text) => {
    const match = CLAUSE.exec(text.trim());
    if (!match) throw new Error(`cannot read clause '${text}' of '${rule}'`);
    return { input: match[1] as string, operator: match[2] as string, value: unquote(match[3] as string) };
  });
  return { joiner, clauses };
}

/** How the editor reads a rule: string comparison, ignoring case; Contains looks inside a comma separated multi-select value. */
export function isVisible(rule: string | undefined, values: Values): boolean {
  if (!rule) return true;
  const { joiner, clauses } = parseRule(rule);
  const results = clauses.map(({ input, operator, value }) => {
    const actual = (values.get(input) ?? '').toLowerCase();
    const expected = value.toLowerCase();
    switch (operator) {
      case '=':
      case '==':
        return actual === expected;
      case '!=':
        return actual !== expected;
      case 'Contains':
        return actual.includes(expected);
      default:
        return !actual.includes(expected);
    }
  });
  return joiner === '&&' ? results.every(Boolean) : results.some(Boolean);
}

/** When the parser requires an input (without a template file to take the source or distribution from). */
const REQUIRED_WHEN: { input: InputName; when: (v: Values) => boolean; satisfy: Inputs; unsatisfy: Inputs; reportedOn?: InputName }[] = [
  { input: 'azureSubscription', when: () => true, satisfy: {}, unsatisfy: {} },
  { input: 'resourceGroup', when: () => true, satisfy: {}, unsatisfy: {} },
  { input: 'location', when: () => true, satisfy: {}, unsatisfy: {} },
  { input: 'managedIdentity', when: () => true, satisfy: {}, unsatisfy: {} },
  { input: 'baseImage', when: (v) => v.get('sourceType') === 'platformImage', satisfy: { sourceType: 'platformImage' }, unsatisfy: { sourceType: 'managedImage', managedImageId: ids.managedImage } },
  { input: 'managedImageId', when: (v) => v.get('sourceType') === 'managedImage', satisfy: { sourceType: 'managedImage' }, unsatisfy: {} },
  { input: 'galleryImageVersionId', when: (v) => v.get('sourceType') === 'galleryImageVersion', satisfy: { sourceType: 'galleryImageVersion' }, unsatisfy: {} },
  { input: 'storageAccountName', when: (v) => v.get('packagePath') !== '', satisfy: { packagePath: 'drop/app' }, unsatisfy: {} },
  { input: 'imageIdForDistribute', when: (v) => (v.get('distributeType') ?? '').includes('managedImage'), satisfy: { distributeType: 'managedImage' }, unsatisfy: {} },
  { input: 'galleryImageId', when: (v) => (v.get('distributeType') ?? '').includes('sharedImageGallery'), satisfy: { distributeType: 'sharedImageGallery' }, unsatisfy: { distributeType: 'vhd' } },
  // Not "required", but only meaningful together: the parser rejects the first without the second.
  { input: 'runElevated', when: (v) => v.get('provisioner') === 'powershell' && v.get('runAsSystem') === 'true', satisfy: { provisioner: 'powershell', runAsSystem: 'true' }, unsatisfy: { provisioner: 'powershell' }, reportedOn: 'runAsSystem' },
  { input: 'vnetSubnetId', when: (v) => v.get('containerInstanceSubnetId') !== '' || v.get('proxyVmSize') !== '', satisfy: { containerInstanceSubnetId: ids.aciSubnet }, unsatisfy: {}, reportedOn: 'containerInstanceSubnetId' },
  { input: 'preflight', when: (v) => v.get('preflightOnly') === 'true', satisfy: { preflightOnly: 'true' }, unsatisfy: {}, reportedOn: 'preflightOnly' },
];

/** Values an input can take for the purpose of visibility: its options, true/false, or empty and set. */
function domain(input: TaskInput): string[] {
  if (input.type === 'boolean') return ['false', 'true'];
  if (input.options && input.properties?.['MultiSelectFlatList'] === 'True') {
    const keys = Object.keys(input.options);
    const subsets: string[] = [];
    for (let mask = 1; mask < 1 << keys.length; mask++) subsets.push(keys.filter((_, i) => mask & (1 << i)).join(','));
    return subsets;
  }
  if (input.options && (input.type === 'pickList' || input.type === 'radio')) return Object.keys(input.options);
  return ['', 'set'];
}

/** Every combination of values of the given inputs. */
function* assignments(inputs: TaskInput[], fixed: Map<string, string> = new Map()): Generator<Map<string, string>> {
  const [first, ...rest] = inputs;
  if (!first) {
    yield fixed;
    return;
  }
  for (const value of domain(first)) yield* assignments(rest, new Map([...fixed, [first.name, value]]));
}

/** What a required input means for the false-or-empty value the parser tests against: an unticked box or an empty field. */
function emptyValueOf(input: InputName): Inputs {
  return input === 'runElevated' || input === 'preflight' ? { [input]: 'false' } : { [input]: '' };
}

describe('classic editor form of AzureImageBuilder@1 against the parser', () => {
  let task: TaskJson;
  let byName: Map<string, TaskInput>;
  let controlling: TaskInput[];
  before(() => {
    task = readTaskJson();
    byName = new Map(task.inputs.map((i) => [i.name, i]));
    const names = new Set<string>(['distributeType', 'sourceType', 'packagePath', 'runAsSystem', 'containerInstanceSubnetId', 'proxyVmSize', 'preflightOnly']);
    for (const input of task.inputs) if (input.visibleRule) for (const c of parseRule(input.visibleRule).clauses) names.add(c.input);
    controlling = [...names].map((n) => byName.get(n) as TaskInput);
  });

  it('reads rules as the editor does (the evaluator itself)', () => {
    const v = new Map([['a', 'x'], ['b', ''], ['m', 'managedImage,vhd']]);
    assert.equal(isVisible('a = x && b != ""', v), false);
    assert.equal(isVisible('a = x || b != ""', v), true);
    assert.equal(isVisible('b = ""', v), true);
    assert.equal(isVisible('m Contains vhd', v), true);
    assert.equal(isVisible('m NotContains sharedImageGallery', v), true);
    assert.equal(isVisible(undefined, v), true);
  });

  it('compares pickList and boolean inputs only with values they can take', () => {
    const wrong: string[] = [];
    for (const input of task.inputs) {
      if (!input.visibleRule) continue;
      for (const { input: name, value } of parseRule(input.visibleRule).clauses) {
        const target = byName.get(name);
        if (!target) wrong.push(`${input.name}: no input ${name}`);
        else if (target.type === 'boolean' && !['true', 'false'].includes(value)) wrong.push(`${input.name}: ${name} is boolean, not '${value}'`);
        else if (target.options && !(value in target.options)) wrong.push(`${input.name}: ${name} has no option '${value}'`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('rules out inputs that do not apply: artifacts, Windows switches, validation settings, network and preflight', () => {
    const expectHidden: [string, Record<string, string>][] = [
      ['storageAccountName', { packagePath: '' }],
      ['storageContainer', { packagePath: '' }],
      ['artifactAccess', { packagePath: '' }],
      ['artifactDestination', { packagePath: '' }],
      ['scriptPath', { packagePath: '' }],
      ['removeArtifacts', { packagePath: '' }],
      ['runElevated', { provisioner: 'shell' }],
      ['runAsSystem', { provisioner: 'powershell', runElevated: 'false' }],
      ['windowsRestart', { provisioner: 'shell' }],
      ['windowsUpdateProvisioner', { provisioner: 'shell' }],
      ['onValidationError', { validationInlineScript: '' }],
      ['continueDistributeOnFailure', { validationInlineScript: '' }],
      ['sourceValidationOnly', { validationInlineScript: '' }],
      ['proxyVmSize', { vnetSubnetId: '' }],
      ['containerInstanceSubnetId', { vnetSubnetId: '' }],
      ['preflightOnly', { preflight: 'false' }],
      ['baseImage', { sourceType: 'managedImage' }],
      ['galleryImageId', { distributeType: 'vhd' }],
    ];
    for (const [name, values] of expectHidden) {
      assert.equal(isVisible(byName.get(name)?.visibleRule, new Map(Object.entries(values))), false, `${name} shown with ${JSON.stringify(values)}`);
    }
  });

  it('asks for the operating system first in the source group, and keys every Windows-only input on it', () => {
    const source = task.inputs.filter((i) => i.groupName === 'source');
    assert.equal(source[0]?.name, 'provisioner');
    for (const name of ['runElevated', 'runAsSystem', 'windowsRestart', 'windowsUpdateProvisioner']) {
      assert.match(byName.get(name)?.visibleRule ?? '', /provisioner = powershell/, name);
    }
  });

  it('each requirement in the table is the parser\'s: missing under its condition is a problem of that input, otherwise not', () => {
    for (const { input, satisfy, unsatisfy, reportedOn = input } of REQUIRED_WHEN) {
      const missing = parse({ ...base, ...satisfy, ...emptyValueOf(input) });
      assert.ok(!missing.ok && missing.problems.some((p) => p.input === reportedOn), `${input} missing under ${JSON.stringify(satisfy)} should be a problem`);
      if (Object.keys(satisfy).length === 0) continue;
      const unneeded = parse({ ...base, ...unsatisfy, ...emptyValueOf(input) });
      assert.ok(unneeded.ok || !unneeded.problems.some((p) => p.input === reportedOn), `${input} is not needed under ${JSON.stringify(unsatisfy)}`);
    }
  });

  it('never hides an input while the parser requires it', () => {
    const hidden: string[] = [];
    for (const values of assignments(controlling)) {
      for (const { input, when } of REQUIRED_WHEN) {
        if (!when(values)) continue;
        const field = byName.get(input) as TaskInput;
        const group = task.groups.find((g) => g.name === field.groupName);
        if (!isVisible(field.visibleRule, values) || !isVisible(group?.visibleRule, values)) {
          hidden.push(`${input} hidden with ${JSON.stringify(Object.fromEntries(values))}`);
        }
      }
      if (hidden.length > 5) break;
    }
    assert.deepEqual(hidden, []);
  });

  it('marks an input required exactly when the parser requires it whenever the form shows it', () => {
    const textRequirements = REQUIRED_WHEN.filter(({ input }) => !['runElevated', 'preflight', 'vnetSubnetId'].includes(input));
    const wrong: string[] = [];
    for (const { input, when } of textRequirements) {
      const field = byName.get(input) as TaskInput;
      let requiredWheneverShown = true;
      for (const values of assignments(controlling)) {
        if (isVisible(field.visibleRule, values) && !when(values)) requiredWheneverShown = false;
      }
      if (requiredWheneverShown !== (field.required === true)) wrong.push(`${input}: required should be ${requiredWheneverShown}`);
    }
    const requiredInForm = task.inputs.filter((i) => i.required === true).map((i) => i.name);
    for (const name of requiredInForm) {
      if (!textRequirements.some((r) => r.input === name)) wrong.push(`${name} is required in the form but not by the parser`);
    }
    assert.deepEqual(wrong, []);
  });
});
