/** Resource names: the service's pattern for templates and run outputs, the default template name, and name checks of other inputs. */
import { createHash } from 'node:crypto';
import type { DistributeKind, PipelineContext } from './types';

/** Image template and run output names: the service's pattern for both. */
const AZURE_NAME = /^[A-Za-z0-9-_.]{1,64}$/;
const MAX_NAME = 64;

/** Replaces what the service does not accept with '-', collapsing runs and trimming the ends. */
function sanitize(text: string): string {
  return text
    .replace(/[^A-Za-z0-9-_.]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * `ib-<project>-<buildId>-<attempt>-<step key>`. The build id and job attempt
 * make it unique per attempt, so a retried job never collides with the
 * template its failed attempt left behind; the step key (see stepKey) tells
 * apart the jobs of one run and two steps of one job, which share build id and
 * attempt. When the name is too long the project part is cut, never the
 * unique tail.
 */
export function defaultTemplateName(context: PipelineContext): string {
  const key = stepKey(context);
  const tail = [context.buildId, context.jobAttempt, key ?? ''].map(sanitize).filter((part) => part !== '').join('-');
  const suffix = tail === '' ? '' : `-${tail}`.slice(-(MAX_NAME - 'ib'.length));
  const project = sanitize(context.teamProject).slice(0, Math.max(0, MAX_NAME - 'ib-'.length - suffix.length));
  const head = project === '' ? 'ib' : `ib-${sanitize(project)}`;
  return `${head}${suffix}`;
}

/**
 * 8 hex digits of SHA-256 over System.JobId and System.TaskInstanceId: short
 * enough for the 64-character name, and the same for a step on every attempt
 * (the attempt is in the name already). Undefined when the agent gave neither.
 */
export function stepKey(context: PipelineContext): string | undefined {
  const jobId = context.jobId ?? '';
  const taskInstanceId = context.taskInstanceId ?? '';
  if (jobId === '' && taskInstanceId === '') return undefined;
  return createHash('sha256').update(`${jobId.toLowerCase()}/${taskInstanceId.toLowerCase()}`).digest('hex').slice(0, 8);
}

const RUN_OUTPUT_SUFFIX: Readonly<Record<DistributeKind, string>> = {
  managedImage: 'mi',
  sharedImageGallery: 'sig',
  vhd: 'vhd',
};

/** `<base>-<kind suffix>` cut to 64 characters by shortening the base. */
function withSuffix(base: string, kind: DistributeKind): string {
  const suffix = `-${RUN_OUTPUT_SUFFIX[kind]}`;
  const cut = base.slice(0, MAX_NAME - suffix.length).replace(/[-.]+$/, '');
  return `${cut}${suffix}`;
}

/**
 * Run output names, one per distributor. Without an explicit name each gets
 * `<templateName>-<kind>`; an explicit name is used as it is for a single
 * distributor and gets a per-kind suffix when there are several, since the
 * service requires them to be unique within a template.
 */
export function runOutputNames(
  kinds: readonly DistributeKind[],
  templateName: string,
  explicit: string | undefined,
): Record<DistributeKind, string> {
  const names = {} as Record<DistributeKind, string>;
  for (const kind of kinds) {
    if (explicit !== undefined && kinds.length === 1) names[kind] = explicit;
    else names[kind] = withSuffix(explicit ?? templateName, kind);
  }
  return names;
}

/** Storage account names: 3 to 24 lowercase letters and digits. */
export function isStorageAccountName(name: string): boolean {
  return /^[a-z0-9]{3,24}$/.test(name);
}

/** Blob container names: 3 to 63 lowercase letters, digits and single inner hyphens. */
export function isContainerName(name: string): boolean {
  return name.length >= 3 && name.length <= 63 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name);
}

/** VM size names such as Standard_D2s_v5. */
export function isVmSize(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{1,63}$/.test(name);
}

/**
 * A name the user gives for an image template or run output. The service's
 * pattern is `^[A-Za-z0-9-_.]{1,64}$`, but the name is also a segment of the
 * resource URL: `.` and `..` would resolve to another path, and Azure Resource
 * Manager refuses names ending in `.`. So the name must also start with a
 * letter or digit and end with a letter, digit or `_`.
 */
export function isExplicitResourceName(name: string): boolean {
  return AZURE_NAME.test(name) && /^[A-Za-z0-9]/.test(name) && /[A-Za-z0-9_]$/.test(name);
}
