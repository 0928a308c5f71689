import { database, parseCommon, sections, UsageError, whole, WRK, wrkOptions, type CommonOptions, type WrkOptions } from './options.ts';

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

export interface Options extends CommonOptions, WrkOptions {
  routes: number;
  large: number;
  reloads: number;
  database: 'pglite' | 'postgres';
  only: Set<SectionName>;
}

export const SECTIONS = ['compare', 'reload', 'scale'] as const;
export type SectionName = (typeof SECTIONS)[number];

export function parseOptions(argv: string[]): Options {
  const values = parseCommon(
    argv,
    {
      ...WRK,
      routes: { type: 'string' },
      large: { type: 'string' },
      reloads: { type: 'string' },
      database: { type: 'string' },
      only: { type: 'string' },
    },
    USAGE,
  );
  // The route generator alternates exact and prefix routes, so it needs an even count.
  const even = (name: string, n: number): number => {
    if (n % 2 !== 0) throw new UsageError(`--${name} must be even`);
    return n;
  };
  return {
    ...wrkOptions(values),
    routes: even('routes', whole('routes', values.routes, 10_000, 2)),
    large: even('large', whole('large', values.large, 1_000_000, 2)),
    reloads: whole('reloads', values.reloads, 100, 1),
    basePort: whole('base-port', values['base-port'], 19001, 1024),
    database: database(values.database),
    only: sections(values.only, SECTIONS),
    json: values.json,
  };
}
