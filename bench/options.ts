import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command-line pieces the benchmarks share; each bench's *-options.ts adds its own options and USAGE. */

export class UsageError extends Error {}

/** Every bench takes these, read into CommonOptions by the bench (each has its own --base-port default). */
const COMMON = {
  'base-port': { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The benches that drive wrk take these, read by `wrkOptions`. */
export const WRK = {
  runs: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
} as const;

/** argv against the bench's own options plus the common ones; --help prints `usage` and exits. */
export function parseCommon<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  const { values } = parseArgs<{ args: string[]; options: T & typeof COMMON }>({ args: argv, options: { ...options, ...COMMON } });
  // TypeScript cannot resolve parseArgs's value types while T is open; the callers get them in full.
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/** wrk takes whole seconds, so every count and duration on a bench's command line is a whole number. */
export function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}`);
  return n;
}

export interface CommonOptions {
  basePort: number;
  json: string | undefined;
}

export interface WrkOptions {
  runs: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

/** The wrk options, with the BENCH_* environment as the fallback so a whole suite can be shortened at once; `quick` is a smoke run's defaults. */
export function wrkOptions(values: { runs?: string; duration?: string; warmup?: string; connections?: string }, quick = false): WrkOptions {
  return {
    runs: whole('runs', values.runs ?? process.env.BENCH_RUNS, quick ? 1 : 3, 1),
    durationS: whole('duration', values.duration ?? process.env.BENCH_DURATION, quick ? 2 : 5, 1),
    warmupS: whole('warmup', values.warmup ?? process.env.BENCH_WARMUP, quick ? 1 : 2, 0),
    connections: whole('connections', values.connections, 50, 1),
  };
}

/** --only: the named sections, or all of them. */
export function sections<S extends string>(list: string | undefined, all: readonly S[]): Set<S> {
  if (list === undefined) return new Set(all);
  const names = list.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(all as readonly string[]).includes(n)) throw new UsageError(`--only: unknown section ${n} (${all.join(', ')})`);
  }
  return new Set(names as S[]);
}

/** --database for a bench that runs one platform: PGlite in memory unless PostgreSQL is asked for. */
export function database(kind: string | undefined): 'pglite' | 'postgres' {
  if (kind === undefined || kind === 'pglite' || kind === 'postgres') return kind ?? 'pglite';
  throw new UsageError('--database must be pglite or postgres');
}

/** A bench's parsed options, or its exit code once a mistake on the command line has been reported with the usage. */
export function parseOrReport<O extends object>(argv: string[], parse: (argv: string[]) => O, usage: string): O | number {
  try {
    return parse(argv);
  } catch (err) {
    // parseArgs reports an unknown option or a missing value as a TypeError: a usage mistake too.
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    console.error(`${err.message}\n\n${usage}`);
    return 2;
  }
}
