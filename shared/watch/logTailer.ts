/** Follows the build's customization.log in staging storage while the build runs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { TaskHost } from '../core/taskHost';
import { redactSas } from '../core/sasRedaction';
import { describeError } from '../core/format';
import type { LogSections } from './logSections';
import { type TemplateRunSnapshot } from './statusPoller';
import { isTransientError, statusOf } from '../core/httpAnswer';

/**
 * Follows `packerlogs/<runId>/customization.log` in the staging storage
 * account while the build runs, printing each complete line once.
 *
 * Request budget: one ranged GET (`Range: bytes=<offset>-`) per poll. When
 * nothing was appended the service answers 416 (range not satisfiable), which
 * the adapter turns into "no new bytes"; when something was appended the same
 * request already carries it. A HEAD (getProperties) first would cost the same
 * one request when idle but two whenever the log grew, which is most polls of
 * an active build, so the ranged read alone is the cheaper choice.
 *
 * Memory stays flat whatever the VM writes: each request asks for at most
 * `maxReadBytes` (4 MiB); a log that grew by more is read on in further
 * bounded requests in the same step. A line longer than `maxLineChars`
 * (16 KiB) is shown cut, with a marker; the saved log (attached to the run)
 * keeps all of it, written piece by piece, so no line is ever held whole.
 */

/** Bytes from `offset`, at most the count asked for. */
export interface RangeRead {
  bytes: Buffer;
  /** Size of the whole blob when it was read. */
  totalSize: number;
}

export interface RangeReader {
  /** At most `maxBytes` bytes from `offset`; empty `bytes` when the blob has no bytes at or after `offset`. */
  readRange(offset: number, maxBytes: number): Promise<RangeRead>;
}

/** Largest ranged read. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;
/** Longest line shown in the pipeline log; the saved log keeps longer ones whole. */
export const MAX_LINE_CHARS = 16 * 1024;
/** Reads per step when the log grew by more than one read; the rest follows at the next step. */
const MAX_READS_PER_TICK = 16;
/**
 * Longest run without a character that ends a SAS signature value kept back
 * while a cut line is saved piece by piece, so a signature split between two
 * reads is still redacted whole.
 */
export const MAX_HELD_CHARS = 4 * 1024;

export interface StagingAccount {
  name: string;
  /** Blob service endpoint from ARM (`primaryEndpoints.blob`), e.g. https://acct.blob.core.windows.net/ */
  blobEndpoint: string;
}

/** How the data plane is reached: the connection's own token, or the account key from ARM listKeys. */
export type BlobAccess = { kind: 'credential' } | { kind: 'accountKey'; key: string };

export interface LogBlobInfo {
  /** Name inside the `packerlogs` container, e.g. `<runId>/customization.log`. */
  name: string;
  lastModified?: Date;
}

/** The `packerlogs` container of one account, reached one way. */
export interface LogContainer {
  listBlobs(): Promise<LogBlobInfo[]>;
  openBlob(name: string): RangeReader;
  /** Blob URL without credentials, for messages. */
  urlOf(name: string): string;
}

export interface StagingLogDeps {
  /** ARM: storage accounts in a resource group. */
  listStorageAccounts(resourceGroupName: string): Promise<StagingAccount[]>;
  /** ARM listKeys. Absent when the task must not use account keys. */
  listAccountKeys?: (resourceGroupName: string, accountName: string) => Promise<string[]>;
  openContainer(account: StagingAccount, access: BlobAccess): LogContainer;
  /** Registers a value (an account key) the log must mask. */
  setSecret(value: string): void;
}

export interface BuildLog {
  accountName: string;
  runId: string;
  blobName: string;
  /** Without credentials. */
  url: string;
  access: BlobAccess['kind'];
  reader: RangeReader;
}

export type FindBuildLogResult =
  | { kind: 'found'; log: BuildLog }
  /** Nothing to read yet (no account, no container or no log); `error` when a read failed transiently. */
  | { kind: 'notYet'; error?: unknown }
  /** The connection may not read the logs; `accountName` is empty when even listing the accounts was refused. */
  | { kind: 'denied'; accountName: string; error: unknown };

/** What discovery learnt that does not change during a run, so later polls skip the ARM calls. */
export interface DiscoveryCache {
  resourceGroupName?: string;
  containers?: { account: StagingAccount; container: LogContainer; access: BlobAccess['kind']; probe?: LogBlobInfo[] }[];
}

export const LOG_CONTAINER = 'packerlogs';
const LOG_FILE_NAME = 'customization.log';
/** The service's last line in customization.log. */
const LOG_END_MARKER = 'Done exporting Packer logs to Azure Storage.';

function isDenied(error: unknown): boolean {
  const s = statusOf(error);
  return s === 401 || s === 403;
}

