/** How build-log lines and status lines share the pipeline log's groups. */
import type { TaskHost } from '../core/taskHost';
import { formatDuration } from '../core/format';
import { displayText } from './logLines';

/**
 * How build-log lines and status lines share the pipeline log.
 *
 * The pipeline log has collapsible groups but no nesting, and a line printed
 * while a group is open lands inside it. Build-log lines are many and mostly
 * noise once a step has passed, so they go into groups; status lines (phase
 * changes, warnings) are few and must stay visible, so they always go outside.
 *
 * - One group per customizer, opened at `(telemetry) Starting provisioner X`
 *   and closed after `(telemetry) ending X`, titled after the template's
 *   customizer (its `name` and type) when the n-th marker matches the n-th
 *   customizer's type, since the log itself only names the Packer
 *   provisioner kind. The end is followed by a line outside the group with the
 *   step's duration as seen from here (when its markers were read), so a
 *   collapsed view still tells which step took long.
 * - Lines before the first step go to a "preparing" group, lines after a step
 *   to an "after step n" group, and `(telemetry) Finalizing.` opens a
 *   "finishing" group.
 * - A status line closes the open group first. The next build-log line of the
 *   same step reopens a group titled "<step> (continued)", so a collapsed
 *   view still reads as: group, status, group (continued), status, ...
 * - Lines are shown without the Packer prefix and without the service's
 *   telemetry markers (logLines.ts); the saved log keeps them.
 */
export type SectionsHost = Pick<TaskHost, 'loc' | 'info' | 'beginGroup' | 'endGroup'>;

/** A customizer or validator of the submitted template, in the order the service runs them. */
export interface TemplateStep {
  type: string;
  name?: string;
}

export interface LogSectionsOptions {
  /** The template's customizers, then its in-VM validators. */
  steps?: readonly TemplateStep[];
  /** Injected in tests. */
  now?: () => number;
  /** Called for every build-log line shown (the heartbeat listens here). */
  onLogLine?: () => void;
}

/** A step as seen in the log, for the summary. */
export interface StepTiming {
  title: string;
  durationMs: number;
}

const STEP_START = /\(telemetry\) Starting provisioner (\S+)/;
const STEP_END = /\(telemetry\) ending (\S+)/;
const FINALIZING = /\(telemetry\) Finalizing\./;

/** Template type to the Packer provisioner kind the service names in its markers. */
const PROVISIONER_OF: Readonly<Record<string, string>> = {
  shell: 'shell',
  powershell: 'powershell',
  file: 'file',
  windowsrestart: 'windows-restart',
  windowsupdate: 'windows-update',
};

export class LogSections {
  private open = false;
  /** Title of the section the next build-log line belongs to; undefined before the first line. */
  private sectionTitle: string | undefined;
  /** The section was cut by a status line and has not been reopened yet. */
  private interrupted = false;
  private steps = 0;
  private current: { label: string; startedAt: number } | undefined;
  private readonly timings: StepTiming[] = [];
  private readonly now: () => number;

  constructor(
    private readonly host: SectionsHost,
    private readonly options: LogSectionsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Steps whose start and end were both read, in order. */
  stepTimings(): StepTiming[] {
    return [...this.timings];
  }

  /** A line of customization.log: printed inside the group of the step it belongs to. */
  logLine(line: string): void {
    const start = STEP_START.exec(line);
    if (start) {
      this.steps += 1;
      const label = this.stepLabel(this.steps, start[1]!);
      this.current = { label, startedAt: this.now() };
      this.startSection(this.host.loc('LogGroupStepNamed', label));
    } else if (FINALIZING.test(line)) {
      this.startSection(this.host.loc('LogGroupFinishing'));
    }
    const text = displayText(line);
    if (text !== undefined) {
      if (!this.open) {
        if (this.sectionTitle === undefined) {
          this.startSection(this.host.loc('LogGroupPreparing'));
        } else if (this.interrupted) {
          this.beginGroup(this.host.loc('LogGroupContinued', this.sectionTitle));
        } else {
          this.startSection(this.host.loc('LogGroupAfterStep', this.steps));
        }
      }
      this.host.info(text);
      this.options.onLogLine?.();
    }
    if (STEP_END.test(line)) {
      // The step is over; whatever follows belongs to a new section.
      this.endGroup();
      this.interrupted = false;
      if (this.current) {
        const durationMs = this.now() - this.current.startedAt;
        this.timings.push({ title: this.current.label, durationMs });
        this.host.info(this.host.loc('LogStepFinished', this.current.label, formatDuration(durationMs)));
        this.current = undefined;
      }
    }
  }

  /** A status or warning line: always printed outside any group. */
  statusLine(text: string): void {
    if (this.open) {
      this.endGroup();
      this.interrupted = true;
    }
    this.host.info(text);
  }

  /** Call before printing anything else through the host directly (e.g. warnings). */
  pause(): void {
    if (this.open) {
      this.endGroup();
      this.interrupted = true;
    }
  }

  /** Closes the open group, if any. */
  close(): void {
    this.endGroup();
    this.interrupted = false;
  }

  /**
   * `RunInlineScript (Shell)` when the n-th step of the template has the kind the
   * marker names, else `step n, <kind>`: the service may run steps of its own.
   */
  private stepLabel(n: number, kind: string): string {
    const step = this.options.steps?.[n - 1];
    if (step && PROVISIONER_OF[step.type.toLowerCase()] === kind.toLowerCase()) {
      return step.name ? `${step.name} (${step.type})` : this.host.loc('LogStepUnnamed', n, step.type);
    }
    return this.host.loc('LogStepUnnamed', n, kind);
  }

  private startSection(title: string): void {
    this.endGroup();
    this.sectionTitle = title;
    this.interrupted = false;
    this.beginGroup(title);
  }

  private beginGroup(title: string): void {
    this.host.beginGroup(title);
    this.open = true;
    this.interrupted = false;
  }

  private endGroup(): void {
    if (!this.open) return;
    this.host.endGroup();
    this.open = false;
  }
}
