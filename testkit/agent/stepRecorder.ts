/**
 * What the agent records for one step while its process runs: each output
 * line is either a logging command (applied, not shown) or plain output
 * (masked and shown). Mirrors WorkerCommandManager.TryProcessCommand and the
 * task command extension; a command that throws is reported and fails the
 * step, as in the agent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLoggingCommand, type LoggingCommand } from './loggingCommand';
import { SecretMasker } from './secretMasker';
import { mergeTaskResults, parseTaskResult, type TaskResult } from './taskResult';

const DOC_LINK = 'http://go.microsoft.com/fwlink/?LinkId=817296';

export interface Issue {
  type: 'error' | 'warning';
  message: string;
}

export interface Attachment {
  type: string;
  name: string;
  path: string;
}

/** Known command areas whose commands this stand-in accepts without modelling them. */
const ACCEPTED_AREAS = new Set(['artifact', 'build', 'codecoverage', 'results', 'telemetry', 'plugininternal']);

export class StepRecorder {
  readonly masker = new SecretMasker();
  readonly issues: Issue[] = [];
  readonly outputs: Record<string, string> = {};
  readonly variables: Record<string, string> = {};
  readonly attachments: Attachment[] = [];
  readonly summaries: string[] = [];
  readonly logs: string[] = [];
  readonly uploadedFiles: string[] = [];
  readonly progress: { value: number; text: string }[] = [];
  readonly log: string[] = [];
  /** From task.complete commands, merged worst-wins. */
  commandedResult: TaskResult | undefined;
  /** Set when processing a command failed (the agent's CommandResult). */
  commandFailure: TaskResult | undefined;
  forceCompleted = false;

  constructor(
    private readonly stepName: string,
    private readonly declaredOutputs: readonly string[],
    private readonly debug: boolean,
    private readonly onLine?: (rendered: string) => void,
  ) {}

  /** Writes a line to the rendered log, masked. */
  write(line: string): void {
    const rendered = this.masker.mask(line);
    this.log.push(rendered);
    this.onLine?.(rendered);
  }

  addIssue(type: Issue['type'], message: string): void {
    const masked = this.masker.mask(message);
    this.issues.push({ type, message: masked });
    this.write(`##[${type}]${masked}`);
  }

  /** Handles one line of the task's stdout or stderr. */
  processLine(line: string): void {
    // Output after `task.complete done=true` is dropped, as the agent does.
    if (this.forceCompleted) return;
    const command = parseLoggingCommand(line);
    if (!command) {
      if (line.includes('##vso')) {
        this.addIssue(
          'warning',
          `'${line}' contains logging command keyword '##vso', but it's not a legal command. Please see the list of accepted commands: https://go.microsoft.com/fwlink/?LinkId=817296`,
        );
      }
      this.write(line);
      return;
    }
    try {
      this.apply(command);
    } catch (err) {
      this.addIssue('error', `Unable to process command '${line}' successfully. Please reference documentation (${DOC_LINK})`);
      this.addIssue('error', (err as Error).message);
      this.commandFailure = mergeTaskResults(this.commandFailure, 'Failed');
    }
  }

  private apply(command: LoggingCommand): void {
    const area = command.area.toLowerCase();
    if (area === 'task') return this.applyTaskCommand(command);
    if (area === 'build' && command.event.toLowerCase() === 'uploadlog') {
      this.requireFile(command.data, 'Cannot upload build log, log file location is not specified or does not exist on disk.');
      this.logs.push(command.data);
      return;
    }
    if (area === 'build' && command.event.toLowerCase() === 'uploadsummary') {
      return this.attach('DistributedTask.Core.Summary', command.data, this.summaries);
    }
    if (ACCEPTED_AREAS.has(area)) return;
    this.addIssue('warning', `Cannot find command extension for ##vso[${command.area}.command]. Please reference documentation (${DOC_LINK})`);
  }

  private applyTaskCommand(command: LoggingCommand): void {
    const prop = (key: string): string | undefined => command.properties.get(key);
    switch (command.event.toLowerCase()) {
      case 'logissue':
      case 'issue': {
        const type = prop('type');
        if (type === undefined) {
          this.addIssue('warning', "Can't create TaskIssue from logging event.");
          return;
        }
        const lowered = type.toLowerCase();
        if (lowered !== 'error' && lowered !== 'warning') throw new Error(`issue type ${type} is not an expected issue type.`);
        this.addIssue(lowered, command.data);
        return;
      }
      case 'complete': {
        const result = parseTaskResult(prop('result'));
        if (!result) throw new Error("Command doesn't have valid result value.");
        this.commandedResult = mergeTaskResults(this.commandedResult, result);
        if (/^(true|1)$/i.test(prop('done') ?? '')) this.forceCompleted = true;
        return;
      }
      case 'setprogress': {
        const parsed = Number.parseInt(prop('value') ?? '', 10);
        const value = Number.isNaN(parsed) ? 0 : Math.min(Math.max(parsed, 0), 100);
        this.progress.push({ value, text: this.masker.mask(command.data) });
        return;
      }
      case 'setsecret':
        this.masker.add(command.data);
        return;
      case 'setvariable':
        return this.setVariable(command);
      case 'settaskvariable':
        if (/^true$/i.test(prop('issecret') ?? '')) this.masker.add(command.data);
        return;
      case 'uploadfile':
        return this.attach('DistributedTask.Core.FileAttachment', command.data, this.uploadedFiles);
      case 'uploadsummary':
        return this.attach('DistributedTask.Core.Summary', command.data, this.summaries);
      case 'addattachment': {
        const type = prop('type');
        const name = prop('name');
        if (!type) throw new Error('Cannot upload task attachment, attachment type is not specified.');
        if (!name) throw new Error('Cannot upload task attachment, attachment name is not specified.');
        if (/[\/\0]/.test(type) || /[\/\0]/.test(name)) throw new Error('Type or name contains invalid characters.');
        this.requireFile(command.data, 'Cannot upload task attachment file, attachment file location is not specified or attachment file does not exist on disk.');
        this.attachments.push({ type, name, path: command.data });
        return;
      }
      case 'debug':
        if (this.debug) this.write(`##[debug]${command.data}`);
        return;
      case 'prependpath':
      case 'logdetail':
      case 'setendpoint':
        return;
      default:
        throw new Error(`##vso[task.${command.event}] is not a recognized command for Task command extension.`);
    }
  }

  private setVariable(command: LoggingCommand): void {
    const name = command.properties.get('variable');
    if (!name) throw new Error('Variable name is not specified.');
    const isSecret = /^true$/i.test(command.properties.get('issecret') ?? '');
    const isOutput = /^true$/i.test(command.properties.get('isoutput') ?? '');
    if (isSecret) {
      if (command.data.includes('\n')) throw new Error('Secrets cannot contain multiple lines');
      this.masker.add(command.data);
    }
    this.variables[name] = command.data;
    // Declared outputVariables are outputs even without isOutput (ExecutionContext.SetVariable).
    if (isOutput || this.declaredOutputs.includes(name)) this.outputs[`${this.stepName}.${name}`] = command.data;
  }

  /** uploadfile / uploadsummary: an attachment named after the file. */
  private attach(type: string, file: string, list: string[]): void {
    if (!file) throw new Error('Cannot upload file, file location is not specified.');
    this.requireFile(file, 'Cannot upload task attachment file, attachment file location is not specified or attachment file does not exist on disk.');
    list.push(file);
    this.attachments.push({ type, name: path.basename(file), path: file });
  }

  private requireFile(file: string, message: string): void {
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) throw new Error(message);
  }
}
