import { FakeClock } from '../support/fakeClock';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LogSections } from '../../shared/watch/logSections';
import {
  LogTailer,
  MAX_HELD_CHARS,
  MAX_LINE_CHARS,
  MAX_READ_BYTES,
  findBuildLog,
  type BlobAccess,
  type LogContainer,
  type RangeRead,
  type StagingAccount,
  type StagingLogDeps,
} from '../../shared/watch/logTailer';
import { pollTemplateRun, type TemplateRunSnapshot } from '../../shared/watch/statusPoller';
import { createStatusPrinter } from '../../shared/watch/statusPrinter';
import { RecordingHost } from './fakeHost';

const RG_ID = '/subscriptions/0000/resourceGroups/IT_rg_tmpl_abcd';
const RUN = '7f0c1a9e-0000-4000-8000-000000000001';
const snap: TemplateRunSnapshot = { lastRunStatus: { runState: 'Running', runSubState: 'Customizing' }, exactStagingResourceGroup: RG_ID };

function httpError(statusCode: number, code: string): Error {
  return Object.assign(new Error(`${code}: refused`), { statusCode, code });
}

/** A staging account whose blobs the test appends to; records every data-plane call. */
class FakeStaging {
  readonly blobs = new Map<string, { data: Buffer; lastModified: Date }>();
  readonly reads: { access: BlobAccess['kind']; name: string; offset: number; maxBytes: number }[] = [];
  readonly lists: BlobAccess['kind'][] = [];
  readonly armCalls: string[] = [];
  readonly secrets: string[] = [];
  /** Which access kinds the data plane accepts. */
  accepts: Set<BlobAccess['kind']> = new Set(['credential', 'accountKey']);
  keys: string[] | Error = ['c2VjcmV0LWtleQ=='];
  allowKeys = true;
  readonly account: StagingAccount = { name: 'stagingacct', blobEndpoint: 'https://stagingacct.blob.example/' };

