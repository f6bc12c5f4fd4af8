import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { TaskHost, TaskOutcome } from '../../shared/core/taskHost';
import { taskMessages } from '../../testkit/localizer';

/** One thing the code under test did through the host, in order. */
export type HostRecord =
  | { kind: 'info' | 'debug' | 'warning' | 'error'; text: string }
  | { kind: 'beginGroup'; text: string }
  | { kind: 'endGroup' }
  | { kind: 'progress'; percent: number; text: string }
  | { kind: 'output'; name: string; value: string }
  | { kind: 'secret'; value: string };

/**
 * A TaskHost that records everything. `loc` formats the watch and report
 * messages and throws on an unknown key, so a test fails when code uses a key
 * that is not declared.
 */
export class RecordingHost implements TaskHost {
  readonly records: HostRecord[] = [];
  readonly tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-watch-test-'));
  readonly messages: Record<string, string> = { ...taskMessages };

  loc(key: string, ...args: unknown[]): string {
    const text = this.messages[key];
    if (text === undefined) throw new Error(`unknown message key ${key}`);
    return format(text, ...args);
  }
  info(text: string): void {
    this.records.push({ kind: 'info', text });
  }
  debug(text: string): void {
    this.records.push({ kind: 'debug', text });
  }
  warning(text: string): void {
    this.records.push({ kind: 'warning', text });
  }
  error(text: string): void {
    this.records.push({ kind: 'error', text });
  }
  beginGroup(text: string): void {
    this.records.push({ kind: 'beginGroup', text });
  }
  endGroup(): void {
    this.records.push({ kind: 'endGroup' });
  }
  setSecret(value: string): void {
    this.records.push({ kind: 'secret', value });
  }
  setOutput(name: string, value: string): void {
    this.records.push({ kind: 'output', name, value });
  }
  setProgress(percent: number, text: string): void {
    this.records.push({ kind: 'progress', percent, text });
  }
  uploadSummary(): void {}
  uploadLog(): void {}
  addAttachment(): void {}
  tempDirectory(): string {
    return this.tempDir;
  }
  complete(_outcome: TaskOutcome, _message: string): void {}

  texts(kind: HostRecord['kind']): string[] {
    return this.records.filter((r) => r.kind === kind).map((r) => ('text' in r ? r.text : ''));
  }
  /** info lines only, in order. */
  get lines(): string[] {
    return this.texts('info');
  }
  /** info lines printed inside a group: the build-log lines as shown. */
  get groupedLines(): string[] {
    const lines: string[] = [];
    let open = false;
    for (const r of this.records) {
      if (r.kind === 'beginGroup') open = true;
      else if (r.kind === 'endGroup') open = false;
      else if (r.kind === 'info' && open) lines.push(r.text);
    }
    return lines;
  }
  cleanup(): void {
    fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}
