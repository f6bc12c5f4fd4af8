/** What the run may wait for the build, said before anything starts. */
import type { TaskHost } from '../core/taskHost';
import { effectiveBuildTimeoutMinutes } from '../core/buildTimeout';
import { DEFAULT_DEADLINE_MARGIN_MINUTES } from './statusPoller';

/**
 * What the run may wait, said before anything starts. The agent gives a task
 * no variable with the job's timeout (`timeoutInMinutes`) nor with the time
 * left, so the task cannot compare; it names the settings that must allow the
 * wait instead. A job cut off by its own timeout shows only "The operation was
 * canceled." and leaves the template behind when cancelTimeoutInMinutes is too
 * short for the cancel and the deletion request.
 */
export interface WaitBudget {
  buildTimeoutMinutes: number;
  marginMinutes: number;
  totalMinutes: number;
  /** The job timeout that covers the wait and the steps around it. */
  jobTimeoutMinutes: number;
}

/** Minutes for what comes before and after the wait: upload, template creation, outputs, cleanup. */
const AROUND_THE_WAIT_MINUTES = 15;

export function waitBudget(buildTimeoutInMinutes: number, marginMinutes = DEFAULT_DEADLINE_MARGIN_MINUTES): WaitBudget {
  const buildTimeoutMinutes = effectiveBuildTimeoutMinutes(buildTimeoutInMinutes);
  const totalMinutes = buildTimeoutMinutes + marginMinutes;
  return { buildTimeoutMinutes, marginMinutes, totalMinutes, jobTimeoutMinutes: totalMinutes + AROUND_THE_WAIT_MINUTES };
}

export function waitBudgetLine(host: Pick<TaskHost, 'loc'>, buildTimeoutInMinutes: number): string {
  const budget = waitBudget(buildTimeoutInMinutes);
  return host.loc(
    'WaitBudget',
    budget.totalMinutes,
    budget.buildTimeoutMinutes,
    buildTimeoutInMinutes === 0 ? host.loc('WaitBudgetServiceDefault') : '',
    budget.marginMinutes,
    budget.jobTimeoutMinutes,
  );
}
