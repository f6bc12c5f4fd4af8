/** Turns watch events into pipeline log lines and the progress bar. */
import type { TaskHost } from '../core/taskHost';
import { describeError, formatDuration, formatTimestamp } from '../core/format';
import type { LogSections } from './logSections';
import { type WatchEvent } from './statusPoller';
import { phaseLabel } from '../core/runPhase';

export type StatusPrinterHost = Pick<TaskHost, 'loc' | 'info' | 'debug' | 'setProgress'>;

/**
 * Turns watch events into pipeline log lines and the progress bar. Status
 * lines go through `sections` so they never land inside a build-log group.
 */
export function createStatusPrinter(host: StatusPrinterHost, sections?: Pick<LogSections, 'statusLine'>): (event: WatchEvent) => void {
  const status = (line: string) => (sections ? sections.statusLine(line) : host.info(line));
  return (event) => {
    switch (event.type) {
      case 'phaseChanged': {
        const label = phaseLabel(event.phase);
        status(host.loc('WatchPhaseChanged', formatTimestamp(event.at), label, formatDuration(event.elapsedMs)));
        host.setProgress(event.progressPercent, host.loc('WatchProgress', label));
        return;
      }
      case 'stagingResourceGroupKnown':
        status(host.loc('WatchStagingResourceGroup', event.resourceGroupId));
        return;
      case 'transientError':
        host.debug(
          host.loc('WatchTransientError', describeError(event.error), event.consecutiveFailures, event.maxConsecutiveFailures, Math.round(event.retryInMs / 1000)),
        );
        return;
      case 'finished':
        status(host.loc('WatchFinished', formatTimestamp(event.at), event.runState, formatDuration(event.elapsedMs)));
        host.setProgress(100, host.loc('WatchProgress', event.runState));
        return;
      case 'deadlineExceeded':
        status(host.loc('WatchDeadlineExceeded', formatTimestamp(event.at), formatDuration(event.elapsedMs), event.buildTimeoutMinutes, event.marginMinutes));
        return;
      default: {
        const unknown: never = event;
        throw new TypeError(`unhandled watch event ${JSON.stringify(unknown)}`);
      }
    }
  };
}