  append(name: string, chunk: string | Buffer): void {
    const prev = this.blobs.get(name)?.data ?? Buffer.alloc(0);
    this.blobs.set(name, { data: Buffer.concat([prev, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8')]), lastModified: new Date(Date.now() + this.blobs.size) });
  }

  deps(): StagingLogDeps {
    const deps: StagingLogDeps = {
      listStorageAccounts: async (rg) => {
        this.armCalls.push(`list ${rg}`);
        return [this.account];
      },
      openContainer: (account, access) => this.container(account, access),
      setSecret: (v) => this.secrets.push(v),
    };
    if (this.allowKeys) {
      deps.listAccountKeys = async (rg, name) => {
        this.armCalls.push(`listKeys ${rg} ${name}`);
        if (this.keys instanceof Error) throw this.keys;
        return this.keys;
      };
    }
    return deps;
  }

  private container(account: StagingAccount, access: BlobAccess): LogContainer {
    const check = () => {
      if (!this.accepts.has(access.kind)) throw httpError(403, 'AuthorizationPermissionMismatch');
      if (access.kind === 'accountKey' && access.key !== 'c2VjcmV0LWtleQ==') throw httpError(403, 'AuthenticationFailed');
    };
    return {
      listBlobs: async () => {
        this.lists.push(access.kind);
        check();
        return [...this.blobs.entries()].map(([name, b]) => ({ name, lastModified: b.lastModified }));
      },
      openBlob: (name) => ({
        readRange: async (offset, maxBytes): Promise<RangeRead> => {
          this.reads.push({ access: access.kind, name, offset, maxBytes });
          check();
          const blob = this.blobs.get(name);
          if (!blob) throw httpError(404, 'BlobNotFound');
          return { bytes: blob.data.subarray(offset, offset + maxBytes), totalSize: blob.data.length };
        },
      }),
      urlOf: (name) => `${account.blobEndpoint}packerlogs/${name}`,
    };
  }
}

const LOG = `${RUN}/customization.log`;
const line = (text: string) => `[${RUN}] PACKER OUT ${text}\n`;

describe('LogTailer', () => {
  let host: RecordingHost;
  let staging: FakeStaging;
  let sections: LogSections;
  let tailer: LogTailer;
  beforeEach(() => {
    host = new RecordingHost();
    staging = new FakeStaging();
    sections = new LogSections(host);
    tailer = new LogTailer({ host, sections, deps: staging.deps() });
  });
  afterEach(() => host.cleanup());

  /** The build-log lines as shown: inside groups, without the Packer prefix. */
  const logLines = () => host.groupedLines;

  it('prints every line exactly once across partial reads and UTF-8 characters split between reads', async () => {
    const euro = Buffer.from('€', 'utf8'); // 3 bytes
    staging.append(LOG, line('first'));
    staging.append(LOG, `[${RUN}] PACKER OUT sec`);
    await tailer.tick(snap);
    assert.deepEqual(logLines(), ['first']);

    staging.append(LOG, Buffer.concat([Buffer.from('ond costs 5'), euro.subarray(0, 1)]));
    await tailer.tick(snap);
    assert.equal(logLines().length, 1, 'no newline yet, nothing new printed');
    staging.append(LOG, Buffer.concat([euro.subarray(1, 2)]));
    await tailer.tick(snap);
    staging.append(LOG, Buffer.concat([euro.subarray(2), Buffer.from('\r\n'), Buffer.from(line('third ünïcödé'))]));
    await tailer.tick(snap);
    await tailer.tick(snap);

    const expected = [`[${RUN}] PACKER OUT first`, `[${RUN}] PACKER OUT second costs 5€`, `[${RUN}] PACKER OUT third ünïcödé`];
    // Shown without the Packer prefix; saved and kept for failure reports as written.
    assert.deepEqual(logLines(), ['first', 'second costs 5€', 'third ünïcödé']);
    assert.equal(fs.readFileSync(tailer.logFilePath!, 'utf8'), expected.map((l) => `${l}\n`).join(''));
    assert.deepEqual(tailer.lastLines(), expected);
    // Each read starts where the previous one ended.
    assert.deepEqual(
      staging.reads.map((r) => r.offset),
      [0, Buffer.byteLength(line('first')) + Buffer.byteLength(`[${RUN}] PACKER OUT sec`), staging.reads[2]!.offset, staging.reads[3]!.offset, staging.blobs.get(LOG)!.data.length],
    );
    assert.equal(staging.reads[4]!.offset, staging.blobs.get(LOG)!.data.length);
  });

  it('makes exactly one read per tick and prints nothing when the log has not grown', async () => {
    staging.append(LOG, line('one'));
    await tailer.tick(snap);
    const readsBefore = staging.reads.length;
    const linesBefore = host.records.length;
    await tailer.tick(snap);
    await tailer.tick(snap);
    assert.equal(staging.reads.length, readsBefore + 2, 'one read per tick');
    assert.equal(host.records.length, linesBefore, 'nothing printed');
    assert.deepEqual(staging.armCalls, [`list IT_rg_tmpl_abcd`], 'the account is listed once, not per tick');
  });

  it('waits for the staging group and the log to exist, asking ARM for the accounts only once', async () => {
    await tailer.tick({ lastRunStatus: { runState: 'Running', runSubState: 'Queued' } });
    assert.deepEqual(staging.armCalls, []);
    await tailer.tick(snap);
    await tailer.tick(snap);
    assert.equal(tailer.state, 'searching');
    staging.append(LOG, line('hello'));
    await tailer.tick(snap);
    assert.equal(tailer.state, 'following');
    assert.deepEqual(logLines(), ['hello']);
    assert.deepEqual(staging.armCalls, [`list IT_rg_tmpl_abcd`]);
  });

  it('follows the newest run folder and says where the log is', async () => {
    staging.append('0ld-run/customization.log', line('old'));
    staging.append('other/validation.log', 'x\n');
    await new Promise((r) => setTimeout(r, 5));
    staging.append(LOG, line('new'));
    await tailer.tick(snap);
    assert.equal(tailer.runId, RUN);
    assert.ok(host.lines.includes(`Following the build log https://stagingacct.blob.example/packerlogs/${LOG} as it is written.`));
    assert.deepEqual(logLines(), ['new']);
  });

  it('falls back to the account key when the token has no data-plane role, and masks the key', async () => {
    staging.accepts = new Set(['accountKey']);
    staging.append(LOG, line('via key'));
    await tailer.tick(snap);
    assert.deepEqual(staging.secrets, ['c2VjcmV0LWtleQ==']);
    assert.deepEqual(staging.lists, ['credential', 'accountKey'], 'the probe listing is reused');
    assert.ok(host.lines.some((l) => l.includes('reading the build log with the account key instead')));
    assert.deepEqual(logLines(), ['via key']);
    assert.equal(staging.reads.every((r) => r.access === 'accountKey'), true);
    assert.deepEqual(host.texts('warning'), []);
  });

  it('warns once, naming the roles that would help, and goes on with status only when neither access works', async () => {
    staging.accepts = new Set();
    staging.keys = httpError(403, 'AuthorizationFailed');
    staging.append(LOG, line('secret stuff'));
    const clock = new FakeClock();
    let polls = 0;
    const answers: TemplateRunSnapshot[] = [snap, snap, snap, { lastRunStatus: { runState: 'Succeeded' }, exactStagingResourceGroup: RG_ID }];
    const result = await pollTemplateRun({
      getTemplate: async () => answers[Math.min(polls++, answers.length - 1)]!,
      intervalSeconds: 15,
      buildTimeoutInMinutes: 60,
      clock,
      onEvent: createStatusPrinter(host, sections),
      onTick: (s) => tailer.tick(s),
    });
    assert.equal(result.kind, 'finished');
    const warnings = host.texts('warning');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Storage Blob Data Reader on the staging resource group, or Microsoft\.Storage\/storageAccounts\/listKeys\/action/);
    assert.match(warnings[0]!, /stagingacct/);
    assert.equal(tailer.state, 'unavailable');
    assert.deepEqual(logLines(), []);
    assert.equal(staging.armCalls.filter((c) => c.startsWith('listKeys')).length, 1, 'no retry storm after giving up');
    assert.ok(host.lines.some((l) => l.includes('Build finished: Succeeded')));
  });

  it('warns once when account keys are not allowed and the token is refused', async () => {
    staging.allowKeys = false;
    staging.accepts = new Set(['accountKey']);
    tailer = new LogTailer({ host, sections, deps: staging.deps() });
    staging.append(LOG, line('x'));
    await tailer.tick(snap);
    await tailer.tick(snap);
    assert.equal(host.texts('warning').length, 1);
    assert.deepEqual(staging.armCalls, ['list IT_rg_tmpl_abcd']);
  });

  it('warns once when even listing the staging accounts is refused', async () => {
    const deps = staging.deps();
    deps.listStorageAccounts = async () => {
      throw httpError(403, 'AuthorizationFailed');
    };
    tailer = new LogTailer({ host, sections, deps });
    for (let i = 0; i < 5; i++) await tailer.tick(snap);
    assert.equal(host.texts('warning').length, 1);
    const warning = host.texts('warning')[0]!;
    assert.match(warning, /IT_rg_tmpl_abcd/);
    assert.match(warning, /403 AuthorizationFailed/);
    // The fix a connection scoped to one resource group needs, with the service's rules for the group.
    assert.match(warning, /set Staging resource group \(stagingResourceGroup\)/);
    assert.match(warning, /empty or not exist yet/);
    assert.match(warning, /build's region/);
    assert.match(warning, /Image Builder identity needs Contributor or Owner/);
    assert.equal(tailer.state, 'unavailable');
  });

  it('with its own staging group named in the template, a refused listing asks for access to that group instead', async () => {
    const deps = staging.deps();
    deps.listStorageAccounts = async () => {
      throw httpError(403, 'AuthorizationFailed');
    };
    tailer = new LogTailer({ host, sections, deps, ownStagingResourceGroup: true });
    await tailer.tick(snap);
    await tailer.tick(snap);
    assert.equal(host.texts('warning').length, 1);
    assert.match(host.texts('warning')[0]!, /Storage Blob Data Reader on the staging resource group/);
    assert.doesNotMatch(host.texts('warning')[0]!, /set Staging resource group/);
  });

  it('stops following when the log goes away (404) and reads no more', async () => {
    staging.append(LOG, line('a'));
    await tailer.tick(snap);
    const reads = staging.reads.length;
    const kept = staging.blobs.get(LOG)!;
    staging.blobs.delete(LOG);
    await tailer.tick(snap);
    assert.equal(staging.reads.length, reads + 1);
    assert.equal(tailer.state, 'stopped');
    staging.blobs.set(LOG, kept);
    await tailer.tick(snap);
    assert.equal(staging.reads.length, reads + 1, 'no reads after it stopped');
    assert.deepEqual(logLines(), ['a']);
    assert.ok(host.lines.some((l) => l.startsWith('The build log is no longer available (404 BlobNotFound')));
  });

  it('retries at the next tick after a 503', async () => {
    const deps = staging.deps();
    let failNext = false;
    const open = deps.openContainer;
    deps.openContainer = (account, access) => {
      const c = open(account, access);
      return {
        ...c,
        openBlob: (name) => {
          const r = c.openBlob(name);
          return {
            readRange: async (offset, maxBytes) => {
              if (failNext) {
                failNext = false;
                throw httpError(503, 'ServerBusy');
              }
              return r.readRange(offset, maxBytes);
            },
          };
        },
      };
    };
    tailer = new LogTailer({ host, sections, deps });
    staging.append(LOG, line('a'));
    await tailer.tick(snap);
    staging.append(LOG, line('b'));
    failNext = true;
    await tailer.tick(snap);
    await tailer.tick(snap);
    assert.deepEqual(logLines(), ['a', 'b']);
    assert.equal(host.texts('debug').filter((d) => d.includes('ServerBusy')).length, 1);
    assert.equal(tailer.state, 'following');
  });

  it('stops reading after the end marker', async () => {
    staging.append(LOG, line('(telemetry) Finalizing.') + 'Done exporting Packer logs to Azure Storage.\n');
    await tailer.tick(snap);
    assert.equal(tailer.state, 'done');
    const reads = staging.reads.length;
    await tailer.tick(snap);
    assert.equal(staging.reads.length, reads);
  });

  it('prints a last line without a newline when stopped', async () => {
    staging.append(LOG, line('a') + `[${RUN}] PACKER OUT tail without newline`);
    await tailer.tick(snap);
    tailer.stop();
    tailer.stop();
    assert.deepEqual(logLines(), ['a', 'tail without newline']);
    assert.equal(host.records.filter((r) => r.kind === 'beginGroup').length, host.records.filter((r) => r.kind === 'endGroup').length, 'groups balanced');
  });

  it('hides SAS signatures and keeps only the last lines in memory', async () => {
    const small = new LogTailer({ host, sections, deps: staging.deps(), keepLines: 3 });
    staging.append(LOG, line('Downloading https://a.blob.example/c/b.tar.gz?sv=2024&sp=r&sig=AbC%2Bdef123&se=x'));
    for (let i = 0; i < 5; i++) staging.append(LOG, line(`n${i}`));
    await small.tick(snap);
    assert.ok(logLines()[0]!.includes('sig=***&se=x'), logLines()[0]);
    assert.ok(!fs.readFileSync(small.logFilePath!, 'utf8').includes('AbC'));
    assert.deepEqual(small.lastLines(), [2, 3, 4].map((i) => line(`n${i}`).trimEnd()));
  });

  it('stays under 600 ARM and storage requests in a build hour at the default 15 s interval', async () => {
    const clock = new FakeClock();
    const start = clock.nowMs;
    let armGets = 0;
    let ticks = 0;
    let appended = 0;
    const result = await pollTemplateRun({
      getTemplate: async () => {
        armGets += 1;
        const minutes = (clock.nowMs - start) / 60_000;
        if (minutes >= 60) return { lastRunStatus: { runState: 'Succeeded' }, exactStagingResourceGroup: RG_ID };
        return { lastRunStatus: { runState: 'Running', runSubState: minutes < 5 ? 'Building' : 'Customizing' }, ...(minutes >= 2 ? { exactStagingResourceGroup: RG_ID } : {}) };
      },
      intervalSeconds: 15,
      buildTimeoutInMinutes: 0,
      clock,
      random: Math.random,
      onEvent: createStatusPrinter(host, sections),
      onTick: async (s) => {
        ticks += 1;
        // The service writes the log from minute 4 on, a line or two per poll.
        if (clock.nowMs - start >= 4 * 60_000) {
          staging.append(LOG, line(`tick ${ticks}`));
          appended += 1;
        }
        await tailer.tick(s);
      },
    });
    assert.equal(result.kind, 'finished');
    const requests = armGets + staging.armCalls.length + staging.lists.length + staging.reads.length;
    assert.ok(requests < 600, `${requests} requests`);
    assert.ok(staging.reads.length <= ticks, 'at most one read per poll');
    assert.ok(appended > 200);
    assert.equal(logLines().length, appended, 'every line printed once');
    assert.equal(new Set(logLines()).size, appended);
  });

  it('groups the log per customizer, titled after the template, with durations, and keeps status lines outside the groups', async () => {
    const clock = new FakeClock();
    const named = new LogSections(host, { steps: [{ type: 'Shell', name: 'RunInlineScript' }, { type: 'PowerShell' }], now: clock.now });
    const tail = new LogTailer({ host, sections: named, deps: staging.deps() });
    staging.append(LOG, line('azure-arm: output will be in this color.') + line('') + line('==> azure-arm: Creating VM'));
    staging.append(LOG, '(telemetry) Starting provisioner shell\n');
    staging.append(LOG, line('    azure-arm: installing'));
    await tail.tick(snap);
    named.statusLine('STATUS');
    clock.nowMs += 65_000;
    staging.append(LOG, `[${RUN}] PACKER ERR     azure-arm: still installing\n` + '(telemetry) ending shell\n' + line('between'));
    staging.append(LOG, line('(telemetry) Starting provisioner powershell') + line('(telemetry) ending powershell'));
    staging.append(LOG, '(telemetry) Finalizing. - This means the build has finished\nDone exporting Packer logs to Azure Storage.\n');
    await tail.tick(snap);
    const view = host.records
      .filter((r) => r.kind === 'beginGroup' || r.kind === 'endGroup' || r.kind === 'info')
      .map((r) => (r.kind === 'endGroup' ? '}' : r.kind === 'beginGroup' ? `{ ${r.text}` : 'text' in r ? r.text : ''))
      .filter((t) => !t.startsWith('Following'));
    assert.deepEqual(view, [
      '{ Build log: preparing the build VM',
      '==> azure-arm: Creating VM',
      '}',
      '{ Build log: RunInlineScript (Shell)',
      '    azure-arm: installing',
      '}',
      'STATUS',
      '{ Build log: RunInlineScript (Shell) (continued)',
      '    azure-arm: still installing',
      '}',
      'RunInlineScript (Shell) finished after 1m 05s (as read from the build log).',
      '{ Build log: after step 1',
      'between',
      '}',
      '{ Build log: step 2, PowerShell',
      '}',
      'step 2, PowerShell finished after 0s (as read from the build log).',
      '{ Build log: finishing',
      'Done exporting Packer logs to Azure Storage.',
      '}',
    ]);
    assert.deepEqual(named.stepTimings(), [
      { title: 'RunInlineScript (Shell)', durationMs: 65_000 },
      { title: 'step 2, PowerShell', durationMs: 0 },
    ]);
    // The saved log keeps every line as written.
    const saved = fs.readFileSync(tail.logFilePath!, 'utf8');
    assert.ok(saved.includes(`[${RUN}] PACKER OUT azure-arm: output will be in this color.`));
    assert.ok(saved.includes('(telemetry) Starting provisioner shell'));
    assert.ok(saved.includes(`[${RUN}] PACKER ERR     azure-arm: still installing`));
  });

  it('titles a step by its kind when the template has no step of that kind at that place', async () => {
    const named = new LogSections(host, { steps: [{ type: 'File', name: 'copy' }] });
    named.logLine('(telemetry) Starting provisioner shell');
    named.logLine('(telemetry) ending shell');
    assert.deepEqual(host.texts('beginGroup'), ['Build log: step 1, shell']);
  });
});

describe('findBuildLog', () => {
  it('says not yet when the group has no account or the container is missing', async () => {
    const deps: StagingLogDeps = {
      listStorageAccounts: async () => [],
      openContainer: () => {
        throw new Error('not called');
      },
      setSecret: () => undefined,
    };
    assert.deepEqual(await findBuildLog(deps, RG_ID), { kind: 'notYet' });
    const missing: StagingLogDeps = {
      listStorageAccounts: async () => [{ name: 'a', blobEndpoint: 'https://a/' }],
      openContainer: () => ({
        listBlobs: async () => {
          throw httpError(404, 'ContainerNotFound');
        },
        openBlob: () => ({ readRange: async () => ({ bytes: Buffer.alloc(0), totalSize: 0 }) }),
        urlOf: (n) => n,
      }),
      setSecret: () => undefined,
    };
    assert.deepEqual(await findBuildLog(missing, RG_ID), { kind: 'notYet' });
  });
});

/** A build log of `totalSize` bytes repeating `pattern`, made on demand, so a test can read hundreds of MB without holding them. */
class GeneratedLog {
  readonly reads: { offset: number; maxBytes: number; returned: number }[] = [];
  constructor(
    readonly totalSize: number,
    private readonly pattern: Buffer,
  ) {}

  byteAt(offset: number): number {
    return this.pattern[offset % this.pattern.length]!;
  }

  deps(): StagingLogDeps {
    return {
      listStorageAccounts: async () => [{ name: 'stagingacct', blobEndpoint: 'https://stagingacct.blob.example/' }],
      openContainer: () => ({
        listBlobs: async () => [{ name: LOG, lastModified: new Date() }],
        openBlob: () => ({
          readRange: async (offset, maxBytes): Promise<RangeRead> => {
            const length = Math.max(0, Math.min(maxBytes, this.totalSize - offset));
            const bytes = Buffer.allocUnsafe(length);
            for (let filled = 0; filled < length; ) {
              const at = (offset + filled) % this.pattern.length;
              filled += this.pattern.copy(bytes, filled, at, Math.min(this.pattern.length, at + length - filled));
            }
            this.reads.push({ offset, maxBytes, returned: length });
            return { bytes, totalSize: this.totalSize };
          },
        }),
        urlOf: (name) => name,
      }),
      setSecret: () => undefined,
    };
  }
}

/** Counts what is shown instead of keeping it, so a huge log does not fill the test's own memory. */
class CountingHost extends RecordingHost {
  shownLines = 0;
  longestShown = 0;
  override info(text: string): void {
    this.shownLines += 1;
    this.longestShown = Math.max(this.longestShown, text.length);
    if (this.records.length < 1000) super.info(text);
  }
}

describe('LogTailer bounded reading', function () {
  this.timeout(120_000);
  const MiB = 1024 * 1024;
  // Ten times the largest read: the holding bound is checked after every read, so more adds time, not evidence.
  const LOG_MIB = 40;
  const bound = MAX_LINE_CHARS + MAX_HELD_CHARS;

  async function tailAll(log: GeneratedLog, host: RecordingHost): Promise<LogTailer> {
    const tailer = new LogTailer({ host, sections: new LogSections(host), deps: log.deps() });
    let ticks = 0;
    while (log.reads.reduce((n, r) => n + r.returned, 0) < log.totalSize) {
      await tailer.tick(snap);
      ticks += 1;
      assert.ok(tailer.bufferedChars <= bound, `after tick ${ticks} the tailer holds ${tailer.bufferedChars} characters`);
      assert.ok(ticks < 1000, 'the tailer keeps making progress');
    }
    tailer.stop();
    return tailer;
  }

  it(`reads a ${LOG_MIB} MiB log without a newline in requests of at most 4 MiB and holds at most one cut line`, async () => {
    const log = new GeneratedLog(LOG_MIB * MiB, Buffer.from('abcdefghijklmnopqrstuvwxyz')); // no newline at all
    const host = new CountingHost();
    const tailer = await tailAll(log, host);
    assert.ok(log.reads.every((r) => r.maxBytes <= MAX_READ_BYTES), 'no request asked for more than 4 MiB');
    assert.equal(log.reads.reduce((n, r) => n + r.returned, 0), log.totalSize, 'every byte read once');
    assert.deepEqual(
      log.reads.map((r) => r.offset),
      log.reads.map((_r, i) => i * MAX_READ_BYTES),
      'each request starts where the last ended',
    );
    assert.ok(tailer.largestBufferedChars <= bound, `largest buffer ${tailer.largestBufferedChars}`);
    const shown = host.lines.filter((l) => !l.startsWith('Following'));
    assert.equal(shown.length, 1, 'one line shown');
    assert.equal(shown[0]!.length, MAX_LINE_CHARS + ' [line cut after 16384 characters; the attached build log has all of it]'.length);
    assert.ok(shown[0]!.startsWith('abcdefghijklmnopqrstuvwxyz'));
    assert.ok(shown[0]!.endsWith(' [line cut after 16384 characters; the attached build log has all of it]'));
    assert.equal(fs.statSync(tailer.logFilePath!).size, log.totalSize + 1, 'the saved log keeps every byte (and ends the line)');
    fs.rmSync(tailer.logFilePath!);
    host.cleanup();
  });

  it(`reads a ${LOG_MIB} MiB log of 1 MiB lines with flat memory, cutting each shown line and saving them whole`, async () => {
    const lineBytes = MiB;
    const oneLine = Buffer.from(Array.from({ length: lineBytes }, (_v, i) => (i === lineBytes - 1 ? 10 : 48 + (i % 10))));
    const log = new GeneratedLog(LOG_MIB * MiB, oneLine);
    const host = new CountingHost();
    const tailer = await tailAll(log, host);
    assert.ok(log.reads.every((r) => r.maxBytes <= MAX_READ_BYTES));
    assert.ok(tailer.largestBufferedChars <= bound, `largest buffer ${tailer.largestBufferedChars}`);
    assert.ok(log.reads.length <= Math.ceil(log.totalSize / MAX_READ_BYTES) + 1, `${log.reads.length} reads`);
    assert.equal(host.shownLines - 1, LOG_MIB, 'one shown line per log line (plus "Following")');
    assert.ok(host.longestShown <= MAX_LINE_CHARS + 100);
    assert.ok(tailer.lastLines().every((l) => l.length <= MAX_LINE_CHARS + 100), 'the kept tail is cut too');
    assert.equal(fs.statSync(tailer.logFilePath!).size, log.totalSize);
    const fd = fs.openSync(tailer.logFilePath!, 'r');
    const sample = Buffer.alloc(lineBytes);
    fs.readSync(fd, sample, 0, lineBytes, 3 * lineBytes);
    fs.closeSync(fd);
    assert.ok(sample.equals(oneLine), 'a saved line is byte for byte the line the VM wrote');
    fs.rmSync(tailer.logFilePath!);
    host.cleanup();
  });

  it('redacts a signature in a cut line even when a read ends inside it, in the shown line and in the saved log', async () => {
    const host = new RecordingHost();
    const staging = new FakeStaging();
    const small = 64;
    const tailer = new LogTailer({ host, sections: new LogSections(host), deps: staging.deps(), maxReadBytes: small, maxLineChars: 100 });
    const url = 'https://a.blob.example/c/b.tar.gz?sv=2024&sp=r&sig=SECRETSIGNATUREVALUE1234567890abcdefghijklmnop&se=x';
    const text = `${'x'.repeat(40)} early ${url} ${'y'.repeat(300)} late ${url}\n${line('next')}`;
    staging.append(LOG, text);
    for (let i = 0; i < 20 && staging.reads.reduce((n, r) => Math.max(n, r.offset), 0) < text.length; i++) await tailer.tick(snap);
    tailer.stop();
    assert.ok(staging.reads.every((r) => r.maxBytes === small));
    const saved = fs.readFileSync(tailer.logFilePath!, 'utf8');
    assert.ok(!saved.includes('SECRET'), saved);
    assert.equal(saved.split('\n')[0], `${'x'.repeat(40)} early ${url.replace(/sig=[^&]+/, 'sig=***')} ${'y'.repeat(300)} late ${url.replace(/sig=[^&]+/, 'sig=***')}`);
    assert.ok(host.lines.every((l) => !l.includes('SECRET')));
    const shown = host.lines.find((l) => l.includes('early'))!;
    assert.ok(shown.endsWith(' [line cut after 100 characters; the attached build log has all of it]'), shown);
    assert.deepEqual(logLines(host), [shown, 'next']);
    host.cleanup();
  });
});

function logLines(host: RecordingHost): string[] {
  return host.groupedLines;
}
