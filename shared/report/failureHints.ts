/**
 * What probably went wrong, and what to do about it, from the texts a failed
 * build leaves behind: the run message, the provisioning error, the ARM error
 * and the end of the build log. Pure: hints are message keys with arguments,
 * formatted by the caller through host.loc.
 */
import { SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES } from '../core/buildTimeout';
import { AzureServiceError, type ServiceFailure } from '../core/serviceFailure';

export interface FailureFacts {
  /** lastRunStatus.message */
  runMessage?: string;
  /** provisioningError (the SDK calls the code provisioningErrorCode). */
  provisioningError?: { code?: string; provisioningErrorCode?: string; message?: string };
  /** An error thrown by an ARM or storage call (RestError or alike). */
  error?: unknown;
  /** Last lines of customization.log. */
  logTail?: readonly string[];
  /** The watch gave up at the build timeout plus margin. */
  timedOut?: boolean;
  /** The template's buildTimeoutInMinutes as applied (0 already turned into 240). */
  buildTimeoutMinutes?: number;
  /** Resource id of the template's managed identity, to name it in hints. */
  templateIdentity?: string;
  /** What Azure failed or refused, when the failure is an answer from Azure. */
  failure?: ServiceFailure;
}

export type HintKey =
  | 'HintConnectionRole'
  | 'HintIdentityRole'
  | 'HintProviderNotRegistered'
  | 'HintIdentityAccess'
  | 'HintQuota'
  | 'HintSkuNotAvailable'
  | 'HintTimeout'
  | 'HintScriptFailed'
  | 'HintIdentityVnet'
  | 'HintIdentityGallery'
  | 'HintIdentityImage'
  | 'HintIdentityStorage'
  | 'HintInvalidRequest'
  | 'HintNotFound'
  | 'HintConflict'
  | 'HintThrottled'
  | 'HintServiceError';

export interface FailureHint {
  key: HintKey;
  args: (string | number)[];
}

/** Code, message and status of an ARM error, wherever the SDK put them. */
export interface ArmErrorFacts {
  statusCode?: number;
  code?: string;
  message?: string;
  /** Codes and messages of nested `details`, outermost first. */
  details: { code?: string; message?: string }[];
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  error?: unknown;
}

function collectDetails(body: unknown, into: { code?: string; message?: string }[], depth = 0): void {
  if (depth > 5 || typeof body !== 'object' || body === null) return;
  if (Array.isArray(body)) {
    for (const item of body) collectDetails(item, into, depth + 1);
    return;
  }
  const b = body as ErrorBody;
  if (b.error !== undefined) return collectDetails(b.error, into, depth + 1);
  const code = typeof b.code === 'string' ? b.code : undefined;
  const message = typeof b.message === 'string' ? b.message : undefined;
  if (code || message) into.push({ ...(code ? { code } : {}), ...(message ? { message } : {}) });
  if (b.details !== undefined) collectDetails(b.details, into, depth + 1);
}

export function armErrorFacts(error: unknown): ArmErrorFacts | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown; details?: unknown };
  const details: { code?: string; message?: string }[] = [];
  collectDetails(e.details, details);
  const top = details[0];
  const code = typeof e.code === 'string' && e.code ? e.code : top?.code;
  const message = typeof e.message === 'string' && e.message ? e.message : top?.message;
  return {
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    ...(code ? { code } : {}),
    ...(message ? { message } : {}),
    details,
  };
}

const KNOWN_PROVIDERS = [
  'Microsoft.VirtualMachineImages',
  'Microsoft.Compute',
  'Microsoft.Storage',
  'Microsoft.Network',
  'Microsoft.KeyVault',
  'Microsoft.ContainerInstance',
  'Microsoft.ManagedIdentity',
];

function firstMatch(texts: readonly string[], pattern: RegExp): RegExpExecArray | undefined {
  for (const text of texts) {
    const m = pattern.exec(text);
    if (m) return m;
  }
  return undefined;
}

