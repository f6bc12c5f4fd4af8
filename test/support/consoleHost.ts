import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TaskHost, TaskOutcome } from '../../shared/core/taskHost';

/**
 * A TaskHost for running the task outside a pipeline (unit tests):
 * plain lines on a stream, secrets masked, outputs and files collected.
 */
export class ConsoleHost implements TaskHost {
  readonly outputs: Record<string, string> = {};
  readonly attachments: { type: string; name: string; path: string }[] = [];
  readonly summaries: string[] = [];
  readonly logs: string[] = [];
  outcome?: { result: TaskOutcome; message: string };
  private readonly secrets: string[] = [];
  private readonly tempDir: string;

  constructor(
    private readonly localize: (key: string, ...args: unknown[]) => string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
    private readonly verbose = false,
  ) {
    this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-builder-'));
  }

  loc(key: string, ...args: unknown[]): string {
    return this.localize(key, ...args);
  }
  info(line: string): void {
    this.emit(line);
  }
  debug(line: string): void {
    if (this.verbose) this.emit(`[debug] ${line}`);
  }
  warning(message: string): void {
    this.emit(`WARNING: ${message}`);
  }
  error(message: string): void {
    this.emit(`ERROR: ${message}`);
  }
  beginGroup(title: string): void {
    this.emit(`▼ ${title}`);
  }
  endGroup(): void {
    this.emit('▲');
  }
  setSecret(value: string): void {
    for (const line of value.split(/\r?\n/)) if (line.trim()) this.secrets.push(line);
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  setProgress(percent: number, description: string): void {
    this.debug(`progress ${Math.round(percent)}% ${description}`);
  }
  uploadSummary(filePath: string): void {
    this.summaries.push(filePath);
  }
  uploadLog(filePath: string): void {
    this.logs.push(filePath);
  }
  addAttachment(type: string, name: string, filePath: string): void {
    this.attachments.push({ type, name, path: filePath });
  }
  tempDirectory(): string {
    return this.tempDir;
  }
  complete(result: TaskOutcome, message: string): void {
    this.outcome = { result, message };
    this.emit(`Result: ${result}: ${message}`);
  }

  private emit(line: string): void {
    let masked = line;
    for (const secret of this.secrets) masked = masked.split(secret).join('***');
    this.write(masked);
  }
}
