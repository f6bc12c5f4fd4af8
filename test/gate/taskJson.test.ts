import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv4 from 'ajv-draft-04';
import { repoRoot, specsRoot } from '../../testkit/repoRoot';
import { serverTaskRuleViolations } from './serverTaskRules';
import { parseExpression } from './serverExpressions';
import { parseTemplate } from './serverTemplate';

const taskDir = path.join(repoRoot, 'tasks', 'AzureImageVersionCheck', 'AzureImageVersionCheckV1');
type Json = Record<string, unknown>;
interface Input {
  name: string;
  type: string;
  aliases?: string[];
  label?: string;
  helpMarkDown?: string;
  visibleRule?: string;
  options?: Record<string, string>;
  defaultValue?: string;
  required?: boolean;
}

function loadTask(): Json {
  return JSON.parse(fs.readFileSync(path.join(taskDir, 'task.json'), 'utf8')) as Json;
}

describe('AzureImageVersionCheck task.json', () => {
  const task = loadTask();
  const inputs = task.inputs as Input[];
  const inputNames = new Set(inputs.map((i) => i.name));
  const execute = (task.execution as { HttpRequest: { Execute: Record<string, string> } }).HttpRequest.Execute;

  describe('server task rules', () => {
    it('holds for the task', () => {
      assert.deepEqual(serverTaskRuleViolations(task), []);
    });

    // The rule checker itself must be able to fail, or the test above proves nothing.
    const broken: Array<[string, (t: Json) => void, RegExp]> = [
      ['an agent handler beside HttpRequest', (t) => ((t.execution as Json).Node20_1 = { target: 'index.js' }), /exactly one handler/],
      ['only a Node handler', (t) => (t.execution = { Node20_1: { target: 'index.js' } }), /'Node20_1' cannot run on the server/],
      ['runsOn Agent', (t) => (t.runsOn = ['Agent', 'Server']), /only Server or ServerGate, found 'Agent'/],
      ['no runsOn', (t) => delete t.runsOn, /runsOn must list/],
      ['demands', (t) => (t.demands = ['azureps']), /demands are not allowed/],
      ['minimumAgentVersion', (t) => (t.minimumAgentVersion = '4.248.0'), /minimumAgentVersion is not allowed/],
      ['a prejobexecution', (t) => (t.prejobexecution = { Node20_1: { target: 'pre.js' } }), /prejobexecution is not allowed/],
      ['an Execute without a URL', (t) => delete ((t.execution as Json).HttpRequest as { Execute: Json }).Execute.EndpointUrl, /EndpointUrl is required/],
    ];
    for (const [what, mutate, expected] of broken) {
      it(`reports ${what}`, () => {
        const copy = loadTask();
        mutate(copy);
        const problems = serverTaskRuleViolations(copy);
        assert.ok(problems.some((p) => expected.test(p)), `expected ${String(expected)} in ${JSON.stringify(problems)}`);
      });
    }
  });

  describe('tasks.schema.json', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(specsRoot, 'azure-pipelines', 'tasks.schema.json'), 'utf8')) as Json;
    const ajv = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);

    it('validates once the HttpRequest handler, which the schema does not know, is taken out', () => {
      // tasks.schema.json lists only agent handlers (Node*, PowerShell*) under `execution`
      // with additionalProperties:false, so every agentless task fails it on that key
      // alone. The handler is checked by the server task rules above instead; the rest of
      // the file must satisfy the schema.
      const copy = loadTask();
      delete (copy.execution as Json).HttpRequest;
      assert.equal(validate(copy), true, JSON.stringify(validate.errors, null, 2));
    });

    it('fails with the handler left in, and only because of it (the documented gap)', () => {
      assert.equal(validate(loadTask()), false);
      const errors = validate.errors ?? [];
      assert.ok(errors.length > 0);
      for (const e of errors) {
        assert.equal(e.instancePath, '/execution', JSON.stringify(e));
        assert.deepEqual(e.params, { additionalProperty: 'HttpRequest' });
      }
    });
  });

  describe('fields tfx and the marketplace require', () => {
    it('has a GUID id, a name without spaces, a short friendly name and an instance name', () => {
      assert.match(String(task.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      assert.equal(task.name, 'AzureImageVersionCheck');
      assert.ok(String(task.friendlyName).length > 0 && String(task.friendlyName).length <= 40);
      assert.ok(String(task.instanceNameFormat).length > 0);
      assert.deepEqual(Object.keys(task.version as Json).sort(), ['Major', 'Minor', 'Patch']);
      assert.equal((task.version as Json).Major, 1);
    });

    it('ships a 32x32 PNG icon next to task.json', () => {
      const png = fs.readFileSync(path.join(taskDir, 'icon.png'));
      assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
      assert.equal(png.readUInt32BE(16), 32);
      assert.equal(png.readUInt32BE(20), 32);
    });

    it('has no agent code in its folder', () => {
      // The task, its icon and its localization: no script, bundle or node_modules.
      const files = fs.readdirSync(taskDir).sort();
      assert.deepEqual(files, ['Strings', 'icon.png', 'task.json', 'task.loc.json']);
      const strings = fs.readdirSync(path.join(taskDir, 'Strings'), { recursive: true }).map(String);
      assert.deepEqual(strings.filter((f) => /\.(js|ts|cjs|mjs)$/.test(f)), []);
    });
  });

  describe('inputs', () => {
    it('has a meaningful help text on every input', () => {
      for (const input of inputs) {
        assert.ok((input.helpMarkDown ?? '').trim().length >= 40, `input '${input.name}' needs a helpMarkDown`);
        assert.ok((input.label ?? '').trim().length > 0, `input '${input.name}' needs a label`);
      }
    });

    it('takes the AzureRM connection as azureSubscription, with connectedServiceNameARM as alias', () => {
      const connection = inputs.find((i) => i.type === 'connectedService:AzureRM');
      assert.equal(connection?.name, 'azureSubscription');
      assert.deepEqual(connection?.aliases, ['connectedServiceNameARM']);
      assert.equal(execute.EndpointId, '$(azureSubscription)');
    });

    it('chooses between a resource id and gallery names, with a visible rule per choice', () => {
      const selector = inputs.find((i) => i.name === 'versionReference') as Input;
      assert.deepEqual(Object.keys(selector.options ?? {}).sort(), ['galleryNames', 'resourceId']);
      const visibleBy = (name: string) => inputs.find((i) => i.name === name)?.visibleRule;
      assert.equal(visibleBy('galleryImageVersionId'), 'versionReference = resourceId');
      for (const name of ['galleryResourceGroup', 'galleryName', 'galleryImageDefinition', 'galleryImageVersion']) {
        assert.equal(visibleBy(name), 'versionReference = galleryNames', name);
      }
    });

    it('defaults the id to the build task output variable and requires replication by default', () => {
      assert.equal(inputs.find((i) => i.name === 'galleryImageVersionId')?.defaultValue, '$(galleryImageVersionId)');
      const replication = inputs.find((i) => i.name === 'requireReplication') as Input;
      assert.equal(replication.type, 'boolean');
      assert.equal(replication.defaultValue, 'true');
    });

    it('uses visible rules that name existing inputs and their option values', () => {
      for (const input of inputs.filter((i) => i.visibleRule)) {
        const rule = input.visibleRule as string;
        assert.ok(!(rule.includes('&&') && rule.includes('||')), `${input.name}: a rule cannot mix && and ||`);
        for (const clause of rule.split(/&&|\|\|/)) {
          const m = /^\s*(\w+)\s*(=|==|!=)\s*(\S+)\s*$/.exec(clause);
          assert.ok(m, `${input.name}: cannot read '${clause}'`);
          const target = inputs.find((i) => i.name === m[1]);
          assert.ok(target, `${input.name}: rule names unknown input '${m[1]}'`);
          if (target.options) assert.ok(Object.keys(target.options).includes(m[3] as string), `${input.name}: '${m[3]}' is not an option of ${m[1]}`);
        }
      }
    });

    it('binds pickers to existing inputs through the service connection', () => {
      const bindings = task.dataSourceBindings as Array<Record<string, unknown>>;
      const targets = bindings.map((b) => b.target).sort();
      assert.deepEqual(targets, ['galleryImageDefinition', 'galleryImageVersion', 'galleryName', 'galleryResourceGroup']);
      for (const b of bindings) {
        assert.equal(b.endpointId, '$(azureSubscription)');
        const url = String(b.endpointUrl ?? '');
        for (const [, name] of url.matchAll(/\$\(([\w.]+)\)/g)) {
          assert.ok(inputNames.has(name as string), `binding for ${String(b.target)} uses unknown $(${name})`);
          assert.ok(Object.keys((b.parameters as Record<string, string>) ?? {}).includes(name as string), `binding for ${String(b.target)} should pass ${name} as a parameter`);
        }
        if (b.endpointUrl) assert.match(url, /^\{\{\{endpoint\.url\}\}\}subscriptions\/\{\{\{endpoint\.subscriptionId\}\}\}\/resourceGroups\//);
      }
      assert.equal(bindings.find((b) => b.target === 'galleryResourceGroup')?.dataSourceName, 'AzureResourceGroups');
    });
  });

  describe('HttpRequest execution', () => {
    it('reads the version with GET, synchronously, with the replication status expanded', () => {
      assert.equal(execute.Method, 'GET');
      assert.equal(execute.WaitForCompletion, 'false');
      assert.match(execute.EndpointUrl as string, /\?api-version=\d{4}-\d{2}-\d{2}&\$expand=ReplicationStatus$/);
    });

    it('references only declared inputs and endpoint values in its macros', () => {
      for (const [field, text] of Object.entries(execute)) {
        for (const [, name] of String(text).matchAll(/\$\(([\w.]+)\)/g)) {
          const known = inputNames.has(name as string) || /^endpoint\.(url|subscriptionId)$/.test(name as string);
          assert.ok(known, `${field} uses $(${name}), which is neither an input nor an endpoint value`);
        }
      }
    });

    it('has a URL template and an expression in the syntax the service evaluates', () => {
      assert.doesNotThrow(() => parseTemplate(execute.EndpointUrl as string));
      // The expression's only macro is a Boolean input; any value it takes must still parse.
      for (const v of ['true', 'false']) {
        assert.doesNotThrow(() => parseExpression((execute.Expression as string).replace('$(requireReplication)', v)));
      }
    });
  });
});