function providerNamespace(texts: readonly string[]): string {
  const explicit = firstMatch(texts, /namespace\s+'?([A-Za-z]+\.[A-Za-z.]+?)'?(?=[\s'.,]|$)/i);
  if (explicit) return explicit[1]!;
  for (const ns of KNOWN_PROVIDERS) if (texts.some((t) => t.includes(ns))) return ns;
  return 'Microsoft.VirtualMachineImages';
}

/** Exit-status lines of packer's shell and PowerShell provisioners, and the step that was running. */
function scriptFailure(lines: readonly string[]): { step: string; status: string } | undefined {
  let failedAt = -1;
  let status = '';
  for (let i = lines.length - 1; i >= 0 && failedAt < 0; i--) {
    const m = /(?:non-zero exit status|exit status|exit code)[:\s]+(-?\d+)/i.exec(lines[i]!);
    if (m && m[1] !== '0') {
      failedAt = i;
      status = m[1]!;
    }
  }
  if (failedAt < 0) return undefined;
  let step = '';
  for (let i = failedAt; i >= 0 && !step; i--) {
    const m = /\(telemetry\) Starting provisioner (\S+)/.exec(lines[i]!);
    if (m) step = m[1]!;
  }
  return { step: step || 'script', status };
}

/** ARM resource ids a text names, in order, without trailing punctuation. */
export function resourceIdsIn(text: string): string[] {
  const ids: string[] = [];
  for (const m of text.matchAll(/\/subscriptions\/[^/\s'"]+\/resourceGroups\/[^/\s'"]+\/providers\/[^\s'",;()<>]+/gi)) {
    ids.push(m[0].replace(/[.:]+$/, ''));
  }
  return ids;
}

/** The storage account of a blob URL (`https://<account>.blob.<suffix>/...`). */
function blobAccountIn(text: string): string | undefined {
  return /https:\/\/([a-z0-9]{3,24})\.blob\.[^\s/'"]+/i.exec(text)?.[1];
}

/** The part of a resource id a role is granted on: the VNet of a subnet, the gallery of an image definition. */
function scopeOf(id: string, type: 'virtualNetworks' | 'galleries' | 'images' | 'storageAccounts'): string {
  const m = new RegExp(`^(.*?/${type}/[^/]+)`, 'i').exec(id);
  return m ? m[1]! : id;
}

type IdentityHintKey = 'HintIdentityVnet' | 'HintIdentityGallery' | 'HintIdentityImage' | 'HintIdentityStorage';

/**
 * The role the Image Builder identity lacks, from the resource the service
 * names: the first id that is not the identity itself decides.
 */
function identityResourceHint(texts: readonly string[]): { key: IdentityHintKey; resource: string } | undefined {
  for (const text of texts) {
    for (const id of resourceIdsIn(text)) {
      if (/\/Microsoft\.ManagedIdentity\//i.test(id)) continue;
      if (/\/Microsoft\.Network\/virtualNetworks\//i.test(id)) return { key: 'HintIdentityVnet', resource: scopeOf(id, 'virtualNetworks') };
      if (/\/Microsoft\.Compute\/galleries\//i.test(id)) return { key: 'HintIdentityGallery', resource: scopeOf(id, 'galleries') };
      if (/\/Microsoft\.Compute\/images\//i.test(id)) return { key: 'HintIdentityImage', resource: scopeOf(id, 'images') };
      if (/\/Microsoft\.Storage\/storageAccounts\//i.test(id)) return { key: 'HintIdentityStorage', resource: scopeOf(id, 'storageAccounts') };
    }
    const account = blobAccountIn(text);
    if (account) return { key: 'HintIdentityStorage', resource: account };
  }
  return undefined;
}

/** Hints for a request Azure refused, by its status, when the texts gave none. */
function requestHints(failure: ServiceFailure, add: (key: HintKey, ...args: (string | number)[]) => void): void {
  const status = failure.statusCode ?? 0;
  const request = failure.request ?? '-';
  if (status === 404 || /NotFound$/i.test(failure.code ?? '')) add('HintNotFound', request);
  else if (status === 409) add('HintConflict', request);
  else if (status === 429) add('HintThrottled');
  else if (status >= 500) add('HintServiceError');
  else if (status === 400) add('HintInvalidRequest');
}

/** Hints for the causes the facts point to, most specific first, each at most once. */
export function failureHints(facts: FailureFacts): FailureHint[] {
  const failure = facts.failure ?? (facts.error instanceof AzureServiceError ? facts.error.failure : undefined);
  // A failure of the service's own work (create, run, distribute) is the template identity's business, not the connection's.
  const serviceSide = failure !== undefined && failure.step !== 'request';
  const arm = serviceSide || facts.error instanceof AzureServiceError ? undefined : armErrorFacts(facts.error);
  const armTexts = arm ? [arm.code ?? '', arm.message ?? '', ...arm.details.flatMap((d) => [d.code ?? '', d.message ?? ''])].filter(Boolean) : [];
  const serviceTexts = [
    facts.runMessage ?? '',
    facts.provisioningError?.code ?? facts.provisioningError?.provisioningErrorCode ?? '',
    facts.provisioningError?.message ?? '',
    ...(serviceSide ? [failure.code ?? '', failure.message] : []),
  ].filter(Boolean);
  const all = [...armTexts, ...serviceTexts];
  const hints: FailureHint[] = [];
  const add = (key: HintKey, ...args: (string | number)[]) => {
    if (!hints.some((h) => h.key === key)) hints.push({ key, args });
  };
  const identity = facts.templateIdentity ?? '';

  if (firstMatch(all, /MissingSubscriptionRegistration|NoRegisteredProviderFound|not registered to use namespace/i)) {
    const ns = providerNamespace(all);
    add('HintProviderNotRegistered', ns, ns);
  }
  // The template identity reaches sources, networks, galleries and artifacts on the service's side;
  // the resource the service names says which role it lacks where.
  const identityDenied =
    firstMatch(all, /LinkedAuthorizationFailed|identity\b[^\n]{0,300}?\b(?:does not|doesn't) have (?:access|permission)|not authorized to access|AuthorizationPermissionMismatch/i) !== undefined ||
    (serviceSide && /^(?:Unauthorized|Forbidden)$/i.test(failure.code ?? '')) ||
    // The service checks the source with the template identity: to it, a source it may not read does not exist.
    firstMatch(serviceTexts, /\b(?:source|managed) image\b[^\n]{0,300}?\bnot found|\bimage version\b[^\n]{0,300}?\bnot found/i) !== undefined;
  if (identityDenied) {
    const named = identityResourceHint(serviceTexts);
    if (named) add(named.key, identity || '-', named.resource);
    else add('HintIdentityAccess', identity || '-');
  }
  const denied = /AuthorizationFailed|does not have authorization to perform action/i;
  const armDenied = arm !== undefined && (arm.statusCode === 403 || firstMatch(armTexts, denied) !== undefined);
  if (armDenied) {
    const m = firstMatch(armTexts, /perform action '([^']+)' over scope '([^']+)'/i);
    add('HintConnectionRole', m?.[1] ?? arm?.code ?? '403', m?.[2] ?? '-');
  }
  if (!armDenied && firstMatch(serviceTexts, denied)) {
    const m = firstMatch(serviceTexts, /perform action '([^']+)' over scope '([^']+)'/i);
    add('HintIdentityRole', identity || '-', m?.[1] ?? '-', m?.[2] ?? '-');
  }
  const quota = firstMatch(all, /QuotaExceeded|OperationNotAllowed[^]*?quota|quota[^.]*exceed|exceed[^.]*quota/i);
  if (quota) add('HintQuota', quota[0].length > 80 ? `${quota[0].slice(0, 80)}...` : quota[0]);
  if (firstMatch(all, /SkuNotAvailable|is currently not available in location|not available for the current subscription/i)) add('HintSkuNotAvailable');
  if (facts.timedOut || firstMatch(serviceTexts, /timed? ?out|timeout|context deadline exceeded/i)) {
    add('HintTimeout', facts.buildTimeoutMinutes ?? SERVICE_DEFAULT_BUILD_TIMEOUT_MINUTES);
  }
  const script = scriptFailure(facts.logTail ?? []);
  if (script) add('HintScriptFailed', script.step, script.status);
  else if (firstMatch(serviceTexts, /Packer build command has failed|customization step failed/i)) add('HintScriptFailed', 'script', '?');
  if (failure?.step === 'request' && hints.length === 0) requestHints(failure, add);
  return hints;
}
