import { parseCommon, sections, UsageError, whole, WRK, wrkOptions, type CommonOptions, type WrkOptions } from './options.ts';

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

export interface Options extends CommonOptions, WrkOptions {
  documents: number;
  searchDurationS: number;
  concurrency: number[];
  only: Set<SectionName>;
}

export function parseOptions(argv: string[]): Options {
  const values = parseCommon(
    argv,
    {
      documents: { type: 'string' },
      ...WRK,
      'search-duration': { type: 'string' },
      concurrency: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean' },
    },
    USAGE,
  );
  const quick = values.quick === true;
  return {
    documents: whole('documents', values.documents, quick ? 10_000 : 100_000, 1),
    ...wrkOptions(values, quick),
    searchDurationS: whole('search-duration', values['search-duration'], quick ? 3 : 20, 1),
    concurrency: concurrency(values.concurrency),
    only: sections(values.only, SECTIONS),
    basePort: whole('base-port', values['base-port'], 19301, 1024),
    json: values.json,
  };
}

function concurrency(list: string | undefined): number[] {
  if (list === undefined) return [1, 8];
  const n = list.split(',').map((s) => Number(s.trim()));
  if (n.length === 0 || n.some((c) => !Number.isInteger(c) || c < 1)) throw new UsageError('--concurrency must be whole numbers >= 1, comma-separated');
  return n;
}
