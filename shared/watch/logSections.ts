/** How build-log lines and status lines share the pipeline log's groups. */
import type { TaskHost } from '../core/taskHost';

/**
 * How build-log lines and status lines share the pipeline log.
 *
 * The pipeline log has collapsible groups but no nesting, and a line printed
 * while a group is open lands inside it. Build-log lines are many and mostly
 * noise once a step has passed, so they go into groups; status lines (phase
 * changes, warnings) are few and must stay visible, so they always go outside.
 *
 * - One group per customizer, opened at `(telemetry) Starting provisioner X`
 *   and closed after `(telemetry) ending X`; lines before the first step go to
 *   a "preparing" group, lines after a step to an "after step n" group, and
 *   `(telemetry) Finalizing.` opens a "finishing" group.
 * - A status line closes the open group first. The next build-log line of the
 *   same step reopens a group titled "<step> (continued)", so a collapsed
 *   view still reads as: group, status, group (continued), status, ...
 */
export type SectionsHost = Pick<TaskHost, 'loc' | 'info' | 'beginGroup' | 'endGroup'>;

const STEP_START = /\(telemetry\) Starting provisioner (\S+)/;
const STEP_END = /\(telemetry\) ending (\S+)/;
const FINALIZING = /\(telemetry\) Finalizing\./;

export class LogSections {
  private open = false;
  /** Title of the section the next build-log line belongs to; undefined before the first line. */
  private sectionTitle: string | undefined;
  /** The section was cut by a status line and has not been reopened yet. */
  private interrupted = false;
  private steps = 0;

  constructor(private readonly host: SectionsHost) {}

  /** A line of customization.log: printed inside the group of the step it belongs to. */
  logLine(line: string): void {
    const start = STEP_START.exec(line);
    if (start) {
      this.steps += 1;
      this.startSection(this.host.loc('LogGroupStep', this.steps, start[1]));
    } else if (FINALIZING.test(line)) {
      this.startSection(this.host.loc('LogGroupFinishing'));
    } else if (!this.open) {
      if (this.sectionTitle === undefined) {
        this.startSection(this.host.loc('LogGroupPreparing'));
      } else if (this.interrupted) {
        this.beginGroup(this.host.loc('LogGroupContinued', this.sectionTitle));
      } else {
        this.startSection(this.host.loc('LogGroupAfterStep', this.steps));
      }
    }
    this.host.info(line);
    if (STEP_END.test(line)) {
      // The step is over; whatever follows belongs to a new section.
      this.endGroup();
      this.interrupted = false;
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
