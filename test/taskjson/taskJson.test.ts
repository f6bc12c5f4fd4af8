import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INPUT_DEFAULTS } from '../../shared/config/defaults';
import { INPUT_NAMES } from '../../shared/config/inputNames';
import { isRegionName, normalizeRegion } from '../../shared/config/regions';
import { repoRoot } from '../../testkit/repoRoot';
import { readTaskJson, type TaskJson } from './taskJsonFile';

// ajv-draft-04 ships CommonJS with a default export; the schema is draft-04 (see toolchain notes §6).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv4 = require('ajv-draft-04') as new (options: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
};

const SCHEMA_PATH = path.resolve(repoRoot, '..', 'shared', 'specs', 'azure-pipelines', 'tasks.schema.json');

/** v1 (AzureImageBuilderTask@1) input name -> this task's input that must accept it. */
const V1_NAMES: Record<string, string> = {
  ibSubscription: 'azureSubscription',
  ibAzureResourceGroup: 'resourceGroup',
  ibLocation: 'location',
  managedIdentity: 'managedIdentity',
  vnetSubnetId: 'vnetSubnetId',
  imageSource: 'sourceType',
  baseImage: 'baseImage',
  baseImagePubOfferSku: 'baseImage',
  baseImageVersion: 'baseImageVersion',
  platformImagePurchasePlan: 'planInfo',
  customImageResourceId: 'managedImageId',
  imageVersionId: 'galleryImageVersionId',
  provisioner: 'provisioner',
  windowsUpdateProvisioner: 'windowsUpdateProvisioner',
  runElevated: 'runElevated',
  runAsSystem: 'runAsSystem',
  packagePath: 'packagePath',
  inlineScript: 'inlineScript',
  storageAccountName: 'storageAccountName',
  distributeType: 'distributeType',
  imageIdForDistribute: 'imageIdForDistribute',
  managedImageLocation: 'managedImageLocation',
  galleryImageId: 'galleryImageId',
  replicationRegions: 'replicationRegions',
  vmSize: 'vmSize',
  buildTimeoutInMinutes: 'buildTimeoutInMinutes',
};

const OUTPUTS = [
  'imageUri',
  'managedImageId',
  'galleryImageVersionId',
  'galleryImageVersion',
  'vhdUri',
  'templateName',
  'templateId',
  'stagingResourceGroup',
  'runState',
  'pirPublisher',
  'pirOffer',
  'pirSku',
  'pirVersion',
  'buildFingerprint',
  'buildSkipped',
  'sourceImageVersionId',
];

/** Operators of the classic editor's visibleRule grammar. */
const RULE_CLAUSE = /^([A-Za-z][A-Za-z0-9]*)\s*(==|=|!=|<=|>=|<|>|NotContains|Contains|NotStartsWith|StartsWith|NotEndsWith|EndsWith)\s*(.*)$/;

/** Problems with one visibleRule: mixed or missing joiners, parentheses, unknown inputs. */
function ruleProblems(rule: string, inputNames: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (/[()]/.test(rule)) problems.push(`parentheses in '${rule}'`);
  if (rule.includes('&&') && rule.includes('||')) problems.push(`mixes && and || in '${rule}'`);
  for (const clause of rule.split(/&&|\|\|/).map((c) => c.trim())) {
    const match = RULE_CLAUSE.exec(clause);
    if (!match) problems.push(`clause '${clause}' is not <input> <operator> <value>`);
    else if (!inputNames.has(match[1] ?? '')) problems.push(`clause '${clause}' names no input`);
  }
  return problems;
}

