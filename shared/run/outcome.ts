/** What a build run ends with: the task result and the message the agent shows for it. */
import type { TaskOutcome } from '../core/taskHost';

export interface BuildRunOutcome {
  result: TaskOutcome;
  message: string;
  /** The summary tab's Markdown so far; attached once, after cleanup has added its account. */
  summary?: string;
}
