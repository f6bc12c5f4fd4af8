/** The run's summary tab: one place that writes it, so every summary passes the SAS redactor. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskHost } from '../core/taskHost';
import { redactSas } from '../core/sasRedaction';

/**
 * Writes Markdown to the agent's temp folder and attaches it as the run's summary tab.
 * Every summary passes the one SAS redactor here, whichever path its texts took.
 */
export function uploadSummaryFile(host: TaskHost, templateName: string, markdown: string): void {
  const file = path.join(host.tempDirectory(), `${templateName}-summary.md`);
  fs.writeFileSync(file, redactSas(markdown));
  host.uploadSummary(file);
}