describe('task.json of AzureImageBuilder@1', () => {
  let task: TaskJson;
  before(() => {
    task = readTaskJson();
  });

  it('validates against the published tasks.schema.json (draft-04)', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object;
    const validate = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    const valid = validate(task);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema check is able to reject a broken task.json', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object;
    const validate = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    assert.equal(validate({ ...task, execution: { Node20: { target: 'index.js' } } }), false);
  });

  it("meets tfx's rules: GUID id, name pattern, friendlyName of 40 characters or fewer, instanceNameFormat", () => {
    assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    assert.match(task.name, /^[A-Za-z0-9-]+$/);
    assert.equal(task.name, 'AzureImageBuilder');
    assert.ok(task.friendlyName.length >= 1 && task.friendlyName.length <= 40, task.friendlyName);
    assert.ok(task.instanceNameFormat.trim().length > 0);
  });

  it('has every top-level field the agent and the Marketplace need (the schema requires none)', () => {
    for (const field of ['id', 'name', 'friendlyName', 'description', 'author', 'category', 'version', 'instanceNameFormat', 'inputs', 'execution', 'messages', 'minimumAgentVersion']) {
      assert.ok(task[field] !== undefined && task[field] !== '', `missing ${field}`);
    }
    assert.equal(task.category, 'Deploy');
    assert.deepEqual(task.version, { Major: 1, Minor: 0, Patch: 0 });
  });

  it('runs index.js on both Node 20 and Node 24 from agent 4.248.0 on', () => {
    assert.deepEqual(Object.keys(task.execution).sort(), ['Node20_1', 'Node24']);
    for (const handler of Object.values(task.execution)) assert.equal(handler.target, 'index.js');
    assert.equal(task.minimumAgentVersion, '4.248.0');
  });

  it('declares exactly the contract input names', () => {
    assert.deepEqual(task.inputs.map((i) => i.name).sort(), [...INPUT_NAMES].sort());
  });

  it('gives every input a label, help and a declared group, and uses every group', () => {
    const groups = new Set(task.groups.map((g) => g.name));
    assert.deepEqual([...groups], ['connection', 'source', 'customize', 'validate', 'distribute', 'buildVm', 'advanced']);
    for (const input of task.inputs) {
      assert.ok(input.label?.trim(), `${input.name} has no label`);
      assert.ok(input.helpMarkDown?.trim(), `${input.name} has no helpMarkDown`);
      assert.ok(input.groupName !== undefined && groups.has(input.groupName), `${input.name} is in unknown group ${input.groupName}`);
    }
    for (const group of groups) assert.ok(task.inputs.some((i) => i.groupName === group), `group ${group} is empty`);
  });

  it('writes visibleRules the classic editor accepts', () => {
    const names = new Set(task.inputs.map((i) => i.name));
    const rules = [...task.inputs, ...task.groups].flatMap((x) => (x.visibleRule ? [x.visibleRule] : []));
    assert.ok(rules.length > 0);
    assert.deepEqual(rules.flatMap((rule) => ruleProblems(rule, names)), []);
  });

  it('the visibleRule check rejects mixed joiners, parentheses and unknown inputs', () => {
    const names = new Set(['a', 'b']);
    assert.equal(ruleProblems('a = 1 && b = 2 || a = 3', names).length, 1);
    assert.equal(ruleProblems('(a = 1)', names).length > 0, true);
    assert.equal(ruleProblems('c = 1', names).length, 1);
    assert.deepEqual(ruleProblems('a = 1 || b Contains x', names), []);
  });

  it('accepts every v1 input name, as the name itself or as an alias of the right input', () => {
    for (const [v1, ours] of Object.entries(V1_NAMES)) {
      const input = task.inputs.find((i) => i.name === ours);
      assert.ok(input, `no input ${ours}`);
      assert.ok(input.name === v1 || (input.aliases ?? []).includes(v1), `${v1} is not accepted by ${ours}`);
    }
  });

  it('has no alias that collides with another name or alias', () => {
    const all = task.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])].map((n) => n.toLowerCase()));
    assert.equal(new Set(all).size, all.length);
  });

  it('declares the same defaults as the parser', () => {
    const fromTask = Object.fromEntries(
      task.inputs.filter((i) => i.defaultValue !== undefined && i.defaultValue !== '').map((i) => [i.name, String(i.defaultValue)]),
    );
    assert.deepEqual(fromTask, { ...INPUT_DEFAULTS });
  });

  it('offers pickList and boolean defaults that are among their options', () => {
    for (const input of task.inputs) {
      if (input.type === 'boolean') assert.ok(['true', 'false'].includes(String(input.defaultValue)), `${input.name} default`);
      if ((input.type === 'pickList' || input.type === 'radio') && input.options && input.defaultValue !== undefined) {
        assert.ok(String(input.defaultValue) in input.options, `${input.name} default ${String(input.defaultValue)}`);
      }
    }
  });

  it('binds pickers to Azure lists, each bound pickList editable', () => {
    const byTarget = new Map(task.dataSourceBindings.map((b) => [b['target'], b]));
    assert.equal(byTarget.get('resourceGroup')?.['dataSourceName'], 'AzureResourceGroups');
    // Only the regions where Image Builder is available: the provider's imageTemplates locations, as display names.
    const location = byTarget.get('location');
    assert.equal(location?.['dataSourceName'], undefined);
    assert.equal(location?.['endpointUrl'], '{{{endpoint.url}}}subscriptions/{{{endpoint.subscriptionId}}}/providers/Microsoft.VirtualMachineImages?api-version=2021-04-01');
    assert.equal(location?.['resultSelector'], "jsonpath:$.resourceTypes[?(@.resourceType=='imageTemplates')].locations[*]");
    assert.equal(byTarget.get('storageAccountName')?.['dataSourceName'], 'AzureStorageAccountRM');
    for (const target of ['managedIdentity', 'buildVmIdentities']) {
      assert.match(byTarget.get(target)?.['endpointUrl'] ?? '', /^\{\{\{endpoint\.url\}\}\}subscriptions\/\{\{\{endpoint\.subscriptionId\}\}\}\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\?api-version=/);
    }
    assert.match(byTarget.get('galleryImageId')?.['endpointUrl'] ?? '', /resourceType eq 'Microsoft\.Compute\/galleries\/images'/);
    for (const binding of task.dataSourceBindings) {
      assert.equal(binding['endpointId'], '$(azureSubscription)');
      if (binding['endpointUrl'] && binding['target'] !== 'location') {
        assert.equal(binding['resultSelector'], 'jsonpath:$.value[*]');
        assert.deepEqual(JSON.parse(binding['resultTemplate'] ?? ''), { Value: '{{{id}}}', DisplayValue: '{{{name}}}' });
      }
      const input = task.inputs.find((i) => i.name === binding['target']);
      assert.ok(input, `binding targets unknown input ${binding['target']}`);
      if (input.type === 'pickList') assert.equal(input.properties?.['EditableOptions'], 'True', input.name);
    }
  });

  it('declares every output variable with a description', () => {
    assert.deepEqual(task.outputVariables.map((o) => o.name).sort(), [...OUTPUTS].sort());
    for (const output of task.outputVariables) assert.ok(output.description?.trim(), output.name);
  });
});

