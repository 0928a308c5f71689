import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { WrkOptions } from './options.ts';

/** Small statistics and formatting helpers for benchmark reports (markdown, so they paste into docs/). */

/** Progress goes to stderr, so that stdout is the report alone. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

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

/** The machine a report's figures came from. */
export function hardware(): string {
  const cpu = cpus();
  return `${cpu.length} CPUs (${cpu[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Linux ${release()}`;
}

/** Node's version and each tool's, as `cmd args` reports it. */
export function versions(...tools: [cmd: string, ...args: string[]][]): string {
  // nginx -v and wrk -v print to stderr (and wrk exits 1), so take the first line of either stream.
  const version = ([cmd, ...args]: [string, ...string[]]): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
  };
  return [`Node ${process.version}`, ...tools.map(version)].join('; ');
}

export function loads(averages: readonly number[]): string {
  return averages.map((n) => n.toFixed(1)).join(' / ');
}

/** Other work on the machine shows up here first, so a report gives the load for the start and the end of its run. */
export function loadLine(atStart: readonly number[], atEnd: readonly number[] = loadavg()): string {
  return `load average (1/5/15 min) at start ${loads(atStart)}, at end ${loads(atEnd)}`;
}

/** How measureAll ran wrk. */
export function wrkLine(o: WrkOptions): string {
  return `wrk -t1 -c${o.connections} -d${o.durationS}s --latency, ${o.warmupS} s warm-up before each run; median of ${o.runs} run(s), setups interleaved`;
}

/** One section's part of the report: markdown lines and its targets. */
export interface Part {
  lines: string[];
  verdicts: Verdict[];
}

/** Prints a bench's report to stdout: its title, the bullets about the run, each part, then every part's targets; returns the targets. */
export function printReport(title: string, bullets: string[], parts: Part[]): Verdict[] {
  const list = parts.flatMap((part) => part.verdicts);
  console.log(
    ['', `## ${title}`, '', ...bullets.map((l) => `- ${l}`), ...parts.flatMap((part) => part.lines), '', '### Targets', '', verdicts(list), ''].join('\n'),
  );
  return list;
}

/** --json: every raw figure, for whoever wants more than the report. */
export function writeRaw(file: string | undefined, raw: object): void {
  if (!file) return;
  writeFileSync(file, JSON.stringify(raw, null, 2));
  progress(`raw figures written to ${file}`);
}
