/**
 * Redraws the marketplace pictures from a real `npm start` run:
 *   images/screenshots/live-log.png     the step's log as the Azure Pipelines web view shows it
 *   images/screenshots/summary-tab.png  the summary the task attaches, rendered as Markdown
 *
 * Usage: node build/scripts/screenshots.js [--from <captured npm start output>] [--out <dir>] [--chromium <path>]
 * Without --from it runs build/scripts/start.js itself (after `npm run build`).
 *
 * It needs a Chromium binary (Debian's `chromium` package), so it is a
 * maintainer's tool: no test runs it and CI has no browser.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What `npm start` printed, taken apart. */
export interface DemoRun {
  /** The step's log lines exactly as the agent wrote them (logging commands included). */
  readonly log: string[];
  /** The summary tab's Markdown. */
  readonly summary: string;
  /** The summary file's name: the web view titles the section with it. */
  readonly summaryName: string;
}

const LOG_START = /^Running .* through the agent stand-in:$/;
const SUMMARY_START = /^Summary tab \((.*)\):$/;

/** Splits npm start's output into the step log (indented two spaces) and the summary (prefixed `  | `). */
export function parseDemoOutput(text: string): DemoRun {
  const lines = text.split(/\r?\n/);
  const logFrom = lines.findIndex((l) => LOG_START.test(l));
  if (logFrom < 0) throw new Error('the npm start output has no step log (no "Running ... through the agent stand-in:" line)');
  const log: string[] = [];
  for (const line of lines.slice(logFrom + 1)) {
    if (line.startsWith('Result:')) break;
    if (line.startsWith('  ')) log.push(line.slice(2));
  }
  while (log.length > 0 && log[log.length - 1] === '') log.pop();
  const summaryFrom = lines.findIndex((l) => SUMMARY_START.test(l));
  if (summaryFrom < 0) throw new Error('the npm start output has no summary tab');
  const summaryName = SUMMARY_START.exec(lines[summaryFrom] ?? '')?.[1] ?? 'summary.md';
  const summary: string[] = [];
  for (const line of lines.slice(summaryFrom + 1)) {
    if (!line.startsWith('  |')) break;
    summary.push(line.replace(/^ {2}\| ?/, ''));
  }
  return { log, summary: summary.join('\n').trimEnd() + '\n', summaryName };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------- log view

type LogRow =
  | { kind: 'line'; number: number; text: string; style: 'plain' | 'section' | 'warning' | 'error' | 'command' | 'debug' }
  | { kind: 'group'; number: number; title: string; open: boolean };

const COMMAND_STYLES: Record<string, 'section' | 'warning' | 'error' | 'command' | 'debug'> = {
  section: 'section',
  warning: 'warning',
  error: 'error',
  command: 'command',
  debug: 'debug',
};

/**
 * The rows the web log shows: `##[group]` lines become ▸/▾ headers, lines of
 * a closed group are hidden (their numbers are skipped, as in the web view),
 * and formatting commands colour their line.
 */
export function logRows(log: readonly string[], isOpen: (groupTitle: string) => boolean): LogRow[] {
  const rows: LogRow[] = [];
  let number = 0;
  let hidden = false;
  for (const raw of log) {
    const command = /^##\[(\w+)\](.*)$/.exec(raw);
    const name = command?.[1]?.toLowerCase();
    const text = command?.[2] ?? raw;
    if (name === 'endgroup') {
      hidden = false;
      continue;
    }
    number += 1;
    if (name === 'group') {
      const open = isOpen(text);
      rows.push({ kind: 'group', number, title: text, open });
      hidden = !open;
      continue;
    }
    if (hidden) continue;
    rows.push({ kind: 'line', number, text, style: (name === undefined ? undefined : COMMAND_STYLES[name]) ?? 'plain' });
  }
  return rows;
}

function renderLogPage(title: string, rows: readonly LogRow[], result: string): string {
  const body = rows
    .map((row) => {
      if (row.kind === 'group') {
        return `<div class="row group"><span class="n">${row.number}</span><span class="t"><span class="caret">${row.open ? '▾' : '▸'}</span>${escapeHtml(row.title)}</span></div>`;
      }
      const prefix = row.style === 'warning' ? '<span class="tag">Warning: </span>' : row.style === 'error' ? '<span class="tag">Error: </span>' : '';
      return `<div class="row ${row.style}"><span class="n">${row.number}</span><span class="t">${prefix}${escapeHtml(row.text) || '&nbsp;'}</span></div>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #1e1e1e; color: #d4d4d4; font-family: 'DejaVu Sans', 'Segoe UI', sans-serif; }
.bar { display: flex; align-items: center; gap: 10px; padding: 12px 18px; background: #252526; border-bottom: 1px solid #3c3c3c; font-size: 16px; }
.ok { display: inline-block; width: 18px; height: 18px; border-radius: 50%; background: #3f9b3f; color: #fff; font-size: 13px; text-align: center; line-height: 18px; }
.bar .result { margin-left: auto; color: #9d9d9d; font-size: 13px; }
.log { padding: 8px 0; font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 12.5px; line-height: 18px; }
.row { display: flex; white-space: pre; }
.n { flex: 0 0 44px; text-align: right; padding-right: 14px; color: #6e7681; user-select: none; }
.t { overflow: hidden; text-overflow: ellipsis; padding-right: 16px; }
.group .t { color: #e8e8e8; font-weight: bold; }
.caret { display: inline-block; width: 16px; color: #9cdcfe; }
.section { color: #6ac46a; }
.warning .t { color: #e5c07b; }
.error .t { color: #f48771; }
.tag { font-weight: bold; }
.command .t { color: #569cd6; }
.debug .t { color: #b392f0; }
</style></head><body>
<div class="bar"><span class="ok">✓</span><span>${escapeHtml(title)}</span><span class="result">${escapeHtml(result)}</span></div>
<div class="log">
${body}
</div></body></html>`;
}

// ---------------------------------------------------------------- Markdown

/** Inline Markdown: code spans, links, bold, backslash escapes. Enough for the task's summary. */
function inline(text: string): string {
  const parts: string[] = [];
  const pattern = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|\\([\\`*_{}[\]()#+\-.!|])/g;
  let last = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    parts.push(escapeHtml(text.slice(last, m.index)));
    if (m[1] !== undefined) parts.push(`<code>${escapeHtml(m[1])}</code>`);
    else if (m[2] !== undefined) parts.push(`<a href="${escapeHtml(m[3] ?? '')}">${inline(m[2])}</a>`);
    else if (m[4] !== undefined) parts.push(`<strong>${inline(m[4])}</strong>`);
    else parts.push(escapeHtml(m[5] ?? ''));
    last = pattern.lastIndex;
  }
  parts.push(escapeHtml(text.slice(last)));
  return parts.join('');
}

/** Table cells of one `| a | b |` line; `\|` stays inside its cell. */
function tableCells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

const TABLE_RULE = /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/;

/** Block Markdown: headings, paragraphs, ordered and unordered lists, pipe tables. */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.split(/\r?\n/);
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1]?.length ?? 1;
      out.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      i += 1;
      continue;
    }
    if (line.trim().startsWith('|') && TABLE_RULE.test((lines[i + 1] ?? '').trim())) {
      const head = tableCells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && (lines[i] ?? '').trim().startsWith('|')) {
        rows.push(tableCells(lines[i] ?? ''));
        i += 1;
      }
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>` +
          rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
      continue;
    }
    const listItem = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/;
    const first = listItem.exec(line);
    if (first) {
      const ordered = first[2] !== undefined;
      const items: string[] = [];
      for (let m = listItem.exec(lines[i] ?? ''); m && (m[2] !== undefined) === ordered; m = listItem.exec(lines[i] ?? '')) {
        items.push(`<li>${inline(m[3] ?? '')}</li>`);
        i += 1;
      }
      out.push(ordered ? `<ol>${items.join('')}</ol>` : `<ul>${items.join('')}</ul>`);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && !/^(#{1,6}\s|\s*\|)/.test(lines[i] ?? '')) {
      paragraph.push(lines[i] ?? '');
      i += 1;
    }
    out.push(`<p>${inline(paragraph.join(' '))}</p>`);
  }
  return out.join('\n');
}

function renderSummaryPage(tabTitle: string, markdown: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #f8f8f8; color: #201f1e; font-family: 'DejaVu Sans', 'Segoe UI', sans-serif; font-size: 13px; }
.tabs { display: flex; gap: 24px; padding: 0 24px; background: #fff; border-bottom: 1px solid #e0e0e0; }
.tabs span { padding: 12px 0 10px; color: #605e5c; }
.tabs .on { color: #201f1e; font-weight: bold; border-bottom: 2px solid #0078d4; }
.card { margin: 16px 24px; background: #fff; border-radius: 4px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.card > .head { padding: 12px 16px; font-weight: bold; border-bottom: 1px solid #edebe9; }
.md { padding: 4px 20px 16px; line-height: 1.5; }
h1 { font-size: 20px; margin: 14px 0 8px; }
h2 { font-size: 15px; margin: 18px 0 6px; padding-bottom: 3px; border-bottom: 1px solid #edebe9; }
p { margin: 6px 0; }
ol, ul { margin: 4px 0; padding-left: 26px; }
table { border-collapse: collapse; margin: 6px 0; width: 100%; }
th, td { border: 1px solid #d2d0ce; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f2f1; white-space: nowrap; }
td:first-child { white-space: nowrap; }
a { color: #0078d4; text-decoration: none; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; }
</style></head><body>
<div class="tabs"><span>Summary</span><span class="on">Extensions</span></div>
<div class="card"><div class="head">▾ ${escapeHtml(tabTitle)}</div><div class="md">
${markdownToHtml(markdown)}
</div></div></body></html>`;
}

// ---------------------------------------------------------------- Chromium

function screenshot(chromium: string, html: string, png: string, width: number, height: number): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-shots-'));
  try {
    const page = path.join(scratch, 'page.html');
    fs.writeFileSync(page, html);
    // The background-networking flags keep Chromium from dialling out: the
    // page is local and the pictures must not depend on the network.
    const run = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${path.join(scratch, 'profile')}`,
        `--screenshot=${png}`,
        `--window-size=${width},${height}`,
        `file://${page}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (run.status !== 0 || !fs.existsSync(png)) throw new Error(`chromium failed (${run.status}): ${run.stderr}`);
    shrink(png);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Chromium writes full-colour PNGs; a page of text needs a small palette.
 * pngquant (Debian's `pngquant`) cuts the size by about two thirds, which
 * keeps the .vsix small; without it the pictures are only larger.
 */
function shrink(png: string): void {
  const run = spawnSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--quality=70-95', '--output', png, png], { encoding: 'utf8' });
  if (run.error) console.warn(`screenshots: pngquant not available (${run.error.message}); ${path.basename(png)} stays full colour`);
}

function argument(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'tasks'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No repository (package.json and tasks/) above ${start}`);
  }
}

export function main(argv: readonly string[]): number {
  const root = findRoot(__dirname);
  const from = argument(argv, '--from');
  const outDir = path.resolve(argument(argv, '--out') ?? path.join(root, 'images', 'screenshots'));
  const chromium = argument(argv, '--chromium') ?? '/usr/bin/chromium';
  let text: string;
  if (from) {
    text = fs.readFileSync(from, 'utf8');
  } else {
    const run = spawnSync(process.execPath, [path.join(root, 'build', 'scripts', 'start.js')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`npm start failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    text = run.stdout;
  }
  const demo = parseDemoOutput(text);
  const title = /^##\[section\]Starting: (.*)$/.exec(demo.log[0] ?? '')?.[1] ?? 'Azure VM Image Builder';
  const finished = demo.log.map((l) => /Build finished: (\w+) \(elapsed ([^)]+)\)/.exec(l)).find((m) => m !== null);
  const result = finished ? `${finished[1]} · ${finished[2]}` : '';
  // The customizer steps stay open to show the streamed build log; the
  // other groups are closed as a reader would leave them.
  const rows = logRows(demo.log, (group) => /^Build log: (?!preparing|after step|finishing)/.test(group));
  fs.mkdirSync(outDir, { recursive: true });
  const logHeight = 60 + 16 + rows.length * 18;
  screenshot(chromium, renderLogPage(title, rows, result), path.join(outDir, 'live-log.png'), 1280, logHeight);
  const summaryTitle = demo.summaryName.replace(/\.md$/i, '');
  screenshot(chromium, renderSummaryPage(summaryTitle, demo.summary), path.join(outDir, 'summary-tab.png'), 1280, Number(argument(argv, '--summary-height') ?? 1810));
  for (const file of ['live-log.png', 'summary-tab.png']) {
    console.log(`screenshots: wrote ${path.relative(root, path.join(outDir, file))} (${fs.statSync(path.join(outDir, file)).size} bytes)`);
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`screenshots: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
