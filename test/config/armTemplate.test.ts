import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExpressionError, evaluateString, type ExpressionScope } from '../../shared/config/armExpressions';
import { repoRoot } from '../../testkit/repoRoot';
import { SUB, base, context, expectConfig, ids, messagesOf, parse, type Inputs } from './configFixtures';

const FILE = '/agent/_work/1/s/image/template.json';
const withFile: Inputs = { ...base, baseImage: undefined, galleryImageId: undefined, templateJsonPath: FILE };
const withSubscription = { ...context, subscriptionId: SUB };

function fixture(name: string): string {
  return fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'armTemplates', name), 'utf8');
}

/** A deployment template around one imageTemplates resource, with the given parameters and variables. */
function deployment(resource: Record<string, unknown>, parameters: Record<string, unknown> = {}, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters,
    variables,
    resources: [{ type: 'Microsoft.VirtualMachineImages/imageTemplates', apiVersion: '2024-02-01', name: 'x', ...resource }],
  });
}

const source = { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' };
const vhd = [{ type: 'VHD', runOutputName: 'vhd-out' }];

function problems(text: string, inputs: Inputs = withFile): string[] {
  const result = parse(inputs, { templateJson: text }, withSubscription);
  assert.equal(result.ok, false, 'expected problems, got a config');
  return messagesOf(result);
}

describe('ARM template expressions', () => {
  const scope: ExpressionScope = {
    parameter: (name) => ({ name: `p-${name}`, n: 3, list: ['a', 'b'] })[name] ?? (() => { throw new ExpressionError(`no ${name}`); })(),
    variable: (name) => `v-${name}`,
    resourceGroup: () => ({ location: 'westeurope', name: 'rg-images' }),
    subscription: () => ({ subscriptionId: SUB }),
  };
  const cases: Array<[string, unknown]> = [
    ["[parameters('name')]", 'p-name'],
    ["[variables('x')]", 'v-x'],
    ["[concat('a', parameters('name'), 'b')]", 'ap-nameb'],
    ["[concat('n=', parameters('n'))]", 'n=3'],
    ["[concat(parameters('list'), parameters('list'))]", ['a', 'b', 'a', 'b']],
    ["[parameters('list')[1]]", 'b'],
    ['[resourceGroup().location]', 'westeurope'],
    ['[ resourceGroup( ).name ]', 'rg-images'],
    ['[subscription().subscriptionId]', SUB],
    ["[concat('it''s ', concat('nested ', variables('y')))]", "it's nested v-y"],
    ["['']", ''],
    ['[[literal]', '[literal]'],
    ['plain text', 'plain text'],
    ['[ends early', '[ends early'],
  ];
  for (const [text, expected] of cases) {
    it(`${text} is ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(evaluateString(text, scope), expected);
    });
  }

  const refused: Array<[string, RegExp, boolean]> = [
    ["[resourceId('Microsoft.Compute/images', 'x')]", /^resourceId\(\) is not evaluated/, true],
    ['[uniqueString(resourceGroup().id)]', /^uniqueString\(\) is not evaluated/, true],
    ["[format('{0}', 'x')]", /^format\(\) is not evaluated/, true],
    ["[resourceGroup('other').location]", /with arguments/, true],
    ["[concat('a']", /'\)' is missing/, false],
    ['[]', /ends too early/, false],
    ["[concat('a)]", /not closed/, false],
    ['[resourceGroup().tags]', /no property 'tags'/, false],
    ["[parameters('a', 'b')]", /one name/, false],
  ];
  for (const [text, message, unsupported] of refused) {
    it(`refuses ${text}`, () => {
      assert.throws(
        () => evaluateString(text, scope),
        (err: unknown) => err instanceof ExpressionError && message.test(err.message) && err.unsupported === unsupported,
      );
    });
  }
});

describe('parseConfig: a deployment template as the template file', () => {
  it('lifts the one imageTemplates resource, evaluating parameters, variables, concat, resourceGroup() and subscription()', () => {
    const config = expectConfig(parse(withFile, { templateJson: fixture('expressions-gallery.json') }, withSubscription));
    const identity = `/subscriptions/${SUB}/resourceGroups/rg-identity/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity`;
    const gallery = `/subscriptions/${SUB}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/corpGallery/images/web`;
    assert.deepEqual(config.userTemplate?.body, {
      location: 'westeurope',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identity]: {} } },
      tags: { builtBy: 'image builder in rg-images', bracketed: '[not an expression]' },
      properties: {
        buildTimeoutInMinutes: 90,
        vmProfile: { vmSize: 'Standard_D2s_v5', osDiskSizeGB: 64 },
        source,
        customize: [{ type: 'Shell', name: 'greet', inline: ["echo 'built for web'"] }],
        distribute: [
          {
            type: 'SharedImage',
            galleryImageId: gallery,
            runOutputName: 'webImage-sig',
            targetRegions: [
              { name: 'westeurope', replicaCount: 2 },
              { name: 'eastus', replicaCount: 1 },
            ],
          },
        ],
      },
    });
    // The lifted file supplies what the inputs leave out.
    assert.equal(config.source.kind, 'platformImage');
    assert.deepEqual(
      config.distribute.map((d) => (d.kind === 'sharedImageGallery' ? [d.galleryImageDefinitionId, d.runOutputName, d.targetRegions.map((r) => r.name)] : d.kind)),
      [[gallery, 'webImage-sig', ['westeurope', 'eastus']]],
    );
    // The template is named by the task, not by the resource's name.
    assert.equal(config.target.templateName, 'ib-Fabrikam-Web-4711-2');
  });

  it('takes resourceGroup().location from the location input', () => {
    const config = expectConfig(
      parse({ ...withFile, location: 'northeurope' }, { templateJson: deployment({ location: '[resourceGroup().location]', properties: { source, distribute: vhd } }) }),
    );
    assert.equal(config.userTemplate?.body['location'], 'northeurope');
  });

  it('accepts a resource fragment with type, apiVersion and dependsOn as the request body', () => {
    const text = JSON.stringify({ type: 'Microsoft.VirtualMachineImages/imageTemplates', apiVersion: '2022-02-14', dependsOn: [], location: 'westeurope', properties: { source, distribute: vhd } });
    const config = expectConfig(parse(withFile, { templateJson: text }));
    assert.deepEqual(config.userTemplate?.body['properties'], { source, distribute: vhd });
  });

  it('refuses an unsupported expression with one error quoting it and naming templateJsonPath, and no follow-on errors', () => {
    assert.deepEqual(problems(fixture('unsupported-expression.json')), [
      `Input 'templateJsonPath': the template file '${FILE}' uses the expression [resourceId('Microsoft.Compute/galleries/images', parameters('galleryName'), 'web')] at properties.distribute[0].galleryImageId: resourceId() is not evaluated by the task. The task evaluates only parameters(), variables(), concat(), resourceGroup() (location, name, id), subscription() (subscriptionId, id), string and integer literals and nested calls; write the value itself in the file instead.`,
    ]);
  });

  it('reports an unsupported expression once, even when a variable using it is read twice', () => {
    const text = deployment(
      { tags: { a: "[variables('where')]", b: "[variables('where')]" }, properties: { source, distribute: vhd } },
      {},
      { where: '[uniqueString(resourceGroup().name)]' },
    );
    const found = problems(text);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, /uses the expression \[uniqueString\(resourceGroup\(\)\.name\)\] at variables\.where: uniqueString\(\) is not evaluated/);
  });

  it('quotes a very long expression only up to 300 characters', () => {
    const long = `[resourceId('${'x'.repeat(400)}')]`;
    const [message] = problems(deployment({ tags: { a: long }, properties: { source, distribute: vhd } }));
    assert.ok(message!.includes(`uses the expression ${long.slice(0, 300)}… at tags.a: resourceId() is not evaluated`), message);
  });

  it('says a parameter without a default needs one, because no parameters file is read', () => {
    const text = deployment({ tags: { site: "[parameters('where')]" }, properties: { source, distribute: vhd } }, { where: { type: 'string' } });
    assert.deepEqual(problems(text), [
      `Input 'templateJsonPath': the deployment template '${FILE}' uses parameter 'where', which has no defaultValue. The task reads no parameters file; give the parameter a defaultValue in the template.`,
    ]);
  });

  it('names a parameter or variable the template does not declare', () => {
    const text = deployment({ tags: { a: "[parameters('nope')]", b: "[variables('none')]" }, properties: { source, distribute: vhd } });
    assert.deepEqual(problems(text), [
      `Input 'templateJsonPath': the deployment template '${FILE}' uses parameters('nope'), which its 'parameters' do not declare.`,
      `Input 'templateJsonPath': the deployment template '${FILE}' uses variables('none'), which its 'variables' do not declare.`,
    ]);
  });

  it('cannot evaluate subscription() when the connection subscription is not known', () => {
    const text = deployment({ tags: { a: '[subscription().subscriptionId]' }, properties: { source, distribute: vhd } });
    const result = parse(withFile, { templateJson: text }, context);
    assert.deepEqual(messagesOf(result), [
      `Input 'templateJsonPath': the template file '${FILE}' has the expression [subscription().subscriptionId] at tags.a, which cannot be evaluated: the service connection's subscription is not known here.`,
    ]);
  });

  it('leaves out a location or identity it cannot evaluate, since the inputs replace them', () => {
    const text = deployment(
      { location: "[parameters('location')]", identity: { type: 'UserAssigned', userAssignedIdentities: { "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'x')]": {} } }, properties: { source, distribute: vhd } },
      { location: { type: 'string' } },
    );
    const config = expectConfig(parse(withFile, { templateJson: text }));
    assert.deepEqual(config.userTemplate?.body, { properties: { source, distribute: vhd } });
  });

  it('ignores the name, apiVersion and dependsOn of the resource, which may use any function', () => {
    const text = deployment({ name: "[uniqueString('x')]", apiVersion: "[parameters('v')]", dependsOn: ["[resourceId('a/b', 'c')]"], properties: { source, distribute: vhd } });
    expectConfig(parse(withFile, { templateJson: text }));
  });

  for (const [title, text, got] of [
    ['no imageTemplates resource', JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', resources: [{ type: 'Microsoft.Compute/images', name: 'x' }] }), 'a deployment template with 0 Microsoft.VirtualMachineImages/imageTemplates resources'],
    ['two imageTemplates resources', JSON.stringify({ resources: [{ type: 'Microsoft.VirtualMachineImages/imageTemplates', properties: {} }, { type: 'microsoft.virtualmachineimages/imagetemplates', properties: {} }] }), 'a deployment template with 2 Microsoft.VirtualMachineImages/imageTemplates resources'],
    ['an imageTemplates resource without properties', deployment({ location: 'westeurope' }), "an Microsoft.VirtualMachineImages/imageTemplates resource without a 'properties' object"],
    ['neither form', JSON.stringify({ location: 'westeurope', tags: {} }), 'an object without a properties object'],
    ['a string', '"template"', 'a string'],
  ] as const) {
    it(`gives one error saying what was expected for ${title}`, () => {
      assert.deepEqual(problems(text), [
        `Input 'templateJsonPath': the template file '${FILE}' must hold either an image template request body (a JSON object with a 'properties' object) or an ARM deployment template whose 'resources' hold exactly one Microsoft.VirtualMachineImages/imageTemplates resource; got ${got}.`,
      ]);
    });
  }

  it('accepts the symbolic-name resources object of languageVersion 2.0', () => {
    const text = JSON.stringify({ languageVersion: '2.0', resources: { image: { type: 'Microsoft.VirtualMachineImages/imageTemplates', location: 'westeurope', properties: { source, distribute: vhd } } } });
    assert.deepEqual(expectConfig(parse(withFile, { templateJson: text })).userTemplate?.body['properties'], { source, distribute: vhd });
  });
});

