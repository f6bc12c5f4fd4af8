/** Markdown for the run summary and the preflight report, with outside text kept as data. */

/** Text that is safe inside a Markdown table cell or paragraph. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, '<br>');
}
