import { QUERY_KINDS } from './frontend-corpus.ts';
import type { Options } from './frontend-options.ts';
import type { GuideResult, SearchSeedResult, StackStats } from './frontend-protocol.ts';
import type { SearchRun, SearchSample } from './frontend-search.ts';
import type { GetMeasured } from './publishing-get.ts';
import { percentile } from './publishing-client.ts';
import { int, kilo, ms, ratio, table, type Part, type Verdict } from './report.ts';

/** The frontend benchmark's markdown report. */

const TARGET = { pagesPerSecond: 1000, searchP95Ms: 50 };

export interface PagesResult {
  guide: GuideResult;
  pageBytes: number[];
  measured: Map<string, GetMeasured>;
  during: StackStats;
  loadAtStart: number;
  loadAtEnd: number;
}

export interface SearchResult {
  seed: SearchSeedResult;
  runs: SearchRun[];
  during: StackStats;
  loadAtStart: number;
  loadAtEnd: number;
}

const cpuText = (byPart: Record<string, number>) =>
  Object.entries(byPart)
    .map(([k, v]) => `${int(v)} ${k === 'stack process' ? 'stack' : k === 'PostgreSQL backends' ? 'PostgreSQL' : k}`)
    .join(' + ');

export function pagesReport(o: Options, r: PagesResult): Part {
  const nginx = r.measured.get('nginx')!;
  const floor = r.measured.get('floor')!;
  const rows = [...r.measured.values()].map((m) => {
    const peer = m.setup.peer ? r.measured.get(m.setup.peer) : undefined;
    const total = Object.values(m.cpuUsPerRequestByPart).reduce((a, b) => a + b, 0);
    const vsFloor = m.setup.key === 'portico' || m.setup.key === 'frontend';
    return [
      m.setup.label,
      int(m.rps),
      m.runs.map((x) => (x.rps >= 1000 ? kilo(x.rps) : int(x.rps))).join(', '),
      ms(m.p50),
      ms(m.p99),
      `${int(total)} (${cpuText(m.cpuUsPerRequestByPart)})`,
      peer ? ratio(m.rps / peer.rps) : '',
      vsFloor ? ratio(m.rps / floor.rps) : '',
      peer ? ratio(m.p99 / peer.p99) : '',
      String(m.errors),
      m.serverCpuOthers.toFixed(2),
    ];
  });
  const portico = r.measured.get('portico')!;
  const stackUs = portico.cpuUsPerRequestByPart['stack process'] ?? NaN;
  const bytes = r.pageBytes;
  const lines = [
    '',
    `### Rendered pages (load average ${r.loadAtStart.toFixed(1)} at the start, ${r.loadAtEnd.toFixed(1)} at the end)`,
    '',
    `The guide: ${r.guide.paths.length} parts (${r.guide.paths.join(', ')}), a ${int(r.guide.itemBytes)}-byte content item with 2 organisations, a parent chain of 3 and 3 related items expanded; pages of ${int(Math.min(...bytes))}-${int(Math.max(...bytes))} bytes. wrk -t1 --latency, every page in turn; ${o.connections} connections: ${o.durationS} s runs after ${o.warmupS} s warm-up; median of ${o.runs}.`,
    '',
    table(
      ['setup', 'pages/s (median)', 'runs', 'p50 ms', 'p99 ms', 'server CPU µs/page', 'pages/s vs nginx', 'pages/s vs routing floor', 'p99 vs nginx', 'errors (non-2xx, wrk timeouts)', 'others on CPU 0 (cores)'],
      rows,
    ),
    '',
    `The stack process used ${int(stackUs)} µs of CPU 0 per page through the router: ${int(1e6 / stackUs)} pages per second of one core, with PostgreSQL elsewhere. While wrk ran, its longest event-loop block was ${ms(r.during.maxBlockMs)} ms; ${r.during.warnings} warnings and ${r.during.errors} errors were logged.`,
  ];
  return {
    lines,
    verdicts: [
      {
        target: `rendered guide pages through router → frontend → content store ≥ ${int(TARGET.pagesPerSecond)}/s on one core`,
        measured: `${int(portico.rps)}/s (${ratio(portico.rps / nginx.rps)} nginx's saved page, ${ratio(portico.rps / floor.rps)} the routing floor); p50 ${ms(portico.p50)} ms, p99 ${ms(portico.p99)} ms`,
        pass: portico.rps >= TARGET.pagesPerSecond,
      },
    ],
  };
}

interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentiles(samples: SearchSample[]): Percentiles {
  const v = samples.map((s) => s.ms);
  return { n: v.length, p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99) };
}

export function searchReport(o: Options, r: SearchResult): Part {
  const s = r.seed;
  const lines = [
    '',
    `### search.json (load average ${r.loadAtStart.toFixed(1)} at the start, ${r.loadAtEnd.toFixed(1)} at the end)`,
    '',
    `${int(s.documents)} generated documents (bodies of ${int(s.meanBodyBytes)} bytes on average; ${int(s.tableBytes / 2 ** 20)} MB with indexes): inserted in ${s.insertSeconds.toFixed(1)} s, indexed in ${s.indexSeconds.toFixed(1)} s, VACUUM ANALYZE in ${s.vacuumSeconds.toFixed(1)} s. Closed-loop clients on CPU 1; per concurrency two ${o.searchDurationS} s runs of each setup, interleaved. "SQL direct" is src/search-api's search() called in the bench process on its own pool of 10: the same statements, in flight together, without HTTP.`,
  ];
  const verdicts: Verdict[] = [];
  for (const c of o.concurrency) {
    const api = r.runs.filter((x) => x.concurrency === c && x.setup === 'api');
    const sql = r.runs.filter((x) => x.concurrency === c && x.setup === 'sql');
    const apiSamples = api.flatMap((x) => x.samples);
    const sqlSamples = sql.flatMap((x) => x.samples);
    const rate = (runs: SearchRun[]) => runs.reduce((n, x) => n + x.samples.length, 0) / runs.reduce((n, x) => n + x.seconds, 0);
    const cpu = (runs: SearchRun[]) => {
      const keys = Object.keys(runs[0]?.cpuUsPerSearch ?? {});
      return Object.fromEntries(keys.map((k) => [k, runs.reduce((n, x) => n + (x.cpuUsPerSearch[k] ?? 0) * x.samples.length, 0) / Math.max(1, runs.reduce((n, x) => n + x.samples.length, 0))]));
    };
    const row = (label: string, a: SearchSample[], q: SearchSample[]) => {
      const pa = percentiles(a);
      const pq = percentiles(q);
      return [
        label,
        int(pa.n),
        int(percentile(a.map((x) => x.total), 50)),
        ms(pa.p50),
        ms(pa.p95),
        ms(pa.p99),
        ms(pq.p50),
        ms(pq.p95),
        ms(pq.p99),
        ratio(pa.p50 / pq.p50),
        ratio(pa.p95 / pq.p95),
      ];
    };
    const rows = QUERY_KINDS.map((k) => row(k, apiSamples.filter((x) => x.kind === k), sqlSamples.filter((x) => x.kind === k)));
    rows.push(row('**all**', apiSamples, sqlSamples));
    const errors = [...api, ...sql].reduce((n, x) => n + x.errors, 0);
    lines.push(
      '',
      `#### Concurrency ${c}`,
      '',
      table(['kind', 'searches (API)', 'documents matched (median)', 'API p50 ms', 'API p95 ms', 'API p99 ms', 'SQL p50 ms', 'SQL p95 ms', 'SQL p99 ms', 'API / SQL p50', 'API / SQL p95'], rows),
      '',
      `Searches a second: API ${rate(api).toFixed(1)}, SQL direct ${rate(sql).toFixed(1)} (${ratio(rate(api) / rate(sql))}). Server CPU µs per search: API ${cpuText(cpu(api))}; SQL direct ${cpuText(cpu(sql))}. Errors: ${errors}.`,
    );
    const all = percentiles(apiSamples);
    verdicts.push({
      target: `search.json p95 < ${TARGET.searchP95Ms} ms over ${int(s.documents)} documents, concurrency ${c}`,
      measured: `${ms(all.p95)} ms (SQL direct ${ms(percentiles(sqlSamples).p95)} ms; ${ratio(all.p95 / percentiles(sqlSamples).p95)})`,
      pass: all.p95 < TARGET.searchP95Ms,
    });
  }
  lines.push('', `While the searches ran, the stack's longest event-loop block was ${ms(r.during.maxBlockMs)} ms; ${r.during.warnings} warnings and ${r.during.errors} errors were logged.`);
  return { lines, verdicts };
}
