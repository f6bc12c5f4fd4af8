/**
 * The preflight result for people: a compact checklist in the log (one line
 * per finding), error issues that name the input to fix, warnings as warning
 * issues, and a Markdown section for the run summary.
 */
import type { Localize } from '../core/localizedError';
import type { TaskHost } from '../core/taskHost';
import { escapeMarkdown } from '../core/markdown';
import { CHECK_TITLE_KEYS } from './checkTitles';
import type { CheckResult, CheckStatus, PreflightOutcome } from './types';

const MARKS: Readonly<Record<CheckStatus, string>> = { passed: '✓', warning: '!', failed: '✗' };
const STATUS_KEYS: Readonly<Record<CheckStatus, string>> = {
  passed: 'PreflightStatusPassed',
  warning: 'PreflightStatusWarning',
  failed: 'PreflightStatusFailed',
};

/** The finding in words. */
export function resultText(result: CheckResult, loc: Localize): string {
  return loc(result.key, ...result.args);
}

/** `✓ Resource providers: Resource provider Microsoft.Compute is registered.` */
export function checklistLine(result: CheckResult, loc: Localize): string {
  return `${MARKS[result.status]} ${loc(CHECK_TITLE_KEYS[result.id])}: ${resultText(result, loc)}`;
}

function counts(outcome: PreflightOutcome): Record<CheckStatus, number> {
  const c: Record<CheckStatus, number> = { passed: 0, warning: 0, failed: 0 };
  for (const r of outcome.results) c[r.status]++;
  return c;
}

function checklistTitle(outcome: PreflightOutcome, loc: Localize): string {
  const c = counts(outcome);
  return loc('PreflightChecklistTitle', c.passed, c.warning, c.failed, (outcome.elapsedMs / 1000).toFixed(1));
}

/** The one-line verdict, used as the task's result message when preflight fails. */
export function verdictMessage(outcome: PreflightOutcome, loc: Localize): string {
  const c = counts(outcome);
  if (c.failed > 0) return loc('PreflightVerdictFailed', c.failed);
  if (c.warning > 0) return loc('PreflightVerdictWarnings', c.warning);
  return loc('PreflightVerdictPassed');
}

/**
 * Writes the checklist to the log and raises an issue per problem. Returns the
 * verdict message. Warnings never fail the task; deciding to stop on a failed
 * verdict is the caller's.
 */
export function reportPreflight(host: TaskHost, outcome: PreflightOutcome): string {
  const loc: Localize = (key, ...args) => host.loc(key, ...args);
  host.info(checklistTitle(outcome, loc));
  for (const result of outcome.results) host.info(`  ${checklistLine(result, loc)}`);
  for (const result of outcome.results) {
    if (result.status === 'passed') continue;
    const text = resultText(result, loc);
    const issue = result.input ? loc('PreflightInputProblem', result.input, text) : text;
    if (result.status === 'failed') host.error(issue);
    else host.warning(issue);
  }
  return verdictMessage(outcome, loc);
}

/** A `## Preflight checks` section for the summary tab: a table of every finding. */
export function preflightMarkdown(outcome: PreflightOutcome, loc: Localize): string {
  const row = (cells: string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const lines = [
    `## ${escapeMarkdown(loc('PreflightSummaryTitle'))}`,
    '',
    escapeMarkdown(checklistTitle(outcome, loc)),
    '',
    row([loc('PreflightSummaryResult'), loc('PreflightSummaryCheck'), loc('PreflightSummaryDetails')]),
    '| --- | --- | --- |',
    ...outcome.results.map((r) =>
      row([`${MARKS[r.status]} ${loc(STATUS_KEYS[r.status])}`, loc(CHECK_TITLE_KEYS[r.id]), r.input ? loc('PreflightInputProblem', r.input, resultText(r, loc)) : resultText(r, loc)]),
    ),
    '',
  ];
  return lines.join('\n');
}
