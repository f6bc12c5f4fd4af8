import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageBuilderConfig } from '../../shared/config/types';
import type { InputName } from '../../shared/config/inputNames';
import { buildImageTemplate, type ImageTemplateBody } from '../../shared/template';
import {
  artifactsFor,
  configWith,
  galleryTarget,
  ids,
  managedImageSource,
  managedImageTarget,
  stagedArtifact,
  SHA256,
} from '../support/configFixtures';
import { imageTemplateExamplesDir, loadImageTemplateSpec, type ImageTemplateSpec } from '../../testkit/imageTemplateSpec';

/** The published Linux example: PlatformImage source, Shell customizer, ManagedImage distribution, vmSize etc. */
function userBody(): Record<string, unknown> {
  const example = JSON.parse(fs.readFileSync(path.join(imageTemplateExamplesDir('2025-10-01'), 'CreateImageTemplateLinux.json'), 'utf8')) as {
    parameters: { parameters: Record<string, unknown> };
  };
  return example.parameters.parameters;
}

describe('buildImageTemplate over the user template', function () {
  let spec: ImageTemplateSpec;
  let original: ImageTemplateBody;
  before(async function () {
    spec = await loadImageTemplateSpec('2025-10-01');
    original = userBody() as unknown as ImageTemplateBody;
  });

  function build(explicitInputs: InputName[], change?: (c: ImageBuilderConfig) => void, body: Record<string, unknown> = userBody(), withArtifact = false): ImageTemplateBody {
    const config = configWith('shell', (c) => {
      c.userTemplate = { body, explicitInputs };
      if (withArtifact) c.artifacts = artifactsFor('shell', 'sas');
      change?.(c);
    });
    const result = buildImageTemplate(config, withArtifact ? { artifact: stagedArtifact('shell', 'sas', 2048) } : {});
    assert.deepEqual(spec.validateTemplate(result).errors, []);
    return result;
  }

  it('keeps every section of the file when no input is explicit; location and identity come from the inputs', function () {
    const body = build([], (c) => {
      c.buildVm.vmSize = 'Standard_D16s_v5'; // a value the config has, but the user did not set
      c.distribute = [galleryTarget()];
    });
    assert.equal(body.location, 'westeurope');
    assert.deepEqual(body.identity, { type: 'UserAssigned', userAssignedIdentities: { [ids.templateIdentity]: {} } });
    const { properties } = body;
    assert.deepEqual(properties.source, original.properties.source);
    assert.deepEqual(properties.customize, original.properties.customize);
    assert.deepEqual(properties.distribute, original.properties.distribute);
    assert.deepEqual(properties.vmProfile, original.properties.vmProfile);
    assert.deepEqual(body.tags, original.tags);
  });

  it('injects the artifact steps before the user customizers and removes the artifacts after them', function () {
    const body = build([], undefined, userBody(), true);
    const customize = body.properties.customize ?? [];
    assert.deepEqual(
      customize.map((c) => c.name),
      ['DownloadBuildArtifacts', 'UnpackBuildArtifacts', ...(original.properties.customize ?? []).map((c) => c.name), 'RemoveBuildArtifacts'],
    );
    const first = customize[0];
    assert.ok(first?.type === 'File' && first.sha256Checksum === SHA256);
  });

  it('overrides vmSize only when vmSize is explicit', function () {
    const profile = original.properties.vmProfile;
    assert.ok(profile?.vmSize, 'the example must set a vmSize for this test to mean anything');
    const explicit = build(['vmSize'], (c) => (c.buildVm.vmSize = 'Standard_D16s_v5'));
    assert.deepEqual(explicit.properties.vmProfile, { ...profile, vmSize: 'Standard_D16s_v5' });
  });

  it('overrides the source only when a source input is explicit', function () {
    const body = build(['managedImageId'], (c) => (c.source = managedImageSource()));
    assert.deepEqual(body.properties.source, { type: 'ManagedImage', imageId: ids.sourceManagedImage });
    const notExplicit = build(['vmSize'], (c) => (c.source = managedImageSource()));
    assert.deepEqual(notExplicit.properties.source, original.properties.source);
  });

  it('overrides the distribution when distributeType or a target input is explicit', function () {
    for (const input of ['distributeType', 'galleryImageId', 'replicationRegions'] as InputName[]) {
      const body = build([input], (c) => (c.distribute = [galleryTarget({ version: '3.0.0' })]));
      assert.deepEqual(body.properties.distribute.map((d) => d.type), ['SharedImage'], input);
    }
    const kept = build(['inlineScript'], (c) => (c.distribute = [managedImageTarget({ imageId: ids.targetManagedImage + '-other' })]));
    assert.deepEqual(kept.properties.distribute, original.properties.distribute);
  });

  it('adds explicit script steps after the user customizers and additional customizers last', function () {
    const body = build(['inlineScript', 'additionalCustomizers'], (c) => {
      c.customize.inlineScript = ['echo from-input'];
      c.customize.additionalCustomizers = [{ type: 'Shell', name: 'Extra', inline: ['echo extra'] }];
    });
    assert.deepEqual(
      (body.properties.customize ?? []).map((c) => c.name),
      [...(original.properties.customize ?? []).map((c) => c.name), 'RunInlineScript', 'Extra'],
    );
  });

  it('applies explicit build VM, validation, error handling, optimize, timeout, staging and tags fields one by one', function () {
    const body = build(
      ['buildVmIdentities', 'vnetSubnetId', 'validationInlineScript', 'onValidationError', 'optimizeVmBoot', 'buildTimeoutInMinutes', 'stagingResourceGroup', 'templateTags'],
      (c) => {
        c.buildVm.userAssignedIdentities = [ids.buildVmIdentity];
        c.buildVm.vnet = { subnetId: ids.subnet };
        c.buildVm.buildTimeoutInMinutes = 200;
        c.buildVm.stagingResourceGroup = ids.stagingResourceGroup;
        c.validate.inlineScript = ['true'];
        c.errorHandling = { onCustomizerError: 'abort', onValidationError: 'abort' };
        c.optimizeVmBoot = true;
        c.templateTags = { team: 'platform' };
      },
    );
    const p = body.properties;
    assert.deepEqual(p.vmProfile?.userAssignedIdentities, [ids.buildVmIdentity]);
    assert.equal(p.vmProfile?.vnetConfig?.subnetId, ids.subnet);
    assert.equal(p.vmProfile?.vmSize, original.properties.vmProfile?.vmSize);
    assert.deepEqual(p.validate?.inVMValidations, [{ type: 'Shell', name: 'ValidationInlineScript', inline: ['true'] }]);
    // onCustomizerError was not explicit: the file's value (or its absence) stays.
    assert.equal(p.errorHandling?.onCustomizerError, original.properties.errorHandling?.onCustomizerError);
    assert.equal(p.errorHandling?.onValidationError, 'abort');
    assert.deepEqual(p.optimize?.vmBoot, { state: 'Enabled' });
    assert.equal(p.buildTimeoutInMinutes, 200);
    assert.equal(p.stagingResourceGroup, ids.stagingResourceGroup);
    assert.deepEqual(body.tags, { ...(original.tags ?? {}), team: 'platform' });
  });

  it('drops read-only and ARM template envelope fields, fills a missing source and distribution, and keeps unknown sections', function () {
    const get = JSON.parse(fs.readFileSync(path.join(imageTemplateExamplesDir('2025-10-01'), 'GetImageTemplate.json'), 'utf8')) as {
      responses: { '200': { body: Record<string, unknown> } };
    };
    const exported = get.responses['200'].body;
    const withArmEnvelope = { ...exported, apiVersion: '2025-10-01', dependsOn: [] };
    const body = build([], undefined, withArmEnvelope);
    for (const key of ['id', 'name', 'type', 'apiVersion', 'systemData', 'dependsOn']) assert.ok(!(key in body), key);
    for (const key of ['provisioningState', 'lastRunStatus', 'provisioningError', 'exactStagingResourceGroup']) assert.ok(!(key in body.properties), key);

    const bare = build([], (c) => (c.distribute = [galleryTarget()]), { properties: { autoRun: { state: 'Disabled' }, managedResourceTags: { a: 'b' } } });
    assert.equal(bare.properties.source.type, 'PlatformImage');
    assert.deepEqual(bare.properties.distribute.map((d) => d.type), ['SharedImage']);
    assert.deepEqual(bare.properties.autoRun, { state: 'Disabled' });
    assert.deepEqual(bare.properties.managedResourceTags, { a: 'b' });
  });

  it('does not change the user body it was given', function () {
    const given = userBody();
    const copy = structuredClone(given);
    build(['vmSize', 'distributeType'], (c) => (c.buildVm.vmSize = 'X'), given, true);
    assert.deepEqual(given, copy);
  });
});