/** `/subscriptions/s/resourceGroups/NAME` (or a bare name) to NAME. */
function resourceGroupNameOf(resourceGroupId: string): string {
  const match = /\/resourceGroups\/([^/]+)/i.exec(resourceGroupId);
  return match ? match[1]! : resourceGroupId.replace(/^\/+|\/+$/g, '');
}

/**
 * Finds the newest customization.log in the staging resource group, choosing
 * the access that works: the connection's token first, then (on 401/403) the
 * account key when `listAccountKeys` is given.
 */
export async function findBuildLog(deps: StagingLogDeps, exactStagingResourceGroup: string, cache: DiscoveryCache = {}): Promise<FindBuildLogResult> {
  const rg = (cache.resourceGroupName ??= resourceGroupNameOf(exactStagingResourceGroup));
  if (!cache.containers) {
    let accounts: StagingAccount[];
    try {
      accounts = await deps.listStorageAccounts(rg);
    } catch (error) {
      return isDenied(error) ? { kind: 'denied', accountName: '', error } : { kind: 'notYet', error };
    }
    // The service creates the account shortly after the group; ask again next time.
    if (accounts.length === 0) return { kind: 'notYet' };
    const containers: NonNullable<DiscoveryCache['containers']> = [];
    for (const account of accounts) {
      const access = await chooseAccess(deps, rg, account);
      if (access.kind === 'denied') return access;
      if (access.kind === 'notYet') return access;
      containers.push(access.entry);
    }
    cache.containers = containers;
  }

  let newest: { entry: NonNullable<DiscoveryCache['containers']>[number]; blob: LogBlobInfo } | undefined;
  for (const entry of cache.containers) {
    let blobs: LogBlobInfo[];
    try {
      // The listing that proved access is fresh; use it instead of asking again.
      blobs = entry.probe ?? (await entry.container.listBlobs());
      delete entry.probe;
    } catch (error) {
      if (statusOf(error) === 404) continue; // container not made yet
      if (isDenied(error)) return { kind: 'denied', accountName: entry.account.name, error };
      return { kind: 'notYet', error };
    }
    for (const blob of blobs) {
      if (!isRunLog(blob.name)) continue;
      const time = blob.lastModified?.getTime() ?? 0;
      if (!newest || time > (newest.blob.lastModified?.getTime() ?? 0)) newest = { entry, blob };
    }
  }
  if (!newest) return { kind: 'notYet' };
  const { entry, blob } = newest;
  return {
    kind: 'found',
    log: {
      accountName: entry.account.name,
      runId: blob.name.slice(0, blob.name.indexOf('/')),
      blobName: blob.name,
      url: entry.container.urlOf(blob.name),
      access: entry.access,
      reader: entry.container.openBlob(blob.name),
    },
  };
}

function isRunLog(name: string): boolean {
  const parts = name.split('/');
  return parts.length === 2 && parts[0] !== '' && parts[1] === LOG_FILE_NAME;
}

type AccessChoice =
  | { kind: 'ok'; entry: NonNullable<DiscoveryCache['containers']>[number] }
  | Extract<FindBuildLogResult, { kind: 'denied' | 'notYet' }>;

async function chooseAccess(deps: StagingLogDeps, rg: string, account: StagingAccount): Promise<AccessChoice> {
  const viaToken = deps.openContainer(account, { kind: 'credential' });
  let tokenError: unknown;
  try {
    const probe = await viaToken.listBlobs();
    return { kind: 'ok', entry: { account, container: viaToken, access: 'credential', probe } };
  } catch (error) {
    // A missing container says the token may read; the logs just are not there yet.
    if (statusOf(error) === 404) return { kind: 'ok', entry: { account, container: viaToken, access: 'credential' } };
    if (!isDenied(error)) return { kind: 'notYet', error };
    tokenError = error;
  }
  if (!deps.listAccountKeys) return { kind: 'denied', accountName: account.name, error: tokenError };
  let key: string | undefined;
  try {
    key = (await deps.listAccountKeys(rg, account.name)).find((k) => k.length > 0);
  } catch (error) {
    return isDenied(error) ? { kind: 'denied', accountName: account.name, error } : { kind: 'notYet', error };
  }
  if (!key) return { kind: 'denied', accountName: account.name, error: tokenError };
  deps.setSecret(key);
  const viaKey = deps.openContainer(account, { kind: 'accountKey', key });
  try {
    const probe = await viaKey.listBlobs();
    return { kind: 'ok', entry: { account, container: viaKey, access: 'accountKey', probe } };
  } catch (error) {
    if (isDenied(error)) return { kind: 'denied', accountName: account.name, error };
    if (statusOf(error) !== 404) return { kind: 'notYet', error };
  }
  return { kind: 'ok', entry: { account, container: viaKey, access: 'accountKey' } };
}

