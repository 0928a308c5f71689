import { parseCommon, whole, type CommonOptions } from './options.ts';

/** The fan-out benchmark's command line. */

export const USAGE = `usage: npm run bench -- fanout [options]

Seeds N published documents tagged to one organisation (PostgreSQL, a throwaway database on
PORTICO_TEST_SERVER_URL, default postgres://postgres@127.0.0.1:5432/postgres), renames the
organisation through the Publishing API, and measures the time until every document's live
content-store item shows the new title, while an editor publishes new documents and times
publish -> visible through the live router.

  --documents N         documents tagged to the organisation (default 100000)
  --baseline N          editor samples before the rename, with nothing else running (default 20)
  --interval-ms MS      the editor starts a PUT + publish every MS (sequentially; default 250)
  --poll-ms MS          how often the editor asks the router whether its document is served (default 5)
  --progress-ms MS      how often the bench records progress: the stack's count of re-written items
                        (default 1000; the downstream backlog is counted by SQL every 5 s)
  --title-every S       how often it also counts, by SQL, the items whose expanded organisation has
                        the new title (default 30; a full scan of both stores' payloads, so not every
                        second); the count that ends the measurement is always this one
  --high-concurrency N  downstream workers on the high queue (default: the code's, 2)
  --low-concurrency N   downstream workers on the low queue (default: the code's, 2)
  --fetch-batch N       an experiment: jobs the low queue's workers fetch at a time (default: the
                        code's, 1)
  --pool N              connections in the stack's one pg pool (default: openPostgres's, 10)
  --timeout S           give up waiting for the fan-out after S seconds (default 1200)
  --verify N            seeded documents compared field by field with what the downstream job
                        would write for them, in both stores (default 50)
  --profile             CPU-profile the stack process during the fan-out (node:inspector, 1 ms
                        sampling) and summarise where its core went
  --pin-postgres        also pin the database's PostgreSQL backends to the server CPU (default: the
                        PostgreSQL server runs where the OS puts it, as in the publishing benchmark)
  --quick               a smoke run: --documents 5000 --baseline 10 --verify 10
  --base-port P         first of six loopback ports (default 19201)
  --json FILE           also write every raw figure to FILE

BENCH_STACK_NODE_FLAGS adds Node flags to the stack process only.`;

export interface Options extends CommonOptions {
  documents: number;
  baseline: number;
  intervalMs: number;
  pollMs: number;
  progressMs: number;
  titleEveryS: number;
  fetchBatch: number | undefined;
  highConcurrency: number | undefined;
  lowConcurrency: number | undefined;
  pool: number | undefined;
  timeoutS: number;
  verify: number;
  profile: boolean;
  pinPostgres: boolean;
}

export function parseOptions(argv: string[]): Options {
  const values = parseCommon(
    argv,
    {
      documents: { type: 'string' },
      baseline: { type: 'string' },
      'interval-ms': { type: 'string' },
      'poll-ms': { type: 'string' },
      'progress-ms': { type: 'string' },
      'title-every': { type: 'string' },
      'fetch-batch': { type: 'string' },
      'high-concurrency': { type: 'string' },
      'low-concurrency': { type: 'string' },
      pool: { type: 'string' },
      timeout: { type: 'string' },
      verify: { type: 'string' },
      profile: { type: 'boolean' },
      'pin-postgres': { type: 'boolean' },
      quick: { type: 'boolean' },
    },
    USAGE,
  );
  const quick = values.quick === true;
  const optional = (name: string, text: string | undefined): number | undefined => (text === undefined ? undefined : whole(name, text, 0, 1));
  return {
    documents: whole('documents', values.documents, quick ? 5000 : 100_000, 1),
    baseline: whole('baseline', values.baseline, quick ? 10 : 20, 1),
    intervalMs: whole('interval-ms', values['interval-ms'], 250, 0),
    pollMs: whole('poll-ms', values['poll-ms'], 5, 1),
    progressMs: whole('progress-ms', values['progress-ms'], 1000, 100),
    titleEveryS: whole('title-every', values['title-every'], 30, 1),
    fetchBatch: optional('fetch-batch', values['fetch-batch']),
    highConcurrency: optional('high-concurrency', values['high-concurrency']),
    lowConcurrency: optional('low-concurrency', values['low-concurrency']),
    pool: optional('pool', values.pool),
    timeoutS: whole('timeout', values.timeout, 1200, 1),
    verify: whole('verify', values.verify, quick ? 10 : 50, 1),
    profile: values.profile === true,
    pinPostgres: values['pin-postgres'] === true,
    basePort: whole('base-port', values['base-port'], 19201, 1024),
    json: values.json,
  };
}
