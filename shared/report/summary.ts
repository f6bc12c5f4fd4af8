/** The Markdown of the run's summary tab; pure. */
import type { Localize } from '../core/localizedError';
import type { ImageTemplateBody, ImageTemplateCustomizer } from '../template/types';
import { formatDuration } from '../core/format';
import { phaseLabel, type PhaseDuration } from '../core/runPhase';
import { escapeMarkdown } from '../core/markdown';
import type { DistributionKind, DistributionResult, OutputValues } from './outputs';

/**
 * The Markdown of the run's summary tab (task.uploadsummary). Pure: the caller
 * writes it to a file. Every text comes through `loc`; values from Azure or the
 * user are escaped, since a `|` or `<` in a name would otherwise break the table
 * or inject markup.
 */

export interface SummaryFacts {
  /** The task's result, e.g. Succeeded, SucceededWithIssues, Failed, Canceled. */
  outcome: string;
  templateName: string;
  templateId?: string;
  exactStagingResourceGroup?: string;
  /** The body that was submitted. */
  template: Pick<ImageTemplateBody, 'properties'>;
  /** The platform version the run used, when known. */
  platformExactVersion?: string;
  distribution: readonly DistributionResult[];
  outputs: OutputValues;
  phases: readonly PhaseDuration[];
  /** The task's own phases, in order (preflight, upload, create, build). */
  taskPhases?: readonly { phase: string; durationMs: number }[];
  /** The template's steps as the build log showed them. */
  steps?: readonly { title: string; durationMs: number }[];
  /** Whole wait, from the start of the run. */
  totalMs?: number;
  /** The service connection's cloud (AzureCloud, AzureUSGovernment, ...). */
  environment: string;
  /** Lines for the failure section (run message, error, hints); absent on success. */
  failure?: readonly string[];
}

/**
 * Portal hosts of the public clouds. Azure Stack and private endpoints have no
 * fixed portal address, and the German cloud is retired, so those get no links.
 */
const PORTAL_HOSTS: Readonly<Record<string, string>> = {
  azurecloud: 'https://portal.azure.com',
  azureusgovernment: 'https://portal.azure.us',
  azurechinacloud: 'https://portal.azure.cn',
};

function portalHost(environment: string): string | undefined {
  return PORTAL_HOSTS[environment.trim().toLowerCase()];
}

/** Portal deep link to an ARM resource id. */
export function portalLink(environment: string, resourceId: string): string | undefined {
  const host = portalHost(environment);
  if (!host || !resourceId.startsWith('/')) return undefined;
  // Parentheses are legal in resource group names but would end a Markdown link.
  const path = resourceId.split('/').map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29'));
  return `${host}/#resource${path.join('/')}`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)];
}

function sourceLine(facts: SummaryFacts, loc: Localize): string {
  const source = facts.template.properties.source;
  switch (source.type) {
    case 'PlatformImage': {
      const version = facts.platformExactVersion && facts.platformExactVersion !== source.version ? `${source.version} → ${facts.platformExactVersion}` : source.version;
      return loc('SummarySourcePlatform', `${source.publisher}:${source.offer}:${source.sku}`, version);
    }
    case 'ManagedImage':
      return loc('SummarySourceManaged', source.imageId);
    case 'SharedImageVersion':
      return loc('SummarySourceGallery', source.imageVersionId);
  }
}

/** Type and name only: inline scripts may hold anything and are not the summary's business. */
function customizerLine(c: ImageTemplateCustomizer): string {
  const details: string[] = [];
  if ('runElevated' in c && c.runElevated) details.push('elevated');
  if (c.type === 'File' && c.destination) details.push(c.destination);
  const name = c.name ? ` ${c.name}` : '';
  return `${c.type}${name}${details.length ? ` (${details.join(', ')})` : ''}`;
}

const KIND_KEYS: Record<DistributionKind, string> = {
  managedImage: 'SummaryKindManagedImage',
  galleryImageVersion: 'SummaryKindGallery',
  vhd: 'SummaryKindVhd',
};

const TASK_PHASE_KEYS: Readonly<Record<string, string>> = {
  preflight: 'SummaryPhasePreflight',
  upload: 'SummaryPhaseUpload',
  create: 'SummaryPhaseCreate',
  build: 'SummaryPhaseBuild',
};

/** `1.0.3` of a gallery version id, the image name of a managed image id. */
function lastSegment(resourceId: string): string {
  return resourceId.replace(/\/+$/, '').split('/').pop() ?? resourceId;
}

