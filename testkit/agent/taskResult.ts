/**
 * The agent's TaskResult enum and TaskResultUtil.MergeTaskResults.
 * The numeric order matters: merging keeps the "worst" result, and once a
 * step is Canceled or Skipped nothing later changes it.
 */

export const TASK_RESULTS = ['Succeeded', 'SucceededWithIssues', 'Failed', 'Canceled', 'Skipped'] as const;
export type TaskResult = (typeof TASK_RESULTS)[number];

const rank = (result: TaskResult): number => TASK_RESULTS.indexOf(result);

/**
 * Parses a `task.complete result=` value as .NET's Enum.TryParse does:
 * case-sensitive names or the enum's numbers. So task-lib's own spelling
 * `Cancelled` is NOT a result and the command is rejected.
 */
export function parseTaskResult(text: string | undefined): TaskResult | undefined {
  if (text === undefined || text.length === 0) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return TASK_RESULTS[Number(trimmed)];
  return (TASK_RESULTS as readonly string[]).includes(trimmed) ? (trimmed as TaskResult) : undefined;
}

/**
 * Succeeded -> SucceededWithIssues -> Failed -> Canceled/Skipped.
 * A current Canceled/Skipped is final; otherwise the worse of the two wins.
 */
export function mergeTaskResults(current: TaskResult | undefined, coming: TaskResult): TaskResult {
  if (current === undefined) return coming;
  if (rank(current) > rank('Failed')) return current;
  return rank(coming) >= rank(current) ? coming : current;
}
