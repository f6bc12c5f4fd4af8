/**
 * The stand-in answers as the live service answered in recorded traffic.
 * Every file in test/fixtures/real-traffic/ holds the imageTemplates exchanges
 * of one recording (source repository, path and commit inside): the same
 * requests are sent to the stand-in and each answer is compared with the
 * recorded one: status, which headers are there and which are not, the shape
 * of operation URLs, and the body's key sets, value kinds, id casing and
 * timestamp formats. Any difference fails, so a stand-in that drifts from
 * the service (or a fixture that adds a fact) shows up here.
 *
 * Recorded durations are scaled down (scaledTiming(RECORDED_TIMING, ...)) so the
 * sequence keeps its order without real minutes; no wall-clock bound is asserted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../../testkit/repoRoot';
import { armCall, type RawResponse } from '../../../testkit/emulators/arm/armClient';
import { uploadArtifact } from '../../../testkit/emulators/arm/fixtures';
import { startHarness, waitFor, type Harness } from '../../../testkit/emulators/arm/harness';
import { RECORDED_TIMING, recordedTransientPutFault, scaledTiming, type BuildScenario } from '../../../testkit/emulators/arm/index';

type Json = Record<string, unknown>;

interface RecordedRequest {
  method: string;
  /** 'template', 'template/<suffix>' or 'operation:<create|run|delete|setup>' */
  target: string;
  body?: Json;
  /** For operations: poll until the status is this one. */
  until?: string;
}

interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  absentHeaders?: string[];
  /** Header names whose URLs must name the same operation (equal strings only when unsigned). */
  sameOperation?: string[];
  emptyBody?: boolean;
  body?: unknown;
  /** Dotted paths that must not be in the body. */
  absentKeys?: string[];
}

interface Fixture {
  source: { repo: string; path: string; commit: string };
  what: string;
  signedOperationUrls: boolean;
  scenario?: Partial<BuildScenario>;
  fault?: 'recordedTransientPutFault';
  externalUrls?: string[];
  world: {
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    identities: string[];
    platformImages: Array<{ publisher: string; offer: string; sku: string; version: string }>;
    galleryImages?: Array<{ id: string; osType: 'Linux' | 'Windows' }>;
  };
  template: string;
  setup?: RecordedRequest[];
  exchanges: Array<{ name: string; request: RecordedRequest; response: RecordedResponse }>;
}

const FIXTURE_DIR = path.join(repoRoot, 'test', 'fixtures', 'real-traffic');

/** 1/200 of the recorded durations: a 139 s delete takes 0.7 s, a 3 min Canceling 0.9 s. */
const TIMING = scaledTiming(RECORDED_TIMING, 0.005);

// ---- how a value is compared: its kind and, for strings, its format -----------------------

