import { parseArgs } from 'node:util';

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

export interface Options {
  databases: DatabaseKind[];
  samples: number;
  docs: number;
  clients: number;
  items: number;
  loadedSamples: number;
  loadedDocs: number;
  pollMs: number;
  runs: number;
  durationS: number;
  warmupS: number;
  connections: number;
  only: Set<SectionName>;
  basePort: number;
  json: string | undefined;
}

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      database: { type: 'string' },
      samples: { type: 'string' },
      docs: { type: 'string' },
      clients: { type: 'string' },
      items: { type: 'string' },
      'loaded-samples': { type: 'string' },
      'loaded-docs': { type: 'string' },
      'poll-ms': { type: 'string' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
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
    databases: databases(values.database),
    samples: whole('samples', values.samples, 80, 10, 1),
    docs: whole('docs', values.docs, 80, 20, 1),
    clients: whole('clients', values.clients, 4, 4, 1),
    items: whole('items', values.items, 100_000, 5000, 1),
    loadedSamples: whole('loaded-samples', values['loaded-samples'], 20, 5, 1),
    loadedDocs: whole('loaded-docs', values['loaded-docs'], 24, 8, 0),
    pollMs: whole('poll-ms', values['poll-ms'], 5, 5, 1),
    runs: whole('runs', values.runs ?? process.env.BENCH_RUNS, 3, 1, 1),
    durationS: whole('duration', values.duration ?? process.env.BENCH_DURATION, 5, 2, 1),
    warmupS: whole('warmup', values.warmup ?? process.env.BENCH_WARMUP, 2, 1, 0),
    connections: whole('connections', values.connections, 50, 50, 1),
    only: sections(values.only),
    basePort: whole('base-port', values['base-port'], 19101, 19101, 1024),
    json: values.json,
  };
}

function databases(kind: string | undefined): DatabaseKind[] {
  if (kind === undefined || kind === 'both') return ['postgres', 'pglite'];
  if (kind === 'postgres' || kind === 'pglite') return [kind];
  throw new UsageError('--database must be postgres, pglite or both');
}

function sections(list: string | undefined): Set<SectionName> {
  if (list === undefined) return new Set(SECTIONS);
  const names = list.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown section ${n} (${SECTIONS.join(', ')})`);
  }
  return new Set(names as SectionName[]);
}