function targetText(result: DistributionResult, loc: Localize): string {
  if (!result.target) return result.kind === 'vhd' ? loc('SummaryDefaultVhdTarget') : '';
  if (result.kind === 'galleryImageVersion' && !/\/versions\//i.test(result.target)) return `${result.target} ${loc('SummaryAutomaticVersion')}`;
  return result.target;
}

export function renderSummary(facts: SummaryFacts, loc: Localize): string {
  const out: string[] = [];
  out.push(`# ${escapeMarkdown(loc('SummaryTitle', facts.outcome, facts.templateName))}`, '');

  out.push(`## ${loc('SummarySource')}`, '', escapeMarkdown(sourceLine(facts, loc)), '');

  out.push(`## ${loc('SummaryCustomizers')}`, '');
  const customizers = facts.template.properties.customize ?? [];
  if (customizers.length === 0) out.push(escapeMarkdown(loc('SummaryNoCustomizers')));
  customizers.forEach((c, i) => out.push(`${i + 1}. ${escapeMarkdown(customizerLine(c))}`));
  out.push('');

  out.push(`## ${loc('SummaryDistribution')}`, '');
  out.push(
    ...table(
      [loc('SummaryColumnKind'), loc('SummaryColumnRunOutput'), loc('SummaryColumnTarget'), loc('SummaryColumnResult')],
      facts.distribution.map((d) => [loc(KIND_KEYS[d.kind]), d.runOutputName, targetText(d, loc), d.artifact ?? loc('SummaryNotProduced')]),
    ),
    '',
  );

  const outputs = Object.entries(facts.outputs).filter(([, v]) => v !== undefined && v !== '');
  if (outputs.length > 0) {
    out.push(`## ${loc('SummaryOutputs')}`, '');
    out.push(...table([loc('SummaryColumnName'), loc('SummaryColumnValue')], outputs.map(([k, v]) => [k, v!])), '');
  }

  const taskPhases = facts.taskPhases ?? [];
  const steps = facts.steps ?? [];
  if (facts.phases.length > 0 || taskPhases.length > 0) {
    out.push(`## ${loc('SummaryPhases')}`, '');
    const rows: string[][] = [];
    const servicePhases = facts.phases.map((p) => [loc('SummaryPhaseService', phaseLabel(p.phase)), formatDuration(p.durationMs)]);
    const stepRows = steps.map((s) => [loc('SummaryPhaseStep', s.title), formatDuration(s.durationMs)]);
    let buildShown = false;
    for (const p of taskPhases) {
      const key = TASK_PHASE_KEYS[p.phase];
      if (!key) continue;
      rows.push([loc(key), formatDuration(p.durationMs)]);
      // The service's phases and the steps are the parts of the build.
      if (p.phase === 'build') {
        rows.push(...servicePhases, ...stepRows);
        buildShown = true;
      }
    }
    if (!buildShown) rows.push(...servicePhases, ...stepRows);
    if (facts.totalMs !== undefined) rows.push([loc('SummaryTotal'), formatDuration(facts.totalMs)]);
    out.push(...table([loc('SummaryColumnPhase'), loc('SummaryColumnDuration')], rows), '');
  }

  if (facts.failure && facts.failure.length > 0) {
    out.push(`## ${loc('SummaryFailure')}`, '');
    for (const line of facts.failure) out.push(`- ${escapeMarkdown(line)}`);
    out.push('');
  }

  out.push(`## ${loc('SummaryLinks')}`, '');
  if (!portalHost(facts.environment)) {
    out.push(escapeMarkdown(loc('SummaryNoPortal', facts.environment)));
  } else {
    // What the run produced first: it outlives the template and the staging group, which cleanup deletes.
    for (const d of facts.distribution) {
      if (d.kind === 'vhd' || !d.artifact) continue;
      const url = portalLink(facts.environment, d.artifact);
      if (url) out.push(`- [${escapeMarkdown(loc('SummaryLinkProduced', loc(KIND_KEYS[d.kind]), lastSegment(d.artifact)))}](${url})`);
    }
    const links: [string, string | undefined][] = [
      ['SummaryLinkTemplate', facts.templateId],
      ['SummaryLinkStaging', facts.exactStagingResourceGroup],
    ];
    for (const [key, id] of links) {
      const url = id ? portalLink(facts.environment, id) : undefined;
      if (url) out.push(`- [${escapeMarkdown(loc(key))}](${url})`);
    }
  }
  out.push('');
  return out.join('\n');
}
