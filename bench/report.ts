/** Small statistics and formatting helpers for benchmark reports (markdown, so they paste into docs/). */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-GB') : '-';
}

/** 38.1k style, for the list of per-run figures. */
export function kilo(n: number): string {
  return `${(n / 1000).toFixed(1)}k`;
}

export function ms(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}

export function ratio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}x` : '-';
}

export function mb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '-' : `${Math.round(bytes / 1024 / 1024)} MB`;
}

/** A markdown table: right-aligned columns except the first. */
export function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

export function verdicts(list: Verdict[]): string {
  return table(
    ['target', 'measured', 'result'],
    list.map((v) => [v.target, v.measured, v.pass ? 'met' : '**not met**']),
  );
}
