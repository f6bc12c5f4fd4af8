/**
 * What the e2e scenarios assert beyond the agent result: what the stand-ins
 * hold after a run (ARM state, Azurite blobs), what the task asked of ARM
 * (the request log), and that nothing secret reached anything the task
 * printed or uploaded.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { AgentRunResult } from '../../testkit/agent/runTaskLikeAgent';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import type { RequestLogEntry } from '../../testkit/emulators/arm/types';

export interface BlobEntry {
  account: string;
  container: string;
  name: string;
  size: number;
}

/** Every blob in every Azurite account, read with the account's shared key. */
export async function listAzuriteBlobs(azure: LocalAzure): Promise<BlobEntry[]> {
  const found: BlobEntry[] = [];
  for (const account of azure.azurite.accounts) {
    const service = new BlobServiceClient(azure.azurite.url(account.name), new StorageSharedKeyCredential(account.name, account.key));
    for await (const container of service.listContainers()) {
      for await (const blob of service.getContainerClient(container.name).listBlobsFlat()) {
        found.push({ account: account.name, container: container.name, name: blob.name, size: blob.properties.contentLength ?? 0 });
      }
    }
  }
  return found;
}

/** Blobs in the user's artifact account whose name mentions the template (the task names the blob after it). */
export async function artifactBlobsOf(azure: LocalAzure, templateName: string): Promise<BlobEntry[]> {
  return (await listAzuriteBlobs(azure)).filter(
    (b) => b.account === azure.azurite.userAccount.name && b.name.toLowerCase().includes(templateName.toLowerCase()),
  );
}

export function templatesNamed(azure: LocalAzure, templateName: string) {
  return azure.arm.state().imageTemplates.filter((t) => t.name === templateName);
}

/** ARM requests that create or change something (anything but reads). */
export function writes(requests: RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
}

/** ARM requests against one template (its own path and below). */
export function requestsForTemplate(requests: RequestLogEntry[], templateName: string): RequestLogEntry[] {
  const needle = `/imagetemplates/${templateName.toLowerCase()}`;
  return requests.filter((r) => r.path.toLowerCase().includes(needle));
}

/**
 * How far a template's deletion is: gone; `requested` = Azure accepted a
 * DELETE (202) and the template is still there, being deleted or queued behind
 * its cancel (real Azure keeps the delete going for minutes, and the task does
 * not wait for it); `present` = no accepted DELETE, the template stands.
 */
export function deletionOf(azure: LocalAzure, templateName: string): 'gone' | 'requested' | 'present' {
  if (templatesNamed(azure, templateName).length === 0) return 'gone';
  const accepted = requestsForTemplate(azure.arm.requests(), templateName).some(
    (r) => r.method === 'DELETE' && r.status === 202 && r.path.toLowerCase().endsWith(`/imagetemplates/${templateName.toLowerCase()}`),
  );
  return accepted ? 'requested' : 'present';
}

/**
 * What the cleanup policy promises, checked on the stand-ins:
 * gone = the template deleted or its deletion requested and under way (the
 * task does not wait for Azure to finish it), and no artifact blob;
 * kept = both still there, no deletion requested.
 * The staging resource group goes with the template (the service deletes it).
 */
export async function assertCleanup(
  azure: LocalAzure,
  templateName: string,
  expect: { template: 'gone' | 'kept'; blob: 'gone' | 'kept' | 'none'; stagingGroup?: string },
): Promise<void> {
  if (expect.template === 'gone') {
    assert.notEqual(deletionOf(azure, templateName), 'present', `template ${templateName} should have been deleted or its deletion requested`);
  } else {
    assert.equal(deletionOf(azure, templateName), 'present', `template ${templateName} should have been kept`);
  }
  // With short stand-in timings a requested deletion ends in moments; with recorded ones it is still going.
  await waitForIdle(azure);
  const state = deletionOf(azure, templateName);
  if (expect.template === 'gone') assert.notEqual(state, 'present', `template ${templateName} should have been deleted`);
  else assert.equal(templatesNamed(azure, templateName).length, 1, `template ${templateName} should have been kept`);
  if (expect.stagingGroup && state !== 'requested') {
    const group = azure.arm.state().resourceGroups.find((g) => g.name.toLowerCase() === expect.stagingGroup!.toLowerCase());
    if (expect.template === 'gone') assert.equal(group, undefined, `staging resource group ${expect.stagingGroup} should be gone with the template`);
    else assert.ok(group, `staging resource group ${expect.stagingGroup} should be kept with the template`);
  }
  const blobs = await artifactBlobsOf(azure, templateName);
  if (expect.blob === 'kept') assert.equal(blobs.length, 1, `the artifact blob of ${templateName} should have been kept; found ${JSON.stringify(blobs)}`);
  else assert.deepEqual(blobs, [], `no artifact blob of ${templateName} should remain`);
}

