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

  if (facts.phases.length > 0) {
    out.push(`## ${loc('SummaryPhases')}`, '');
    const rows = facts.phases.map((p) => [phaseLabel(p.phase), formatDuration(p.durationMs)]);
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