/** The format of a string as a client would parse it; free text is compared by value. */
export function stringClass(s: string): string {
  if (s === '') return 'empty';
  if (s === '0001-01-01T00:00:00Z') return 'zero-time';
  const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d+))?Z$/.exec(s);
  if (time) {
    // The service trims trailing zeros: .NET times have 1-7 fractional digits, Go times up to 9.
    const digits = time[1]?.length ?? 0;
    return digits > 7 ? 'time with 8-9 fractional digits' : 'time with 0-7 fractional digits';
  }
  if (/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(s)) return 'GUID, upper case';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s)) return 'GUID, lower case';
  if (/^[0-9a-f]{64}$/.test(s)) return 'sha256, lower-case hex';
  if (s.startsWith('/subscriptions/')) {
    const rg = /\/(resourcegroups)\//i.exec(s)?.[1];
    return rg ? `resource id spelled /${rg}/` : 'resource id without resource group';
  }
  if (/^https?:\/\//.test(s)) return 'URL';
  return `text ${JSON.stringify(s)}`;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Differences between a recorded body and the stand-in's, as readable lines. */
export function bodyDifferences(recorded: unknown, actual: unknown, where = '$'): string[] {
  if (kind(recorded) !== kind(actual)) return [`${where}: recorded ${kind(recorded)} ${JSON.stringify(recorded)}, got ${kind(actual)} ${JSON.stringify(actual)?.slice(0, 200)}`];
  if (typeof recorded === 'string') {
    const [a, b] = [stringClass(recorded), stringClass(actual as string)];
    return a === b ? [] : [`${where}: recorded ${a}, got ${b}`];
  }
  if (typeof recorded === 'number' || typeof recorded === 'boolean') {
    return recorded === actual ? [] : [`${where}: recorded ${String(recorded)}, got ${String(actual)}`];
  }
  if (Array.isArray(recorded)) {
    const act = actual as unknown[];
    if (recorded.length !== act.length) return [`${where}: recorded ${recorded.length} items, got ${act.length}`];
    return recorded.flatMap((r, i) => bodyDifferences(r, act[i], `${where}[${i}]`));
  }
  if (recorded !== null && typeof recorded === 'object') {
    const rec = recorded as Json;
    const act = actual as Json;
    const missing = Object.keys(rec).filter((k) => !(k in act));
    const extra = Object.keys(act).filter((k) => !(k in rec));
    const out: string[] = [];
    if (missing.length > 0) out.push(`${where}: keys missing: ${missing.join(', ')}`);
    if (extra.length > 0) out.push(`${where}: keys the service did not send: ${extra.join(', ')}`);
    for (const k of Object.keys(rec)) if (k in act) out.push(...bodyDifferences(rec[k], act[k], `${where}.${k}`));
    return out;
  }
  return [];
}

const OPERATION_PATH = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.VirtualMachineImages\/locations\/[a-z0-9]+\/operations\/([^/]+)$/;

/** Differences between a recorded operation URL and the stand-in's: path shape, id casing and query keys. */
export function operationUrlDifferences(recorded: string, actual: string, header: string): string[] {
  const rec = new URL(recorded.replace(/<[^>]*>/g, 'x'));
  const act = new URL(actual);
  const out: string[] = [];
  const recId = OPERATION_PATH.exec(rec.pathname)?.[1];
  const actId = OPERATION_PATH.exec(act.pathname)?.[1];
  if (!recId) throw new Error(`fixture: ${header} is not an operations URL: ${recorded}`);
  if (!actId) return [`${header}: ${act.pathname} is not .../providers/Microsoft.VirtualMachineImages/locations/{loc}/operations/{id}`];
  if (stringClass(recId) !== stringClass(actId)) out.push(`${header}: operation id recorded as ${stringClass(recId)}, got ${stringClass(actId)}`);
  const keys = (u: URL) => [...u.searchParams.keys()].sort().join('&');
  if (keys(rec) !== keys(act)) out.push(`${header}: query keys recorded ${keys(rec)}, got ${keys(act)}`);
  const t = act.searchParams.get('t');
  if (t !== null && !/^\d{18}$/.test(t)) out.push(`${header}: t must be .NET ticks, got ${t}`);
  return out;
}

function hasPath(body: unknown, dotted: string): boolean {
  let v: unknown = body;
  for (const k of dotted.split('.')) {
    if (v === null || typeof v !== 'object' || !(k in (v as Json))) return false;
    v = (v as Json)[k];
  }
  return true;
}

function responseDifferences(rec: RecordedResponse, res: RawResponse): string[] {
  const out: string[] = [];
  if (res.status !== rec.status) out.push(`status: recorded ${rec.status}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
  for (const [name, value] of Object.entries(rec.headers ?? {})) {
    const actual = res.headers.get(name);
    if (actual === null) {
      out.push(`header ${name}: recorded, missing`);
    } else if (value.includes('/operations/')) {
      out.push(...operationUrlDifferences(value, actual, name));
    } else if (name === 'content-type') {
      if (!actual.startsWith(value)) out.push(`header ${name}: recorded ${value}, got ${actual}`);
    } else if (actual !== value) {
      out.push(`header ${name}: recorded ${value}, got ${actual}`);
    }
  }
  for (const name of rec.absentHeaders ?? []) if (res.headers.has(name)) out.push(`header ${name}: not sent by the service, got ${res.headers.get(name)}`);
  const same = rec.sameOperation?.map((n) => res.headers.get(n) ?? '');
  if (same) {
    const paths = same.map((u) => (u ? new URL(u).pathname : ''));
    if (new Set(paths).size !== 1) out.push(`headers ${rec.sameOperation?.join(', ')} must name the same operation: ${same.join(' vs ')}`);
    const signed = same.some((u) => u.includes('&s='));
    if (!signed && new Set(same).size !== 1) out.push(`headers ${rec.sameOperation?.join(', ')} must be the same URL when unsigned: ${same.join(' vs ')}`);
    if (signed && new Set(same).size !== 2) out.push(`headers ${rec.sameOperation?.join(', ')} carry their own signatures: ${same.join(' vs ')}`);
  }
  if (rec.emptyBody && (res.body !== undefined || (res.headers.get('content-length') ?? '0') !== '0')) out.push(`body: recorded empty, got ${JSON.stringify(res.body)}`);
  if (rec.body !== undefined) out.push(...bodyDifferences(rec.body, res.body));
  for (const p of rec.absentKeys ?? []) if (hasPath(res.body, p)) out.push(`body: ${p} is not in the service's answer`);
  return out;
}

function loadFixtures(): Array<[string, Fixture]> {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8')) as Fixture]);
}

function replaceStrings<T>(value: T, map: Map<string, string>): T {
  let text = JSON.stringify(value);
  for (const [from, to] of map) text = text.split(JSON.stringify(from).slice(1, -1)).join(JSON.stringify(to).slice(1, -1));
  return JSON.parse(text) as T;
}

describe('ARM stand-in fidelity: recorded Image Builder traffic replayed', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({ buildTiming: TIMING });
  });
  after(async () => {
    await h?.stop();
  });

  const fixtures = loadFixtures();

  it('has recorded exchanges to replay, each naming its source', () => {
    assert.ok(fixtures.length >= 9, `fixtures in ${FIXTURE_DIR}`);
    for (const [file, f] of fixtures) {
      assert.match(f.source.repo, /^Azure\//, file);
      assert.ok(f.source.path && f.source.commit, `${file}: source path and commit`);
      assert.ok(f.exchanges.length > 0, file);
    }
  });

  for (const [file, fixture] of fixtures) {
    it(`${file}: ${fixture.source.path.split('/').pop()}`, async () => {
      const w = fixture.world;
      h.arm.seed({
        resourceGroups: [{ subscriptionId: w.subscriptionId, name: w.resourceGroup, location: w.location }],
        identities: w.identities.map((id) => ({ id, location: w.location })),
        platformImages: w.platformImages.map((p) => ({ location: w.location, ...p })),
        galleryImages: (w.galleryImages ?? []).map((g) => ({ location: w.location, ...g })),
      });
      h.arm.setScenario({
        provisioningFailure: undefined,
        deleteWhileCanceling: undefined,
        checksumsAtCreate: undefined,
        ...fixture.scenario,
        signedOperationUrls: fixture.signedOperationUrls,
      });
      if (fixture.fault === 'recordedTransientPutFault') h.arm.injectFault(recordedTransientPutFault(fixture.template.split('/').pop()));

      // Scripts on the internet become blobs on Azurite: the stand-in never leaves the machine.
      const urls = new Map<string, string>();
      for (const [i, u] of (fixture.externalUrls ?? []).entries()) {
        urls.set(u, (await uploadArtifact(h.azurite, `${file}/${i}/${u.split('/').pop() ?? 'script'}`, Buffer.from(`#!/bin/bash\necho ${file} ${i}\n`))).sasUrl);
      }

      const operations = new Map<string, string>();
      const send = async (req: RecordedRequest): Promise<RawResponse> => {
        let target: string;
        if (req.target.startsWith('operation:')) {
          const url = operations.get(req.target.slice('operation:'.length));
          assert.ok(url, `${file}: no ${req.target} URL yet`);
          target = url;
        } else {
          target = fixture.template + req.target.slice('template'.length);
        }
        const call = () => armCall(h.arm.url, req.method, target, req.body ? { body: replaceStrings(req.body, urls) } : {});
        const res = req.until
          ? await waitFor(`${req.target} ${req.until}`, async () => {
              const r = await call();
              return (r.body as Json | undefined)?.status === req.until || (r.body as Json | undefined)?.status !== 'InProgress' ? r : undefined;
            }, 60_000)
          : await call();
        const async = res.headers.get('azure-asyncoperation');
        if (async) {
          operations.set('setup', async);
          if (req.method === 'PUT') operations.set('create', async);
          if (req.method === 'DELETE') operations.set('delete', async);
          if (req.target.endsWith('/run')) operations.set('run', async);
        }
        return res;
      };

      for (const req of fixture.setup ?? []) {
        const res = await send(req);
        assert.ok(res.status < 300, `${file}: setup ${req.method} ${req.target} answered ${res.status} ${JSON.stringify(res.body)}`);
        if (req.until) assert.equal((res.body as Json).status, req.until, `${file}: setup ${req.target}`);
      }
      for (const ex of fixture.exchanges) {
        const res = await send(ex.request);
        const differences = responseDifferences(replaceStrings(ex.response, urls), res);
        assert.deepEqual(differences, [], `${file}, ${ex.name}: the stand-in answers differently from the recording`);
      }
    });
  }
});

