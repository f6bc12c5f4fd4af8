import { strict as assert } from 'node:assert';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { buildImageTemplate, redactTemplate, summarizeTemplate, type ImageTemplateBody } from '../../shared/template';
import { toSdkImageTemplate } from '../../shared/azure/sdkModel';
import { REDACTION_MARK as REDACTED } from '../../shared/core/sasRedaction';
import {
  SAS_SIGNATURE,
  SHA256,
  artifactsFor,
  configWith,
  fullBuildVm,
  galleryTarget,
  ids,
  managedImageTarget,
  plannedPlatformSource,
  stagedArtifact,
  vhdTarget,
} from '../support/configFixtures';

function everything(provisioner: 'shell' | 'powershell', size: number): { config: ImageBuilderConfig; body: ImageTemplateBody } {
  const config = configWith(provisioner, (c) => {
    fullBuildVm(c);
    c.artifacts = artifactsFor(provisioner, 'sas');
    c.customize.inlineScript = ['echo hi'];
    c.validate.inlineScript = ['echo ok'];
    c.distribute = [
      managedImageTarget(),
      galleryTarget({ version: '1.2.3', targetRegions: [{ name: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' }] }),
      vhdTarget({ uri: `https://vhdstore.blob.core.windows.net/vhds/app.vhd?sv=2022-11-02&sig=${SAS_SIGNATURE}&se=2030-01-01` }),
    ];
  });
  return { config, body: buildImageTemplate(config, { artifact: stagedArtifact(provisioner, 'sas', size), pinnedPlatformVersion: '2024.06.01' }) };
}

describe('template outputs', function () {
  describe('redactTemplate', function () {
    it('replaces every SAS signature, in URL fields and inside download scripts, and leaves the original intact', function () {
      for (const size of [1024, 50 * 1024 * 1024]) {
        for (const provisioner of ['shell', 'powershell'] as const) {
          const { body } = everything(provisioner, size);
          const original = JSON.stringify(body);
          assert.ok(original.includes(SAS_SIGNATURE), 'the fixture must carry a signature for this test to mean anything');
          const redacted = redactTemplate(body);
          const text = JSON.stringify(redacted);
          assert.ok(!text.includes(SAS_SIGNATURE), text);
          assert.equal(text.split(`sig=${REDACTED}`).length - 1, original.match(/sig=/g)?.length);
          // Everything else is unchanged, and so is the input.
          assert.equal(text, original.split(SAS_SIGNATURE).join(REDACTED));
          assert.equal(JSON.stringify(body), original);
          assert.ok(text.includes(SHA256));
        }
      }
    });

    it('redacts a signature that is not the last query parameter and one in upper case', function () {
      const { body } = everything('shell', 10);
      const distributor = body.properties.distribute[2];
      assert.ok(distributor?.type === 'VHD');
      const vhdUri = (b: ImageTemplateBody): string | undefined => (b.properties.distribute[2] as { uri?: string }).uri;
      assert.equal(vhdUri(redactTemplate(body)), `https://vhdstore.blob.core.windows.net/vhds/app.vhd?sv=2022-11-02&sig=${REDACTED}&se=2030-01-01`);
      distributor.uri = 'https://a.blob.core.windows.net/c/b?SIG=abc&sp=r';
      assert.equal(vhdUri(redactTemplate(body)), `https://a.blob.core.windows.net/c/b?SIG=${REDACTED}&sp=r`);
    });
  });

  describe('toSdkImageTemplate', function () {
    it('flattens properties to the top level of the SDK model', function () {
      const { body } = everything('powershell', 10);
      const sdk = toSdkImageTemplate(body);
      assert.equal(sdk.location, body.location);
      assert.deepEqual(sdk.identity, body.identity);
      assert.deepEqual(sdk.tags, body.tags);
      assert.deepEqual(sdk.source, body.properties.source);
      assert.deepEqual(sdk.customize, body.properties.customize);
      assert.deepEqual(sdk.distribute, body.properties.distribute);
      assert.deepEqual(sdk.vmProfile, body.properties.vmProfile);
      assert.equal(sdk.buildTimeoutInMinutes, body.properties.buildTimeoutInMinutes);
      assert.ok(!('properties' in sdk));
    });

    it('goes on the wire through @azure/arm-imagebuilder 5 as exactly the body the engine built', async function () {
      for (const provisioner of ['shell', 'powershell'] as const) {
        const { body } = everything(provisioner, 50 * 1024 * 1024);
        let sent: unknown;
        // Captures the request instead of sending it; answers as ARM does for a finished PUT.
        const httpClient: HttpClient = {
          async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
            sent = JSON.parse(String(request.body));
            return {
              request,
              status: 200,
              headers: createHttpHeaders({ 'content-type': 'application/json' }),
              bodyAsText: JSON.stringify({ ...body, id: '/x', name: 't', type: 'Microsoft.VirtualMachineImages/imageTemplates', properties: { ...body.properties, provisioningState: 'Succeeded' } }),
            };
          },
        };
        const client = new ImageBuilderClient({ getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3600_000 }) }, 'sub', {
          httpClient,
          retryOptions: { maxRetries: 0 },
        });
        await client.virtualMachineImageTemplates.createOrUpdate('rg', 't', toSdkImageTemplate(body));
        assert.deepEqual(sent, JSON.parse(JSON.stringify(body)), provisioner);
      }
    });
  });

  describe('summarizeTemplate', function () {
    it('describes source, each customizer, validation, every distribution target and the build VM without secrets', function () {
      const config = configWith('shell', (c) => {
        c.source = plannedPlatformSource();
        c.artifacts = artifactsFor('shell', 'sas');
        c.customize.inlineScript = ['echo hi'];
        c.validate = { inlineScript: ['true'], sourceValidationOnly: false, continueDistributeOnFailure: true };
        c.distribute = [managedImageTarget(), galleryTarget({ targetRegions: [{ name: 'westeurope' }, { name: 'eastus', replicaCount: 2 }] }), vhdTarget()];
        c.buildVm.vmSize = 'Standard_D4s_v5';
        c.buildVm.buildTimeoutInMinutes = 100;
      });
      const lines = summarizeTemplate(buildImageTemplate(config, { artifact: stagedArtifact('shell', 'sas', 1000) }));
      assert.deepEqual(lines, [
        'Source: platform image center-for-internet-security-inc:cis-ubuntu-linux-2204-l1:cis-ubuntu2204-l1:2.1.0 (plan cis-ubuntu2204-l1/cis-ubuntu-linux-2204-l1/center-for-internet-security-inc)',
        "Customize 1/4: File 'DownloadBuildArtifacts'",
        "Customize 2/4: Shell 'UnpackBuildArtifacts'",
        "Customize 3/4: Shell 'RunInlineScript'",
        "Customize 4/4: Shell 'RemoveBuildArtifacts'",
        'Validate: 1 in-VM validation (Shell), distribute even if validation fails',
        `Distribute: managed image ${ids.targetManagedImage} in westeurope (run output 'app-managed-image')`,
        `Distribute: gallery image ${ids.galleryDefinition} (next version after the newest) to westeurope, eastus (2 replicas) (run output 'app-gallery')`,
        "Distribute: VHD in the staging storage account (run output 'app-vhd')",
        'Build VM: size Standard_D4s_v5, timeout 100 min',
      ]);
      assert.ok(!lines.join('\n').includes(SAS_SIGNATURE));
    });

    it('names an explicit gallery version and redacts a VHD URL signature', function () {
      const { body } = everything('powershell', 10);
      const lines = summarizeTemplate(body);
      assert.ok(lines.includes(`Distribute: gallery image ${ids.galleryDefinition}/versions/1.2.3 to westeurope (2 replicas, Standard_ZRS) (run output 'app-gallery')`), lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith(`Distribute: VHD https://vhdstore.blob.core.windows.net/vhds/app.vhd?sv=2022-11-02&sig=${REDACTED}`)));
      assert.ok(!lines.join('\n').includes(SAS_SIGNATURE));
    });
  });
});