describe('location picker of AzureImageBuilder@1', () => {
  /** The subset of JSONPath the binding uses: $.a[?(@.b=='c')].d[*], applied to a provider document. */
  function select(selector: string, document: unknown): unknown[] {
    const match = /^jsonpath:\$\.(\w+)\[\?\(@\.(\w+)=='([^']+)'\)\]\.(\w+)\[\*\]$/.exec(selector);
    assert.ok(match, selector);
    const [, list, key, value, field] = match as unknown as [string, string, string, string, string];
    const items = ((document as Record<string, unknown>)[list] ?? []) as Record<string, unknown>[];
    return items.filter((item) => item[key] === value).flatMap((item) => (item[field] ?? []) as unknown[]);
  }

  it("lists the imageTemplates locations of the provider, which the task accepts as they come", () => {
    const binding = readTaskJson().dataSourceBindings.find((b) => b['target'] === 'location');
    // The shape of GET /subscriptions/{id}/providers/Microsoft.VirtualMachineImages.
    const provider = {
      namespace: 'Microsoft.VirtualMachineImages',
      resourceTypes: [
        { resourceType: 'imageTemplates', locations: ['East US', 'West Europe', 'West US 2', 'USGov Virginia'] },
        { resourceType: 'operations', locations: [] },
        { resourceType: 'locations', locations: ['Somewhere Else'] },
      ],
    };
    const listed = select(binding?.['resultSelector'] ?? '', provider) as string[];
    assert.deepEqual(listed, ['East US', 'West Europe', 'West US 2', 'USGov Virginia']);
    assert.deepEqual(listed.filter(isRegionName).map(normalizeRegion), ['eastus', 'westeurope', 'westus2', 'usgovvirginia']);
  });
});