describe('ARM stand-in fidelity: the comparison itself', () => {
  it('tells formats apart: fractional digits, zero time, GUID casing, id casing', () => {
    assert.deepEqual(bodyDifferences({ t: '2023-05-25T07:59:42.169984039Z' }, { t: '2023-05-25T07:59:42.169Z' }), [
      '$.t: recorded time with 8-9 fractional digits, got time with 0-7 fractional digits',
    ]);
    assert.deepEqual(bodyDifferences({ t: '2025-05-19T05:00:00.289511Z' }, { t: '2025-05-19T04:57:47.7038827Z' }), [], 'trimmed trailing zeros');
    assert.equal(bodyDifferences({ e: '0001-01-01T00:00:00Z' }, { e: '2023-05-25T07:59:42Z' }).length, 1);
    assert.equal(bodyDifferences({ n: 'B72794B3-7B69-4D8A-83C0-52883438D4B0' }, { n: 'b72794b3-7b69-4d8a-83c0-52883438d4b0' }).length, 1);
    assert.equal(bodyDifferences({ id: '/subscriptions/s/resourcegroups/rg' }, { id: '/subscriptions/s/resourceGroups/rg' }).length, 1);
    assert.deepEqual(bodyDifferences({ id: '/subscriptions/s/resourcegroups/rg' }, { id: '/subscriptions/t/resourcegroups/other' }), []);
  });

  it('reports missing and extra keys and different free text', () => {
    assert.deepEqual(bodyDifferences({ a: { runState: 'Canceling', message: 'Canceling image build' } }, { a: { runState: 'Canceling', runSubState: 'Queued', message: '' } }), [
      '$.a: keys the service did not send: runSubState',
      '$.a.message: recorded text "Canceling image build", got empty',
    ]);
    assert.deepEqual(bodyDifferences({ a: 1, b: 2 }, { a: 1 }), ['$: keys missing: b']);
  });

  it('checks operation URLs: path, id casing and the signed query', () => {
    const rec = 'https://management.azure.com/subscriptions/s/providers/Microsoft.VirtualMachineImages/locations/westus/operations/b72794b3-7b69-4d8a-83c0-52883438d4b0?api-version=2023-07-01&t=1&c=<x>&s=<x>&h=<x>';
    const good = 'https://127.0.0.1:1/subscriptions/s/providers/Microsoft.VirtualMachineImages/locations/westus/operations/c98e1fbc-702e-4886-a3c1-619785f0842b?api-version=2025-10-01&t=638832274679995425&c=a&s=b&h=c';
    assert.deepEqual(operationUrlDifferences(rec, good, 'h'), []);
    assert.equal(operationUrlDifferences(rec, good.split('&t=')[0] as string, 'h').length, 1, 'unsigned');
    assert.equal(operationUrlDifferences(rec, good.replace('/operations/', '/operationresults/'), 'h').length, 1, 'operationresults');
    assert.equal(operationUrlDifferences(rec, good.replace('c98e1fbc-702e-4886-a3c1-619785f0842b', 'C98E1FBC-702E-4886-A3C1-619785F0842B'), 'h').length, 1, 'id casing');
  });
});
