/**
 * Microsoft's published image template samples (test/fixtures/armTemplates)
 * as templateJsonPath files: refused as published, with one error that says
 * what to fill in, and, once filled in the way the samples' readmes do it,
 * lifted into a request body the 2025-10-01 spec accepts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildImageTemplate } from '../../shared/template';
import { SUB, base, context, expectConfig, ids, messagesOf, parse, type Inputs } from '../config/configFixtures';
import { loadImageTemplateSpec, type ImageTemplateSpec } from '../../testkit/imageTemplateSpec';
import { repoRoot } from '../../testkit/repoRoot';

const FILE = '/agent/_work/1/s/image/template.json';
const withFile: Inputs = { ...base, baseImage: undefined, galleryImageId: undefined, templateJsonPath: FILE };
const gallery = `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/corpGallery/images/web`;

/** What the samples' readmes substitute with sed before deploying. */
const FILLED_IN: Record<string, string> = {
  '<subscriptionID>': SUB,
  '<rgName>': 'rg-images',
  '<region>': 'westeurope',
  '<region1>': 'westeurope',
  '<region2>': 'eastus',
  '<imageName>': 'ubuntu-golden',
  '<runOutputName>': 'aibSample',
  '<imgBuilderId>': ids.identity,
  '<sharedImageGalName>': 'corpGallery',
  '<imageDefName>': 'web',
};

function sample(name: string): string {
  return fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'armTemplates', name), 'utf8');
}

function fillIn(text: string): string {
  return text.replace(/<[A-Za-z0-9]+>/g, (placeholder) => FILLED_IN[placeholder] ?? placeholder);
}

/** The WVD sample takes its parameters on the az command line; here they become defaults, as the task needs. */
function withDefaults(text: string, defaults: Record<string, string>): string {
  const template = JSON.parse(text) as { parameters: Record<string, Record<string, unknown>> };
  for (const [name, value] of Object.entries(defaults)) template.parameters[name]!['defaultValue'] = value;
  return JSON.stringify(template);
}

function resourceOf(text: string): Record<string, unknown> {
  const parsed = JSON.parse(text) as Record<string, unknown> & { resources?: Array<Record<string, unknown>> };
  return parsed.resources ? parsed.resources[0]! : parsed;
}

describe("templateJsonPath with Microsoft's published samples", () => {
  let spec: ImageTemplateSpec;
  before(async () => {
    spec = await loadImageTemplateSpec('2025-10-01');
  });

  const samples = [
    { file: 'azvmimagebuilder-helloImageTemplateLinux.json', provisioner: 'shell', distributor: 'managedImage' },
    { file: 'azvmimagebuilder-helloImageTemplateforSIG.json', provisioner: 'shell', distributor: 'sharedImageGallery' },
    { file: 'azvmimagebuilder-armTemplateWVD.json', provisioner: 'powershell', distributor: 'sharedImageGallery' },
  ] as const;

  for (const { file, provisioner, distributor } of samples) {
    it(`${file}, filled in, is lifted and validates against the 2025-10-01 spec`, () => {
      let text = fillIn(sample(file));
      if (file.includes('WVD')) text = withDefaults(text, { imageTemplateName: 'wvd10', 'api-version': '2022-02-14', svclocation: 'westeurope' });
      const config = expectConfig(parse({ ...withFile, provisioner }, { templateJson: text }, { ...context, subscriptionId: SUB }));

      const resource = resourceOf(text);
      const lifted = config.userTemplate!.body;
      assert.deepEqual(lifted['properties'], resource['properties']);
      assert.deepEqual(lifted['tags'], resource['tags']);
      assert.deepEqual(lifted['identity'], { type: 'UserAssigned', userAssignedIdentities: { [ids.identity]: {} } });
      assert.equal(lifted['location'], 'westeurope');
      assert.deepEqual(config.distribute.map((d) => d.kind), [distributor]);
      if (distributor === 'sharedImageGallery') {
        const target = config.distribute[0]!;
        assert.equal(target.kind === 'sharedImageGallery' && target.galleryImageDefinitionId, gallery);
      }

      const body = buildImageTemplate(config);
      // Exactly the request fields, nothing of the ARM envelope (type, apiVersion, dependsOn, name).
      assert.deepEqual(Object.keys(body).sort(), ['identity', 'location', 'properties', 'tags']);
      assert.deepEqual(spec.validateTemplate(body).errors, []);
      assert.deepEqual(body.properties.customize, (resource['properties'] as { customize: unknown }).customize);
      assert.equal(body.identity.userAssignedIdentities && Object.keys(body.identity.userAssignedIdentities)[0], ids.identity);
    });
  }

  it('refuses the Linux quickstart as published, with one error listing the placeholders to replace', () => {
    const result = parse(withFile, { templateJson: sample('azvmimagebuilder-helloImageTemplateLinux.json') });
    assert.deepEqual(messagesOf(result), [
      `Input 'templateJsonPath': the template file '${FILE}' still holds sample placeholders that must be replaced with real values: ` +
        '<subscriptionID>, <rgName>, <imageName> at properties.distribute[0].imageId; <region> at properties.distribute[0].location; <runOutputName> at properties.distribute[0].runOutputName.',
    ]);
  });

  it('refuses the gallery quickstart as published, and no other input is blamed for it', () => {
    const result = parse(withFile, { templateJson: sample('azvmimagebuilder-helloImageTemplateforSIG.json') });
    assert.deepEqual(messagesOf(result), [
      `Input 'templateJsonPath': the template file '${FILE}' still holds sample placeholders that must be replaced with real values: ` +
        '<subscriptionID>, <rgName>, <sharedImageGalName>, <imageDefName> at properties.distribute[0].galleryImageId; <runOutputName> at properties.distribute[0].runOutputName; ' +
        '<region1> at properties.distribute[0].replicationRegions[0]; <region2> at properties.distribute[0].replicationRegions[1].',
    ]);
  });

  it('refuses the WVD deployment template as published, with one error listing the placeholders to replace', () => {
    const result = parse({ ...withFile, provisioner: 'powershell' }, { templateJson: sample('azvmimagebuilder-armTemplateWVD.json') });
    assert.deepEqual(messagesOf(result), [
      `Input 'templateJsonPath': the template file '${FILE}' still holds sample placeholders that must be replaced with real values: ` +
        '<subscriptionID>, <rgName>, <sharedImageGalName>, <imageDefName> at properties.distribute[0].galleryImageId; <runOutputName> at properties.distribute[0].runOutputName; ' +
        '<region1> at properties.distribute[0].replicationRegions[0].',
    ]);
  });

  it('lifts the WVD deployment template without parameter defaults once filled in: its parameters feed only the name, apiVersion and location, which the task ignores or replaces', () => {
    const config = expectConfig(parse({ ...withFile, provisioner: 'powershell' }, { templateJson: fillIn(sample('azvmimagebuilder-armTemplateWVD.json')) }));
    assert.equal(config.userTemplate?.body['location'], undefined);
    assert.equal(buildImageTemplate(config).location, 'westeurope');
  });
});
