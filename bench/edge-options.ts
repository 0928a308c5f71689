import { database, parseCommon, sections, whole, WRK, wrkOptions, type CommonOptions, type WrkOptions } from './options.ts';

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

export interface Options extends CommonOptions, WrkOptions {
  pageKb: number;
  publishes: number;
  database: 'pglite' | 'postgres';
  only: Set<SectionName>;
}

export function parseOptions(argv: string[]): Options {
  const values = parseCommon(
    argv,
    {
      ...WRK,
      'page-kb': { type: 'string' },
      publishes: { type: 'string' },
      database: { type: 'string' },
      only: { type: 'string' },
    },
    USAGE,
  );
  // Checked ahead of the numbers, so a command line with several mistakes reports this one first, as it always has.
  const kind = database(values.database);
  return {
    ...wrkOptions(values),
    pageKb: whole('page-kb', values['page-kb'], 30, 1),
    publishes: whole('publishes', values.publishes, 20, 1),
    basePort: whole('base-port', values['base-port'], 19101, 1024),
    database: kind,
    only: sections(values.only, SECTIONS),
    json: values.json,
  };
}
