/** The task's output variables, computed from what the build produced; pure. */
import type { ImageTemplateBody, ImageTemplateDistributor } from '../template/types';
import { redactSas } from '../core/sasRedaction';

/**
 * The task's output variables (task.json `outputVariables`), computed from what
 * the build produced. Pure: the caller sets each with host.setOutput.
 */

const OUTPUT_NAMES = [
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
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];
export type OutputValues = Partial<Record<OutputName, string>>;

/** One entry of the template's runOutputs. */
export interface RunOutput {
  name: string;
  artifactId?: string;
  artifactUri?: string;
}

export interface OutputFacts {
  /** The body that was submitted (its source and distribute decide which outputs exist). */
  template: Pick<ImageTemplateBody, 'properties'>;
  templateName: string;
  templateId?: string;
  runOutputs: readonly RunOutput[];
  exactStagingResourceGroup?: string;
  runState?: string;
  /** The platform version the run used: the template's `source.exactVersion`, or the version pinned at submit. */
  platformExactVersion?: string;
}

export type DistributionKind = 'managedImage' | 'galleryImageVersion' | 'vhd';

/** A distribution target with what the run produced for it. */
export interface DistributionResult {
  kind: DistributionKind;
  runOutputName: string;
  /** What the user asked for: the image id, gallery image (version) id or VHD URL; absent for a default VHD. */
  target?: string;
  /** The artifact id (managed image, gallery version) or VHD URL; absent when the run produced none. */
  artifact?: string;
}

const KIND_OF: Record<ImageTemplateDistributor['type'], DistributionKind> = {
  ManagedImage: 'managedImage',
  SharedImage: 'galleryImageVersion',
  VHD: 'vhd',
};

function targetOf(d: ImageTemplateDistributor): string | undefined {
  switch (d.type) {
    case 'ManagedImage':
      return d.imageId;
    case 'SharedImage':
      return d.galleryImageId;
    case 'VHD':
      return d.uri;
  }
}

/** Guesses the kind of a run output with no distributor of its name (e.g. added by the service). */
function kindFromArtifact(output: RunOutput): DistributionKind | undefined {
  if (output.artifactId && /\/galleries\/[^/]+\/images\/[^/]+\/versions\//i.test(output.artifactId)) return 'galleryImageVersion';
  if (output.artifactId && /\/providers\/Microsoft\.Compute\/images\//i.test(output.artifactId)) return 'managedImage';
  if (output.artifactUri) return 'vhd';
  return undefined;
}

function artifactOf(kind: DistributionKind, output: RunOutput | undefined): string | undefined {
  if (!output) return undefined;
  const value = kind === 'vhd' ? (output.artifactUri ?? output.artifactId) : (output.artifactId ?? output.artifactUri);
  // A VHD URL may come back with a read SAS; outputs are logged, so the signature stays out.
  return value ? redactSas(value) : undefined;
}

/** Pairs each distributor, in template order, with its run output (matched by runOutputName). */
export function distributionResults(template: Pick<ImageTemplateBody, 'properties'>, runOutputs: readonly RunOutput[]): DistributionResult[] {
  const byName = new Map(runOutputs.map((o) => [o.name.toLowerCase(), o]));
  const results: DistributionResult[] = template.properties.distribute.map((d) => {
    const kind = KIND_OF[d.type];
    const output = byName.get(d.runOutputName.toLowerCase());
    byName.delete(d.runOutputName.toLowerCase());
    const target = targetOf(d);
    const artifact = artifactOf(kind, output);
    return { kind, runOutputName: d.runOutputName, ...(target ? { target } : {}), ...(artifact ? { artifact } : {}) };
  });
  for (const output of byName.values()) {
    const kind = kindFromArtifact(output);
    const artifact = kind ? artifactOf(kind, output) : undefined;
    if (kind && artifact) results.push({ kind, runOutputName: output.name, artifact });
  }
  return results;
}

/** Last segment of `.../versions/1.2.3`. */
export function galleryVersionOf(versionId: string): string | undefined {
  const match = /\/versions\/([^/]+)\/?$/i.exec(versionId);
  return match ? match[1] : undefined;
}

/** The output variables the facts support; names without a value are left out. */
export function buildOutputs(facts: OutputFacts): OutputValues {
  const results = distributionResults(facts.template, facts.runOutputs);
  const first = (kind: DistributionKind) => results.find((r) => r.kind === kind && r.artifact)?.artifact;
  const out: OutputValues = { templateName: facts.templateName };
  const set = (name: OutputName, value: string | undefined) => {
    if (value) out[name] = value;
  };
  set('templateId', facts.templateId);
  set('stagingResourceGroup', facts.exactStagingResourceGroup);
  set('runState', facts.runState);
  // As in AzureImageBuilderTask@1: the first distributor's artifact, whatever its kind.
  set('imageUri', results.find((r) => r.artifact)?.artifact);
  set('managedImageId', first('managedImage'));
  const versionId = first('galleryImageVersion');
  set('galleryImageVersionId', versionId);
  set('galleryImageVersion', versionId ? galleryVersionOf(versionId) : undefined);
  set('vhdUri', first('vhd'));

  const source = facts.template.properties.source;
  if (source.type === 'PlatformImage') {
    set('pirPublisher', source.publisher);
    set('pirOffer', source.offer);
    set('pirSku', source.sku);
    set('pirVersion', facts.platformExactVersion || source.version);
  }
  // The exact gallery version built from: `latest` is pinned at submit, so the body names it.
  if (source.type === 'SharedImageVersion' && !/\/versions\/latest\/?$/i.test(source.imageVersionId)) {
    set('sourceImageVersionId', source.imageVersionId);
  }
  return out;
}
