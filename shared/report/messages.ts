/**
 * The user-visible texts of the report modules, keyed as in task.json `messages`
 * (util.format placeholders). They are merged into task.json; code only passes
 * these keys to host.loc.
 */
export const REPORT_MESSAGES: Record<string, string> = {};
