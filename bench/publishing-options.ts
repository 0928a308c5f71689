import { parseCommon, sections, UsageError, whole, WRK, wrkOptions, type CommonOptions, type WrkOptions } from './options.ts';

/** The publishing benchmark's command line. */

export const USAGE = `usage: npm run bench -- publishing [options]

  --database KIND     postgres, pglite or both (default both). postgres: a throwaway database on
                      PORTICO_TEST_SERVER_URL (default postgres://postgres@127.0.0.1:5432/postgres);
                      pglite: in memory, inside the stack process
  --samples N         publish -> visible samples, each with a floor sample beside it (default 80)
  --docs N            documents per throughput burst (default 80)
  --clients N         concurrent clients in the second throughput burst (default 4)
  --items N           items loaded into the live content store for the GET test (default 100000)
  --loaded-samples N  publish -> visible samples once the items (and their routes) are loaded (default 20)
  --loaded-docs N     documents in a burst from --clients clients once the items are loaded, 0 for none (default 24)
  --poll-ms MS        how often the client asks the router whether a new path is served yet (default 5)
  --runs N            wrk runs per GET setup; the median is reported (env BENCH_RUNS, default 3)
  --duration S        seconds per wrk run (env BENCH_DURATION, default 5)
  --warmup S          seconds of wrk warm-up before each run, 0 for none (env BENCH_WARMUP, default 2)
  --connections N     wrk connections (default 50)
  --only LIST         sections, comma-separated: latency, throughput, get, loaded (default all)
  --quick             a smoke run: --samples 10 --docs 20 --items 5000 --loaded-samples 5 --loaded-docs 8
                      --runs 1 --duration 2 --warmup 1 (about 1 minute for both databases)
  --base-port P       first of seven loopback ports (default 19101)
  --json FILE         also write every raw figure to FILE

BENCH_STACK_NODE_FLAGS adds Node flags to the stack process only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").`;

export const SECTIONS = ['latency', 'throughput', 'get', 'loaded'] as const;
export type SectionName = (typeof SECTIONS)[number];
export type DatabaseKind = 'postgres' | 'pglite';

export interface Options extends CommonOptions, WrkOptions {
  databases: DatabaseKind[];
  samples: number;
  docs: number;
  clients: number;
  items: number;
  loadedSamples: number;
  loadedDocs: number;
  pollMs: number;
  only: Set<SectionName>;
}

export function parseOptions(argv: string[]): Options {
  const values = parseCommon(
    argv,
    {
      database: { type: 'string' },
      samples: { type: 'string' },
      docs: { type: 'string' },
      clients: { type: 'string' },
      items: { type: 'string' },
      'loaded-samples': { type: 'string' },
      'loaded-docs': { type: 'string' },
      'poll-ms': { type: 'string' },
      ...WRK,
      only: { type: 'string' },
      quick: { type: 'boolean' },
    },
    USAGE,
  );
  const quick = values.quick === true;
  return {
    databases: databases(values.database),
    samples: whole('samples', values.samples, quick ? 10 : 80, 1),
    docs: whole('docs', values.docs, quick ? 20 : 80, 1),
    clients: whole('clients', values.clients, 4, 1),
    items: whole('items', values.items, quick ? 5000 : 100_000, 1),
    loadedSamples: whole('loaded-samples', values['loaded-samples'], quick ? 5 : 20, 1),
    loadedDocs: whole('loaded-docs', values['loaded-docs'], quick ? 8 : 24, 0),
    pollMs: whole('poll-ms', values['poll-ms'], 5, 1),
    ...wrkOptions(values, quick),
    only: sections(values.only, SECTIONS),
    basePort: whole('base-port', values['base-port'], 19101, 1024),
    json: values.json,
  };
}

function databases(kind: string | undefined): DatabaseKind[] {
  if (kind === undefined || kind === 'both') return ['postgres', 'pglite'];
  if (kind === 'postgres' || kind === 'pglite') return [kind];
  throw new UsageError('--database must be postgres, pglite or both');
}