describe('parseConfig: sample placeholders in the template file', () => {
  it('gives one error listing every <placeholder> still in a kept value, in either form', () => {
    const text = JSON.stringify({
      location: '<region>',
      identity: { type: 'UserAssigned', userAssignedIdentities: { '<imgBuilderId>': {} } },
      tags: { owner: '<team>' },
      properties: {
        source,
        customize: [{ type: 'Shell', inline: ['cat <<EOF > /tmp/x', 'echo "<b>bold</b>"', 'EOF'] }],
        distribute: [{ type: 'ManagedImage', imageId: `/subscriptions/<subscriptionID>/resourceGroups/<rgName>/providers/Microsoft.Compute/images/x`, location: 'westeurope', runOutputName: '<runOutputName>' }],
      },
    });
    assert.deepEqual(problems(text), [
      `Input 'templateJsonPath': the template file '${FILE}' still holds sample placeholders that must be replaced with real values: <subscriptionID>, <rgName> at properties.distribute[0].imageId; <runOutputName> at properties.distribute[0].runOutputName; <team> at tags.owner.`,
    ]);
  });

  it('finds placeholders a deployment template takes from parameter defaults', () => {
    const text = deployment({ properties: { source, distribute: [{ type: 'VHD', runOutputName: "[parameters('out')]" }] } }, { out: { type: 'string', defaultValue: '<runOutputName>' } });
    assert.deepEqual(problems(text), [
      `Input 'templateJsonPath': the template file '${FILE}' still holds sample placeholders that must be replaced with real values: <runOutputName> at properties.distribute[0].runOutputName.`,
    ]);
  });

  it('does not look in location and identity, which the inputs always replace', () => {
    const text = JSON.stringify({ location: '<region>', identity: { type: 'UserAssigned', userAssignedIdentities: { '<imgBuilderId>': {} } }, properties: { source, distribute: vhd } });
    const config = expectConfig(parse(withFile, { templateJson: text }));
    assert.equal(config.target.managedIdentity, ids.identity);
  });
});
