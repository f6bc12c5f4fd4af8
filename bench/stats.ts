/** Summaries and the result table of the benchmarks. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarize(runs: number[]): Summary {
  if (runs.length === 0) throw new Error('no runs to summarize');
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs };
}

export interface Target {
  /** What the figure (or its ratio) is compared with. */
  on: 'value' | 'ratio' | 'max';
  op: '<=' | '<';
  limit: number;
}

export interface Figure {
  id: string;
  label: string;
  unit: string;
  value: Summary;
  baseline?: { label: string; value: Summary };
  /** value.median / baseline.median. */
  ratio?: number;
  target?: Target;
  pass?: boolean;
  notes?: string;
}

export function figure(f: Omit<Figure, 'ratio' | 'pass'>): Figure {
  const ratio = f.baseline ? f.value.median / f.baseline.value.median : undefined;
  let pass: boolean | undefined;
  if (f.target) {
    const measured = f.target.on === 'ratio' ? ratio : f.target.on === 'max' ? f.value.max : f.value.median;
    if (measured === undefined) throw new Error(`${f.id}: a ratio target needs a baseline`);
    pass = f.target.op === '<=' ? measured <= f.target.limit : measured < f.target.limit;
  }
  return { ...f, ...(ratio !== undefined ? { ratio } : {}), ...(pass !== undefined ? { pass } : {}) };
}

function num(v: number | undefined): string {
  if (v === undefined) return '';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function targetText(t: Target | undefined, unit: string): string {
  if (!t) return '';
  const subject = t.on === 'ratio' ? 'ratio' : t.on === 'max' ? 'max' : 'median';
  return `${subject} ${t.op} ${t.limit}${t.on === 'ratio' ? 'x' : ` ${unit}`}`;
}

export function table(figures: Figure[]): string {
  const header = ['figure', 'unit', 'median', 'min', 'max', 'runs', 'baseline', 'ratio', 'target', 'result'];
  const rows = figures.map((f) => [
    f.label,
    f.unit,
    num(f.value.median),
    num(f.value.min),
    num(f.value.max),
    String(f.value.runs.length),
    f.baseline ? `${num(f.baseline.value.median)} (${f.baseline.label})` : '',
    f.ratio !== undefined ? `${f.ratio.toFixed(2)}x` : '',
    targetText(f.target, f.unit),
    f.pass === undefined ? '' : f.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
