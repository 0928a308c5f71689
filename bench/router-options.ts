import { parseArgs } from 'node:util';

/** The router benchmark's command line. */

export const USAGE = `usage: npm run bench -- router [options]

  --runs N          measured runs per setup; the median is reported (env BENCH_RUNS, default 3)
  --duration S      seconds per measured run (env BENCH_DURATION, default 5)
  --warmup S        seconds of warm-up before each run, 0 for none (env BENCH_WARMUP, default 2)
  --connections N   wrk connections (default 50)
  --routes N        routes in the table compared with nginx (default 10000)
  --large N         routes in the large table (default 1000000)
  --reloads N       reloads under load (default 100)
  --base-port P     first of four loopback ports (default 19001)
  --database KIND   pglite (default: in memory, in the router process) or postgres (a throwaway
                    database on PORTICO_TEST_SERVER_URL, default postgres://postgres@127.0.0.1:5432/postgres)
  --only LIST       sections to run, comma-separated: compare, reload, scale (default all)
  --json FILE       also write every raw figure to FILE

BENCH_ROUTER_NODE_FLAGS adds Node flags to the router process only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").

A quick smoke run: npm run bench -- router --runs 1 --duration 1 --warmup 1 --large 100000 --reloads 10`;

export interface Options {
  runs: number;
  durationS: number;
  warmupS: number;
  connections: number;
  routes: number;
  large: number;
  reloads: number;
  basePort: number;
  database: 'pglite' | 'postgres';
  only: Set<SectionName>;
  json: string | undefined;
}

export const SECTIONS = ['compare', 'reload', 'scale'] as const;
export type SectionName = (typeof SECTIONS)[number];

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      routes: { type: 'string' },
      large: { type: 'string' },
      reloads: { type: 'string' },
      'base-port': { type: 'string' },
      database: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  // wrk takes whole seconds, and the route generator needs an even count (it alternates exact and prefix).
  const whole = (name: string, text: string | undefined, fallback: number, min: number): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  const even = (name: string, n: number): number => {
    if (n % 2 !== 0) throw new UsageError(`--${name} must be even`);
    return n;
  };
  return {
    runs: whole('runs', values.runs ?? process.env.BENCH_RUNS, 3, 1),
    durationS: whole('duration', values.duration ?? process.env.BENCH_DURATION, 5, 1),
    warmupS: whole('warmup', values.warmup ?? process.env.BENCH_WARMUP, 2, 0),
    connections: whole('connections', values.connections, 50, 1),
    routes: even('routes', whole('routes', values.routes, 10_000, 2)),
    large: even('large', whole('large', values.large, 1_000_000, 2)),
    reloads: whole('reloads', values.reloads, 100, 1),
    basePort: whole('base-port', values['base-port'], 19001, 1024),
    database: database(values.database),
    only: sections(values.only),
    json: values.json,
  };
}

function database(kind: string | undefined): Options['database'] {
  if (kind === undefined || kind === 'pglite' || kind === 'postgres') return kind ?? 'pglite';
  throw new UsageError('--database must be pglite or postgres');
}

function sections(list: string | undefined): Set<SectionName> {
  if (list === undefined) return new Set(SECTIONS);
  const names = list.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown section ${n} (${SECTIONS.join(', ')})`);
  }
  return new Set(names as SectionName[]);
}

export class UsageError extends Error {}
