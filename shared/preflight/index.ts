/** The preflight checks' public surface: types, runner, report and the list of checks. */
export * from './types';
export { runPreflight, DEFAULT_CHECK_TIMEOUT_MS, type PreflightRequest } from './runPreflight';
export { reportPreflight, preflightMarkdown, checklistLine, verdictMessage } from './report';
export { PREFLIGHT_CHECKS } from './checks';
