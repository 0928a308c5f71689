import { Pool } from 'undici';
import type { Db } from '../src/platform/db/index.ts';
import { parseSearchParams } from '../src/search-api/params.ts';
import { search } from '../src/search-api/search.ts';
import type { QueryKind, SearchRequest } from './frontend-corpus.ts';
import { cpuSeconds, cpuUsed } from './publishing-cpu.ts';

/**
 * The search half of the frontend benchmark, run from the bench process on
 * the client CPU: closed-loop clients asking the mix of searches, either of
 * the search API over HTTP or, the peer, as the same SQL straight through pg.
 */

export type SearchSetup = 'api' | 'sql';

export interface SearchSample {
  kind: QueryKind;
  ms: number;
  /** Documents the search matched (its `total`). */
  total: number;
}

export interface SearchRun {
  setup: SearchSetup;
  concurrency: number;
  seconds: number;
  samples: SearchSample[];
  errors: number;
  /** The first error's message, when there were any. */
  firstError?: string;
  /** Server CPU microseconds per search, by part: the stack process (API runs only) and the database's PostgreSQL backends. */
  cpuUsPerSearch: Record<string, number>;
}

/** Sends one search; resolves to its total. */
type Send = (r: SearchRequest) => Promise<number>;

/** The search API over HTTP, with as many keep-alive connections as searches in flight. */
export function apiClient(port: number, connections: number): { send: Send; close: () => Promise<void> } {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  return {
    async send(r) {
      const res = await pool.request({ method: 'GET', path: `/search.json?${r.query}` });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`search.json?${r.query} answered ${res.statusCode}: ${text.slice(0, 300)}`);
      return (JSON.parse(text) as { total: number }).total;
    },
    close: () => pool.close(),
  };
}

/**
 * The peer: what the API's handler runs once it has the query string, with
 * the same statements in flight at once, on a pool of the same size as the
 * stack's; no HTTP, no JSON.
 */
export function sqlClient(db: Db): Send {
  return async (r) => (await search(db, parseSearchParams(new URLSearchParams(r.query)))).total;
}

/**
 * `concurrency` clients, each sending the next search of `mix` (from `offset`,
 * round and round) as soon as its last one is answered, for `durationS`.
 */
export async function closedLoop(
  send: Send,
  mix: SearchRequest[],
  o: { setup: SearchSetup; concurrency: number; durationS: number; offset: number; cpu: () => Record<string, number[]> },
): Promise<SearchRun> {
  const samples: SearchSample[] = [];
  let errors = 0;
  let firstError: Error | undefined;
  let next = o.offset;
  const parts = o.cpu();
  const before = Object.fromEntries(Object.entries(parts).map(([k, pids]) => [k, cpuSeconds(pids)]));
  const started = performance.now();
  const deadline = started + o.durationS * 1000;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < deadline) {
        const r = mix[next++ % mix.length]!;
        const t = performance.now();
        try {
          const total = await send(r);
          samples.push({ kind: r.kind, ms: performance.now() - t, total });
        } catch (err) {
          errors++;
          firstError ??= err as Error;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = o.cpu();
  const cpuUsPerSearch: Record<string, number> = {};
  for (const [k, was] of Object.entries(before)) {
    const used = cpuUsed(was, cpuSeconds([...new Set([...was.keys(), ...(after[k] ?? [])])]));
    cpuUsPerSearch[k] = (used * 1e6) / Math.max(1, samples.length);
  }
  if (errors > 0 && samples.length === 0) throw firstError!;
  return { setup: o.setup, concurrency: o.concurrency, seconds, samples, errors, firstError: firstError?.message, cpuUsPerSearch };
}