export type LogTailerHost = Pick<TaskHost, 'loc' | 'info' | 'debug' | 'warning' | 'tempDirectory'>;

export interface LogTailerOptions {
  host: LogTailerHost;
  sections: LogSections;
  deps: StagingLogDeps;
  /** Lines kept in memory for failure reports. Default 100. */
  keepLines?: number;
  /** Largest ranged read. Default {@link MAX_READ_BYTES}. */
  maxReadBytes?: number;
  /** Longest line shown. Default {@link MAX_LINE_CHARS}. */
  maxLineChars?: number;
  /** The template names its own staging resource group, so the group the service makes per build is not the problem. */
  ownStagingResourceGroup?: boolean;
}

export type LogTailerState =
  /** No log found yet. */
  | 'searching'
  | 'following'
  /** The end marker was read. */
  | 'done'
  /** The log cannot be read (access refused, or it went away); status only from here. */
  | 'unavailable'
  | 'stopped';

export class LogTailer {
  private stateValue: LogTailerState = 'searching';
  private log: BuildLog | undefined;
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  /** The current line up to its newline; never longer than maxLineChars (once longer it is shown cut). */
  private partial = '';
  /** The current line was longer than maxLineChars and has been shown; the rest goes to the saved log only. */
  private cutLine = false;
  /** The saved part of a cut line not yet written, held until a signature in it can be redacted whole. */
  private held = '';
  private readonly lastLinesBuffer: string[] = [];
  private readonly keepLines: number;
  private readonly maxReadBytes: number;
  private readonly maxLineChars: number;
  private largestBufferedValue = 0;
  private filePath: string | undefined;
  private readonly cache: DiscoveryCache = {};
  private warned = false;

  constructor(private readonly options: LogTailerOptions) {
    this.keepLines = options.keepLines ?? 100;
    this.maxReadBytes = options.maxReadBytes ?? MAX_READ_BYTES;
    this.maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
  }

  /** Characters of the log held between reads (the unfinished line and its unsaved rest). */
  get bufferedChars(): number {
    return this.partial.length + this.held.length;
  }

  /** The most {@link bufferedChars} ever held between reads; bounded by maxLineChars plus a few KiB. */
  get largestBufferedChars(): number {
    return this.largestBufferedValue;
  }

  get state(): LogTailerState {
    return this.stateValue;
  }

  /** The full log on disk (for build.uploadlog), once anything was read. */
  get logFilePath(): string | undefined {
    return this.filePath;
  }

  /** The run folder name, once the log is found. */
  get runId(): string | undefined {
    return this.log?.runId;
  }

  /** The last lines read (at most keepLines), for failure reports. */
  lastLines(): string[] {
    return [...this.lastLinesBuffer];
  }

  /**
   * One step per poll: look for the log until it is found, then read what was
   * appended since the last step. Never throws; problems are reported here.
   */
  async tick(snapshot?: TemplateRunSnapshot): Promise<void> {
    try {
      if (this.stateValue === 'searching') {
        const rg = snapshot?.exactStagingResourceGroup;
        if (!rg || !(await this.discover(rg))) return;
      }
      if (this.stateValue === 'following') await this.readOnce();
    } catch (error) {
      this.options.host.debug(this.options.host.loc('LogReadRetry', describeError(error)));
    }
  }

  /** After the run ended: reads what is left once more, then stops. */
  async finish(): Promise<void> {
    if (this.stateValue === 'following') {
      try {
        await this.readOnce();
      } catch (error) {
        this.options.host.debug(this.options.host.loc('LogReadRetry', describeError(error)));
      }
    }
    this.stop();
  }

  /** Prints a partial last line, closes the group and stops following. Safe to call more than once. */
  stop(): void {
    if (this.stateValue === 'stopped') return;
    this.flushPartial();
    this.options.sections.close();
    if (this.filePath) this.options.host.debug(this.options.host.loc('LogSaved', this.filePath));
    this.stateValue = 'stopped';
  }

  private async discover(exactStagingResourceGroup: string): Promise<boolean> {
    const { host } = this.options;
    const found = await findBuildLog(this.options.deps, exactStagingResourceGroup, this.cache);
    switch (found.kind) {
      case 'notYet':
        if (found.error !== undefined) host.debug(host.loc('LogReadRetry', describeError(found.error)));
        return false;
      case 'denied':
        if (found.accountName === '' && !this.options.ownStagingResourceGroup) {
          // A connection scoped to one resource group cannot see the one the service creates per build:
          // the fix is a staging group it can read, which only the template can name.
          this.giveUp(host.loc('LogStagingGroupDenied', resourceGroupNameOf(exactStagingResourceGroup), describeError(found.error)));
        } else {
          this.giveUp(host.loc('LogAccessDenied', found.accountName || resourceGroupNameOf(exactStagingResourceGroup), describeError(found.error)));
        }
        return false;
      case 'found':
        this.log = found.log;
        if (found.log.access === 'accountKey') this.status(host.loc('LogKeyFallback', found.log.accountName));
        this.status(host.loc('LogFollowing', found.log.url));
        this.filePath = path.join(host.tempDirectory(), `customization-${safeFileName(found.log.runId)}.log`);
        fs.writeFileSync(this.filePath, '');
        this.stateValue = 'following';
        return true;
    }
  }