/**
 * Settles when a status read of the template's build arrives at the ARM
 * stand-in after its POST .../run: the build is running and the task is
 * watching it. A cancel on this event lands mid-build without waiting for
 * the task's next poll to print a sub-state.
 */
export function statusReadOfRun(azure: LocalAzure, templateName: string): Promise<RequestLogEntry> {
  const own = `/imagetemplates/${templateName.toLowerCase()}`;
  let runPosted = false;
  return azure.arm.waitForRequest((r) => {
    const p = r.path.toLowerCase();
    if (r.method === 'POST' && p.endsWith(`${own}/run`)) runPosted = true;
    return runPosted && r.method === 'GET' && p.endsWith(own);
  });
}

/** Deletions and builds are asynchronous in the stand-in; wait until none is in flight. */
export async function waitForIdle(azure: LocalAzure, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (azure.arm.state().activeOperations > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;
const SAS_SIGNATURE = /[?&]sig=(?!\*\*\*)[^&\s"'<>]+/i;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Everything the task printed, attached or uploaded, as named texts. */
export function publishedTexts(result: AgentRunResult): Array<{ where: string; text: string }> {
  const texts = [{ where: 'log', text: result.log.join('\n') }];
  const files = new Set<string>([
    ...result.attachments.map((a) => a.path),
    ...result.summaries,
    ...result.logs,
    ...result.uploadedFiles,
  ]);
  for (const file of files) {
    if (fs.existsSync(file)) texts.push({ where: file, text: fs.readFileSync(file, 'utf8') });
  }
  for (const [name, value] of Object.entries(result.outputs)) texts.push({ where: `output ${name}`, text: value });
  return texts;
}

/**
 * No secret in anything published: the given literal secrets, any JWT (every
 * token the Entra and DevOps stand-ins issue is one), any SAS signature, any
 * private key, any storage account key.
 */
export function assertNoSecrets(result: AgentRunResult, azure: LocalAzure, extra: string[] = []): void {
  const s = azure.scenario;
  const literals = [
    s.secretApp.clientSecret,
    azure.devops.jobAccessToken,
    ...s.certificateApp.privateKeyPem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
    ...azure.azurite.accounts.map((a) => a.key),
    ...extra,
  ].filter((v) => v.length >= 8);
  const texts = publishedTexts(result);
  assert.ok(texts.length >= 1);
  for (const { where, text } of texts) {
    for (const secret of literals) {
      assert.ok(!text.includes(secret), `${where} contains a secret (${secret.slice(0, 4)}…)`);
    }
    assert.doesNotMatch(text, JWT, `${where} contains a token`);
    assert.doesNotMatch(text, SAS_SIGNATURE, `${where} contains a SAS signature`);
    assert.doesNotMatch(text, PRIVATE_KEY, `${where} contains a private key`);
  }
}

/** Prints the task log when a run did not end as expected, then asserts. */
export function assertResult(result: AgentRunResult, expected: AgentRunResult['result']): void {
  if (result.result !== expected) {
    console.log(result.log.join('\n'));
  }
  assert.equal(result.result, expected, `task result (issues: ${JSON.stringify(result.issues.map((i) => i.message))})`);
}

export { FAST_BUILD, node20Path, uniqueTemplateName } from '../../testkit/harness';

/**
 * Keeps the body each template was created with, read from the ARM stand-in
 * while runs are going on: the template (and with it the body) is gone once
 * cleanup has deleted it.
 */
export function recordSubmittedTemplates(azure: LocalAzure): { get(templateName: string): Record<string, unknown> | undefined; stop(): void } {
  const seen = new Map<string, Record<string, unknown>>();
  const grab = () => {
    for (const t of azure.arm.state().imageTemplates) if (!seen.has(t.name)) seen.set(t.name, t.submitted);
  };
  const timer = setInterval(grab, 50);
  return {
    get: (name) => {
      grab();
      return seen.get(name);
    },
    stop: () => clearInterval(timer),
  };
}

/** The customizers of a submitted template body. */
export function customizersOf(body: Record<string, unknown> | undefined): Array<Record<string, unknown>> {
  const props = (body?.['properties'] ?? {}) as { customize?: Array<Record<string, unknown>> };
  return props.customize ?? [];
}
