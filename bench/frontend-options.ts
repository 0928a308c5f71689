import { parseArgs } from 'node:util';

/** The frontend benchmark's command line. */

export const USAGE = `usage: npm run bench -- frontend [options]

Rendered guide pages through the live router -> frontend -> content store against nginx serving
the saved page and against the router in front of a trivial backend; search.json over a generated
index against the same SQL run directly. PostgreSQL only: a throwaway database on
PORTICO_TEST_SERVER_URL (default postgres://postgres@127.0.0.1:5432/postgres).

  --documents N       search documents generated into the index (default 100000)
  --runs N            wrk runs per page setup; the median is reported (env BENCH_RUNS, default 3)
  --duration S        seconds per wrk run (env BENCH_DURATION, default 5)
  --warmup S          seconds of wrk warm-up before each run, 0 for none (env BENCH_WARMUP, default 2)
  --connections N     wrk connections for the pages (default 50)
  --search-duration S seconds per search run; each concurrency gets two runs of the API and two of
                      the SQL, interleaved (default 20)
  --concurrency LIST  searches in flight, comma-separated (default 1,8)
  --only LIST         sections, comma-separated: pages, search (default both)
  --quick             a smoke run: --documents 10000 --runs 1 --duration 2 --warmup 1 --search-duration 3
  --base-port P       first of nine loopback ports (default 19301)
  --json FILE         also write every raw figure to FILE

BENCH_FRONTEND_NODE_FLAGS adds Node flags to the stack process only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").`;

export const SECTIONS = ['pages', 'search'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface Options {
  documents: number;
  runs: number;
  durationS: number;
  warmupS: number;
  connections: number;
  searchDurationS: number;
  concurrency: number[];
  only: Set<SectionName>;
  basePort: number;
  json: string | undefined;
}

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      documents: { type: 'string' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'search-duration': { type: 'string' },
      concurrency: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean' },
      'base-port': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const whole = (name: string, text: string | undefined, normal: number, smoke: number, min: number): number => {
    const n = text === undefined ? (quick ? smoke : normal) : Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  return {
    documents: whole('documents', values.documents, 100_000, 10_000, 1),
    runs: whole('runs', values.runs ?? process.env.BENCH_RUNS, 3, 1, 1),
    durationS: whole('duration', values.duration ?? process.env.BENCH_DURATION, 5, 2, 1),
    warmupS: whole('warmup', values.warmup ?? process.env.BENCH_WARMUP, 2, 1, 0),
    connections: whole('connections', values.connections, 50, 50, 1),
    searchDurationS: whole('search-duration', values['search-duration'], 20, 3, 1),
    concurrency: concurrency(values.concurrency),
    only: sections(values.only),
    basePort: whole('base-port', values['base-port'], 19301, 19301, 1024),
    json: values.json,
  };
}

function concurrency(list: string | undefined): number[] {
  if (list === undefined) return [1, 8];
  const n = list.split(',').map((s) => Number(s.trim()));
  if (n.length === 0 || n.some((c) => !Number.isInteger(c) || c < 1)) throw new UsageError('--concurrency must be whole numbers >= 1, comma-separated');
  return n;
}

function sections(list: string | undefined): Set<SectionName> {
  if (list === undefined) return new Set(SECTIONS);
  const names = list.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown section ${n} (${SECTIONS.join(', ')})`);
  }
  return new Set(names as SectionName[]);
}
