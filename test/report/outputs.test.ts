import * as assert from 'node:assert/strict';
import { buildOutputs, distributionResults, galleryVersionOf, type OutputValues } from '../../shared/report/outputs';
import { GALLERY_IMAGE, GALLERY_VERSION_ID, MANAGED_IMAGE_ID, VHD_URL, distributors, platformSource, runOutputFor, templateWith } from './fixtures';

type Kind = 'managed' | 'gallery' | 'vhd';
const EXPECTED: Record<Kind, OutputValues> = {
  managed: { managedImageId: MANAGED_IMAGE_ID },
  gallery: { galleryImageVersionId: GALLERY_VERSION_ID, galleryImageVersion: '1.2.3' },
  vhd: { vhdUri: VHD_URL },
};
const ARTIFACT: Record<Kind, string> = { managed: MANAGED_IMAGE_ID, gallery: GALLERY_VERSION_ID, vhd: VHD_URL };

/** Every non-empty ordered selection of the three kinds. */
function combos(): Kind[][] {
  const kinds: Kind[] = ['managed', 'gallery', 'vhd'];
  const result: Kind[][] = [];
  const walk = (prefix: Kind[]) => {
    if (prefix.length > 0) result.push(prefix);
    for (const k of kinds) if (!prefix.includes(k)) walk([...prefix, k]);
  };
  walk([]);
  return result;
}

describe('buildOutputs', () => {
  for (const combo of combos()) {
    it(`sets the outputs of distributors ${combo.join(' + ')}`, () => {
      const outputs = buildOutputs({
        template: templateWith(combo.map((k) => distributors[k])),
        templateName: 'tmpl',
        templateId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/tmpl',
        // The service lists run outputs in its own order.
        runOutputs: [...combo].reverse().map((k) => runOutputFor[k]),
        exactStagingResourceGroup: '/subscriptions/s/resourceGroups/IT_rg_tmpl',
        runState: 'Succeeded',
        platformExactVersion: '24.04.202501010',
      });
      const expected: OutputValues = {
        templateName: 'tmpl',
        templateId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/tmpl',
        stagingResourceGroup: '/subscriptions/s/resourceGroups/IT_rg_tmpl',
        runState: 'Succeeded',
        imageUri: ARTIFACT[combo[0]!],
        pirPublisher: 'Canonical',
        pirOffer: 'ubuntu-24_04-lts',
        pirSku: 'server',
        pirVersion: '24.04.202501010',
        ...Object.assign({}, ...combo.map((k) => EXPECTED[k])),
      };
      assert.deepEqual(outputs, expected);
    });
  }

  it('sets no pir outputs for managed image and gallery sources', () => {
    for (const source of [
      { type: 'ManagedImage' as const, imageId: MANAGED_IMAGE_ID },
      { type: 'SharedImageVersion' as const, imageVersionId: `${GALLERY_IMAGE}/versions/latest` },
    ]) {
      const outputs = buildOutputs({ template: templateWith([distributors.gallery], source), templateName: 't', runOutputs: [runOutputFor.gallery] });
      assert.deepEqual(Object.keys(outputs).filter((k) => k.startsWith('pir')), []);
      assert.equal(outputs.imageUri, GALLERY_VERSION_ID);
    }
  });

  it('sets sourceImageVersionId to the exact gallery source version, never to latest', () => {
    const build = (imageVersionId: string) =>
      buildOutputs({ template: templateWith([distributors.gallery], { type: 'SharedImageVersion', imageVersionId }), templateName: 't', runOutputs: [runOutputFor.gallery] });
    assert.equal(build(`${GALLERY_IMAGE}/versions/2.0.1`).sourceImageVersionId, `${GALLERY_IMAGE}/versions/2.0.1`);
    // Unresolved latest names no version: better no output than a moving target.
    assert.equal(build(`${GALLERY_IMAGE}/versions/latest`).sourceImageVersionId, undefined);
    const platform = buildOutputs({ template: templateWith([distributors.vhd], platformSource), templateName: 't', runOutputs: [] });
    assert.equal(platform.sourceImageVersionId, undefined);
  });

  it('falls back to the requested platform version when the exact one is unknown', () => {
    const outputs = buildOutputs({ template: templateWith([distributors.vhd], { ...platformSource, version: '1.0.0' }), templateName: 't', runOutputs: [] });
    assert.equal(outputs.pirVersion, '1.0.0');
  });

  it('leaves out what the run did not produce, so imageUri is the first artifact that exists', () => {
    const outputs = buildOutputs({
      template: templateWith([distributors.managed, distributors.gallery]),
      templateName: 't',
      runOutputs: [runOutputFor.gallery],
      runState: 'PartiallySucceeded',
    });
    assert.equal(outputs.managedImageId, undefined);
    assert.equal(outputs.imageUri, GALLERY_VERSION_ID);
    assert.equal(outputs.runState, 'PartiallySucceeded');
  });

  it('matches run output names without regard to case and hides a SAS signature in a VHD URL', () => {
    const results = distributionResults(templateWith([distributors.vhd]), [{ name: 'VHD', artifactUri: `${VHD_URL}?sv=1&sig=SECRET%3D&se=2` }]);
    assert.deepEqual(results, [{ kind: 'vhd', runOutputName: 'vhd', artifact: `${VHD_URL}?sv=1&sig=***&se=2` }]);
  });

  it('reads the version out of a gallery image version id', () => {
    assert.equal(galleryVersionOf(GALLERY_VERSION_ID), '1.2.3');
    assert.equal(galleryVersionOf(GALLERY_IMAGE), undefined);
  });
});