  /** Reads what was appended, in bounded requests, until caught up or MAX_READS_PER_TICK. */
  private async readOnce(): Promise<void> {
    for (let reads = 0; reads < MAX_READS_PER_TICK && this.stateValue === 'following'; reads++) {
      const read = await this.readChunk();
      if (!read || read.bytes.length === 0) return;
      this.offset += read.bytes.length;
      this.consume(this.decoder.write(read.bytes));
      if (this.offset >= read.totalSize) return;
    }
  }

  private async readChunk(): Promise<RangeRead | undefined> {
    const { host } = this.options;
    try {
      return await this.log!.reader.readRange(this.offset, this.maxReadBytes);
    } catch (error) {
      if (isDenied(error)) return void this.giveUp(host.loc('LogAccessDenied', this.log!.accountName, describeError(error)));
      if (statusOf(error) === 404) {
        this.status(host.loc('LogGone', describeError(error)));
        return void this.stop();
      }
      if (!isTransientError(error)) throw error;
      host.debug(host.loc('LogReadRetry', describeError(error)));
      return undefined;
    }
  }

  private consume(text: string): void {
    const saved: string[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      this.extendLine(newline < 0 ? text.slice(start) : text.slice(start, newline), saved);
      if (newline < 0) break;
      this.endLine(saved);
      start = newline + 1;
    }
    this.save(saved);
    this.largestBufferedValue = Math.max(this.largestBufferedValue, this.bufferedChars);
  }

  /** Adds text of the current line: kept while it fits, else shown cut once and saved in pieces. */
  private extendLine(piece: string, saved: string[]): void {
    if (piece === '') return;
    if (!this.cutLine) {
      this.partial += piece;
      if (this.partial.length <= this.maxLineChars) return;
      const whole = this.partial;
      this.partial = '';
      this.cutLine = true;
      this.show(`${redactSas(whole.slice(0, this.maxLineChars))}${this.options.host.loc('LogLineCut', this.maxLineChars)}`);
      piece = whole;
    }
    // Everything up to the last character that ends a signature value can be redacted and saved now;
    // a run longer than MAX_HELD_CHARS after it is no signature, so it need not wait either.
    this.held += piece;
    let cutAt = lastSignatureBoundary(this.held) + 1;
    if (this.held.length - cutAt > MAX_HELD_CHARS) cutAt = this.held.length;
    if (cutAt > 0) {
      saved.push(redactSas(this.held.slice(0, cutAt)));
      this.held = this.held.slice(cutAt);
    }
  }

  /** The newline of the current line arrived. */
  private endLine(saved: string[]): void {
    if (this.cutLine) {
      saved.push(`${redactSas(this.held.endsWith('\r') ? this.held.slice(0, -1) : this.held)}\n`);
      this.held = '';
      this.cutLine = false;
      return;
    }
    const line = redactSas(this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial);
    this.partial = '';
    saved.push(`${line}\n`);
    this.show(line);
  }

  private save(saved: string[]): void {
    if (saved.length > 0) fs.appendFileSync(this.filePath!, saved.join(''));
  }

  private show(line: string): void {
    this.options.sections.logLine(line);
    this.remember(line);
    if (line.includes(LOG_END_MARKER)) {
      this.stateValue = 'done';
      this.options.sections.close();
    }
  }

  private flushPartial(): void {
    const rest = this.decoder.end();
    if (!this.filePath) return;
    const saved: string[] = [];
    this.extendLine(rest, saved);
    if (this.partial !== '' || this.cutLine) this.endLine(saved);
    this.save(saved);
  }

  private remember(line: string): void {
    this.lastLinesBuffer.push(line);
    if (this.lastLinesBuffer.length > this.keepLines) this.lastLinesBuffer.shift();
  }

  /** Warns once and leaves the run to status-only reporting. */
  private giveUp(message: string): void {
    this.stateValue = 'unavailable';
    if (this.warned) return;
    this.warned = true;
    this.options.sections.pause();
    this.options.host.warning(message);
  }

  private status(line: string): void {
    this.options.sections.statusLine(line);
  }
}

/** Index of the last character that ends a SAS signature value (see shared/core/sasRedaction.ts), or -1. */
function lastSignatureBoundary(text: string): number {
  return text.search(/[&"'<>\s][^&"'<>\s]*$/);
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'run';
}
