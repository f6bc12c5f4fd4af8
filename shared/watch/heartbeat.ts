/** A line in the log when the build has been quiet for a while, so a long step does not look hung. */
import type { TaskHost } from '../core/taskHost';
import { formatDuration, formatTimestamp } from '../core/format';
import type { LogSections } from './logSections';

/** Five minutes without a build-log line before the log says the task is still there. */
export const HEARTBEAT_INTERVAL_MS = 5 * 60_000;

export type HeartbeatHost = Pick<TaskHost, 'loc'>;

/**
 * A line every few minutes while the build log is quiet, with the status and
 * the time so far, so a pipeline log that cannot show the build log (or a step
 * that prints nothing for an hour) does not look hung. Any build-log line
 * restarts the count; after a heartbeat the next one comes an interval later.
 */
export class Heartbeat {
  private lastLineAt: number;
  private lastBeatAt: number;

  constructor(
    private readonly host: HeartbeatHost,
    private readonly sections: Pick<LogSections, 'statusLine'>,
    private readonly startedAt: number,
    private readonly now: () => number = Date.now,
    private readonly intervalMs: number = HEARTBEAT_INTERVAL_MS,
  ) {
    this.lastLineAt = startedAt;
    this.lastBeatAt = startedAt;
  }

  /** A build-log line was shown. */
  logLine(): void {
    this.lastLineAt = this.now();
  }

  /** Called once per poll with the status as last seen. */
  check(status: string): void {
    const at = this.now();
    if (at - Math.max(this.lastLineAt, this.lastBeatAt) < this.intervalMs) return;
    this.sections.statusLine(
      this.host.loc('WatchHeartbeat', formatTimestamp(at), status, formatDuration(at - this.startedAt), formatDuration(at - this.lastLineAt)),
    );
    this.lastBeatAt = at;
  }
}
