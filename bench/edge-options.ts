import { parseArgs } from 'node:util';

/** The edge benchmark's command line. */

export const USAGE = `usage: npm run bench -- edge [options]

  --runs N          measured runs per setup; the median is reported (env BENCH_RUNS, default 3)
  --duration S      seconds per measured run (env BENCH_DURATION, default 5)
  --warmup S        seconds of warm-up before each run, 0 for none (env BENCH_WARMUP, default 2)
  --connections N   wrk connections (default 50)
  --page-kb N       size of the cached page in KiB (default 30)
  --publishes N     publishes timed in the publish -> fresh section (default 20)
  --base-port P     first of eight loopback ports (default 19101)
  --database KIND   for the publish -> fresh platform: pglite (default: in memory, in its process) or
                    postgres (a throwaway database on PORTICO_TEST_SERVER_URL)
  --only LIST       sections to run, comma-separated: hits, fresh (default both)
  --json FILE       also write every raw figure to FILE

BENCH_EDGE_NODE_FLAGS adds Node flags to the edge process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").

A quick smoke run: npm run bench -- edge --runs 1 --duration 1 --warmup 1 --publishes 3`;

export const SECTIONS = ['hits', 'fresh'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface Options {
  runs: number;
  durationS: number;
  warmupS: number;
  connections: number;
  pageKb: number;
  publishes: number;
  basePort: number;
  database: 'pglite' | 'postgres';
  only: Set<SectionName>;
  json: string | undefined;
}

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'page-kb': { type: 'string' },
      publishes: { type: 'string' },
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
  const whole = (name: string, text: string | undefined, fallback: number, min: number): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  const database = values.database ?? 'pglite';
  if (database !== 'pglite' && database !== 'postgres') throw new UsageError('--database must be pglite or postgres');
  return {
    runs: whole('runs', values.runs ?? process.env.BENCH_RUNS, 3, 1),
    durationS: whole('duration', values.duration ?? process.env.BENCH_DURATION, 5, 1),
    warmupS: whole('warmup', values.warmup ?? process.env.BENCH_WARMUP, 2, 0),
    connections: whole('connections', values.connections, 50, 1),
    pageKb: whole('page-kb', values['page-kb'], 30, 1),
    publishes: whole('publishes', values.publishes, 20, 1),
    basePort: whole('base-port', values['base-port'], 19101, 1024),
    database,
    only: sections(values.only),
    json: values.json,
  };
}

function sections(list: string | undefined): Set<SectionName> {
  if (list === undefined) return new Set(SECTIONS);
  const names = list.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown section ${n} (${SECTIONS.join(', ')})`);
  }
  return new Set(names as SectionName[]);
}
