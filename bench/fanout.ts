import { loadavg } from 'node:os';
import pg from 'pg';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { Editor, percentile, type EditorSample } from './fanout-client.ts';
import { backendsOf, cpuWindow, pin, type CpuWindow } from './fanout-cpu.ts';
import { parseOptions, USAGE, type Options } from './fanout-options.ts';
import { parseOrReport } from './options.ts';
import { FanoutStack } from './fanout-process.ts';
import { summariseProfile, type ProfileSummary } from './fanout-profile.ts';
import { DOC_PREFIX, ORG_TITLE, type FanoutPorts, type Progress, type QueryKindStat, type SeedResult, type WindowStats } from './fanout-protocol.ts';
import { portInUse } from './http.ts';
import { hasCommand, onInterrupt, sleep, stopAll, tempDir } from './procs.ts';
import { hardware, int, loads, mb, ms, progress, ratio, table, verdicts, versions, writeRaw, type Verdict } from './report.ts';

export const description = 'Fan-out: rename an organisation 100k documents are tagged to; time until all are re-expanded in the live store, and editor publish -> visible meanwhile (PostgreSQL)';

/** The stack process on CPU 0; the bench (editor, SQL observer) on CPU 1 (../shared/reference/baselines.md). */
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';
const TARGET = { fanoutS: 120, editorP95Ms: 1000 };
/** Editor publishes before the baseline: JIT, pools, the first route-table reloads. */
const WARMUP = 3;
/** Width of the slices the editor's samples during the fan-out are also reported in. */
const SLICE_S = 30;
/** Seconds between SQL counts of the downstream backlog during the fan-out. */
const BACKLOG_EVERY_S = 5;

function machine(): string[] {
  return [`${hardware()}; ${versions(['taskset', '--version'])}`];
}

/** The SQL side of the observation, from the bench's own connection. */
class Observer {
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<Observer> {
    const client = new pg.Client({ connectionString: url });
    // Dropping the database (the end, or a Ctrl-C) ends this connection from the server's side: not a crash.
    client.on('error', (err) => progress(`observer connection: ${err.message}`));
    await client.connect();
    return new Observer(client);
  }

  async scalar<T>(sql: string, params: unknown[] = []): Promise<T> {
    const { rows } = await this.client.query(sql, params);
    return Object.values(rows[0] as object)[0] as T;
  }

  /** Jobs not yet completed on each downstream queue (waiting, due for retry, or running). */
  async backlog(): Promise<{ high: number; low: number; ms: number }> {
    const started = performance.now();
    const { rows } = await this.client.query<{ high: number; low: number }>(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE name = 'downstream_high' AND state < 'completed')::int AS high,
              (SELECT count(*) FROM pgboss.job WHERE name = 'downstream_low' AND state < 'completed')::int AS low`,
    );
    return { ...rows[0]!, ms: performance.now() - started };
  }

  /** One statement: the seeded items, in each store, whose expanded organisation carries `title`. */
  async titles(title: string): Promise<{ live: number; draft: number; ms: number }> {
    const started = performance.now();
    const { rows } = await this.client.query<{ live: number; draft: number }>(
      `SELECT
         (SELECT count(*) FROM content_store_live.content_items
           WHERE base_path LIKE $2 AND payload->'expanded_links'->'organisations'->0->>'title' = $1)::int AS live,
         (SELECT count(*) FROM content_store_draft.content_items
           WHERE base_path LIKE $2 AND payload->'expanded_links'->'organisations'->0->>'title' = $1)::int AS draft`,
      [title, `${DOC_PREFIX}%`],
    );
    return { ...rows[0]!, ms: performance.now() - started };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

interface TimelinePoint {
  /** Seconds since the rename's publish request started. */
  t: number;
  /** Seeded items re-written since the rename, by the stack's own record of its PUTs. */
  live: number;
  draft: number;
  high: number;
  low: number;
  /** The SQL count of items with the new title, when taken at this point. */
  sqlLive?: number;
  sqlDraft?: number;
}

/** Fetches a few seeded items from the live content store and through the live router, as a reader would. */
async function checkServed(ports: FanoutPorts, editor: Editor, seed: SeedResult): Promise<void> {
  for (const path of seed.samplePaths.slice(0, 4)) {
    const res = await fetch(`http://127.0.0.1:${ports.contentStoreLive}/content${path}`);
    const body = (await res.json()) as { base_path?: string; links?: { organisations?: { title?: string }[] } };
    if (res.status !== 200 || body.base_path !== path || body.links?.organisations?.[0]?.title !== ORG_TITLE) {
      throw new Error(`the live content store answered ${res.status} for ${path}, without the organisation's title in its links`);
    }
    const routed = await editor.get(path);
    if (routed.status !== 200 || !routed.body.includes('frontend')) throw new Error(`the live router answered ${routed.status} for ${path}`);
  }
}

interface Run {
  options: Options;
  info: string[];
  startedAt: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  seed: SeedResult;
  /** What each kind of observation cost before the rename, ms. */
  observerIdle: { backlogMs: number; titlesMs: number };
  /** ... and during the fan-out (means). */
  observerDuring: { backlogMs: number; titlesMs: number; titles: number };
  before: EditorSample[];
  rename: { putMs: number; publishMs: number; publishAt: number; newTitle: string };
  /** Seconds from the rename's publish start until the SQL count showed every document with the new title (undefined: not within the timeout). */
  completeS: number | undefined;
  /** ... until the stack had written the last of them. */
  lastWriteS: number | undefined;
  draftCompleteS: number | undefined;
  timedOut: boolean;
  timeline: TimelinePoint[];
  during: EditorSample[];
  stackProgress: Progress;
  stats: WindowStats;
  cpu: CpuWindow;
  drainS: number | undefined;
  final: { high: number; low: number; live: number; draft: number };
  profile: ProfileSummary | undefined;
}

async function measure(o: Options, ports: FanoutPorts, info: string[]): Promise<Run> {
  const database = await createTestDatabase();
  onInterrupt(() => database.drop());
  const dbName = new URL(database.url).pathname.slice(1);
  const loadAtStart = loadavg();
  const startedAt = new Date().toISOString();
  let stack: FanoutStack | undefined;
  let editor: Editor | undefined;
  let observer: Observer | undefined;
  let pinTimer: NodeJS.Timeout | undefined;
  try {
    progress(`stack process on CPU ${SERVER_CPUS}, database ${dbName}`);
    stack = await FanoutStack.start({
      cpus: SERVER_CPUS,
      ports,
      stack: { databaseUrl: database.url, pool: o.pool, highConcurrency: o.highConcurrency, lowConcurrency: o.lowConcurrency, lowBatch: o.fetchBatch },
    });
    if (o.pinPostgres) {
      const pinAll = () => backendsOf(dbName).forEach((pid) => pin(pid, SERVER_CPUS));
      pinAll();
      pinTimer = setInterval(pinAll, 1000);
    }
    observer = await Observer.open(database.url);
    info.push(`PostgreSQL: ${await observer.scalar<string>(`SELECT current_setting('server_version')`)}, shared_buffers ${await observer.scalar<string>('SHOW shared_buffers')}, synchronous_commit ${await observer.scalar<string>('SHOW synchronous_commit')}; ${o.pinPostgres ? `its backends for the bench database pinned to CPU ${SERVER_CPUS}` : 'not pinned (it runs where the OS puts it)'}`);

    progress(`\n[seed] ${int(o.documents)} documents tagged to one organisation`);
    const seed = await stack.call('seed', { documents: o.documents, verifySample: o.verify });
    progress(
      `  ${(seed.totalMs / 1000).toFixed(1)} s: API ${ms(seed.apiSetupMs)} ms, prepare ${int(seed.prepareMs)} ms, publishing_api rows ${int(seed.publishingApiInsertMs)} ms, ` +
        `content-store rows ${int(seed.contentStoreInsertMs)} ms, VACUUM ANALYZE ${int(seed.vacuumMs)} ms, router reload ${int(seed.routerReloadMs)} ms, ` +
        `${seed.verified} documents verified in ${int(seed.verifyMs)} ms`,
    );
    editor = new Editor(ports, stack.token, seed.orgContentId, o.pollMs);
    await checkServed(ports, editor, seed);

    // What each observation costs, before anything runs.
    const idleTitles = [];
    for (let i = 0; i < 3; i++) idleTitles.push(await observer.titles(ORG_TITLE));
    const idleBacklog = [];
    for (let i = 0; i < 3; i++) idleBacklog.push((await observer.backlog()).ms);
    const observerIdle = { backlogMs: percentile(idleBacklog, 50), titlesMs: percentile(idleTitles.map((x) => x.ms), 50) };
    const first = idleTitles[0]!;
    if (first.live !== o.documents || first.draft !== o.documents) throw new Error(`expected ${o.documents} seeded items in each store, counted ${first.live} live and ${first.draft} draft`);
    progress(`  served by the live content store and router; SQL observations take ${ms(observerIdle.backlogMs)} ms (backlog) and ${ms(observerIdle.titlesMs)} ms (title count)`);

    progress(`\n[baseline] ${WARMUP} warm-up and ${o.baseline} editor samples with no fan-out running`);
    for (let i = 0; i < WARMUP; i++) await editor.sample('warmup');
    await stack.call('settle', {});
    const before = await editor.run('before', o.intervalMs, (n) => n >= o.baseline);
    const bv = before.map((s) => s.visibleMs);
    progress(`  publish -> visible p50 ${ms(percentile(bv, 50))} ms, p95 ${ms(percentile(bv, 95))} ms, max ${ms(Math.max(...bv))} ms`);
    await stack.call('settle', {});

    // --- The rename -------------------------------------------------------------------
    const newTitle = `${ORG_TITLE} (renamed ${new Date().toISOString()})`;
    const minVersion = Number(await observer.scalar<string | null>('SELECT max(id) FROM publishing_api.events')) + 1;
    const profileDir = o.profile ? tempDir('portico-bench-fanout-profile-') : undefined;
    await stack.call('mark', { minVersion, ...(profileDir ? { profileDir } : {}) });
    const cpu = cpuWindow(stack.pid ?? -1, dbName);
    progress(`\n[fan-out] renaming the organisation (PUT + publish) to "${newTitle}"`);
    const putStart = performance.now();
    await editor.call('PUT', `/v2/content/${seed.orgContentId}`, { ...seed.orgPayload, title: newTitle });
    const publishStart = performance.now();
    const publishAt = Date.now();
    await editor.call('POST', `/v2/content/${seed.orgContentId}/publish`, { update_type: 'major' });
    const rename = { putMs: publishStart - putStart, publishMs: performance.now() - publishStart, publishAt, newTitle };
    const since = () => (performance.now() - publishStart) / 1000;

    let completeS: number | undefined;
    let lastWriteS: number | undefined;
    let draftCompleteS: number | undefined;
    let timedOut = false;
    const timeline: TimelinePoint[] = [];
    const observed = { backlogMs: 0, backlogs: 0, titlesMs: 0, titles: 0 };
    const duringSoFar: EditorSample[] = [];
    const editing = editor.run('during', o.intervalMs, () => completeS !== undefined || timedOut, (x) => duringSoFar.push(x));
    // Awaited below; until then a failure (the stack stopped by Ctrl-C) must not crash the process before its clean-up.
    editing.catch(() => undefined);
    const relative = (at: number | null) => (at === null ? undefined : (at - publishAt) / 1000);
    let lastPrinted = -Infinity;
    let lastTitles = -Infinity;
    let lastBacklog = { t: -Infinity, high: 0, low: 0 };
    for (;;) {
      const started = performance.now();
      // The backlog count reads every job row: every few ticks only, to keep the observer light on PostgreSQL.
      if (observed.backlogs === 0 || since() - lastBacklog.t >= BACKLOG_EVERY_S) {
        const b = await observer.backlog();
        observed.backlogMs += b.ms;
        observed.backlogs++;
        lastBacklog = { t: since(), high: b.high, low: b.low };
      }
      const b = lastBacklog;
      const p = await stack.call('progress', {});
      const point: TimelinePoint = { t: since(), live: p.live, draft: p.draft, high: b.high, low: b.low };
      if (draftCompleteS === undefined && p.draft >= o.documents) draftCompleteS = relative(p.draftLastAt);
      // Once the stack has written every item, or every --title-every seconds, count them by SQL: that count ends the measurement.
      if (p.live >= o.documents || point.t - lastTitles >= o.titleEveryS) {
        lastTitles = point.t;
        const c = await observer.titles(newTitle);
        observed.titlesMs += c.ms;
        observed.titles++;
        point.sqlLive = c.live;
        point.sqlDraft = c.draft;
        if (c.live >= o.documents) {
          completeS = since();
          lastWriteS = relative(p.liveLastAt);
        }
      }
      timeline.push(point);
      if (completeS !== undefined) break;
      if (point.t > o.timeoutS) {
        timedOut = true;
        break;
      }
      if (point.t - lastPrinted >= 10) {
        lastPrinted = point.t;
        const v = duringSoFar.map((x) => x.visibleMs);
        progress(
          `  ${point.t.toFixed(0).padStart(4)} s: written live ${int(p.live)}/${int(o.documents)}, draft ${int(p.draft)}; backlog high ${int(b.high)}, low ${int(b.low)}; ` +
            `editor ${v.length} samples, p95 ${ms(percentile(v, 95))} ms${point.sqlLive === undefined ? '' : `; SQL: ${int(point.sqlLive)} live, ${int(point.sqlDraft ?? 0)} draft items with the new title`}`,
        );
      }
      await sleep(o.progressMs - (performance.now() - started));
    }
    const cpuUsed = cpu();
    const during = await editing;
    const stackProgress = await stack.call('progress', {});
    const stats = await stack.call('collect', {});
    progress(completeS !== undefined ? `  every live item re-expanded after ${completeS.toFixed(1)} s` : `  not complete after ${o.timeoutS} s`);

    // What is left on the queues (the draft fan-out, if it runs behind) drains before the stack stops.
    let drainS: number | undefined;
    let left = await observer.backlog();
    const drainStart = performance.now();
    while (!timedOut && left.high + left.low > 0 && (performance.now() - drainStart) / 1000 < 300) {
      await sleep(1000);
      left = await observer.backlog();
    }
    if (left.high + left.low === 0) drainS = since();
    const counted = await observer.titles(newTitle);
    const final = { high: left.high, low: left.low, live: counted.live, draft: counted.draft };
    if (draftCompleteS === undefined && final.draft >= o.documents) draftCompleteS = relative((await stack.call('progress', {})).draftLastAt);
    const profile = stats.profileFile ? summariseProfile(stats.profileFile) : undefined;
    return {
      options: o,
      info,
      startedAt,
      loadAtStart,
      loadAtEnd: loadavg(),
      seed,
      observerIdle,
      observerDuring: { backlogMs: observed.backlogMs / (observed.backlogs || 1), titlesMs: observed.titlesMs / (observed.titles || 1), titles: observed.titles },
      before,
      rename,
      completeS,
      lastWriteS,
      draftCompleteS,
      timedOut,
      timeline,
      during,
      stackProgress,
      stats,
      cpu: cpuUsed,
      drainS,
      final,
      profile,
    };
  } finally {
    clearInterval(pinTimer);
    await editor?.close().catch(() => undefined);
    await observer?.close().catch(() => undefined);
    await stack?.stop();
    await stopAll();
    // A Ctrl-C drops it too (onInterrupt): IF EXISTS makes the second drop harmless.
    await database.drop().catch((err) => progress(`could not drop the database ${dbName}: ${(err as Error).message}`));
  }
}

// --- The report -------------------------------------------------------------------

const s1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(1));
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

function latencyRow(label: string, samples: EditorSample[]): string[] {
  const v = samples.map((s) => s.visibleMs);
  return [label, String(v.length), ms(percentile(v, 50)), ms(percentile(v, 95)), ms(v.length ? Math.max(...v) : NaN), ms(percentile(samples.map((s) => s.putMs), 50)), ms(percentile(samples.map((s) => s.publishMs), 50))];
}

/** Statements of one service's Db view, per unit of work (a job, a PUT). */
function perUnit(stats: QueryKindStat[], units: number, limit = 8): string {
  const rows = stats.slice(0, limit).map((k) => [k.kind, (k.count / units).toFixed(2), ms(k.ms / units), ms(k.ms / k.count), ms(k.max)]);
  const total = stats.reduce((a, k) => ({ count: a.count + k.count, ms: a.ms + k.ms }), { count: 0, ms: 0 });
  rows.push(['**all**', (total.count / units).toFixed(2), ms(total.ms / units), ms(total.ms / (total.count || 1)), '']);
  return table(['statement', 'per unit', 'ms per unit', 'ms each (mean)', 'max ms'], rows);
}

function report(r: Run): { text: string; verdicts: Verdict[] } {
  const o = r.options;
  const N = o.documents;
  const s = r.seed;
  const st = r.stats;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  push('', '## Fan-out benchmark', '', ...r.info.map((l) => `- ${l}`));
  push(
    `- started ${r.startedAt}; load average (1/5/15 min) ${loads(r.loadAtStart)} at start, ${loads(r.loadAtEnd)} at end`,
    `- ${int(N)} documents (answers) tagged to one organisation, half through their edition's links and half through link sets; both content stores hold each one as the downstream job would write it (${s.verified} compared field by field); ${int(s.routes)} routes in the live router`,
    `- workers: high ${o.highConcurrency ?? '2 (default)'}, low ${o.lowConcurrency ?? '2 (default)'}${o.fetchBatch === undefined ? '' : `, low fetch batch ${o.fetchBatch} (experiment; the code's is 1)`}; pg pool ${o.pool ?? '10 (default)'}; the editor starts a PUT + publish every ${o.intervalMs} ms (one at a time) and polls the router every ${o.pollMs} ms`,
  );

  push('', '### Seeding (not measured against a target)', '');
  push(
    table(
      ['phase', 'ms'],
      [
        ['organisation and template document through the API, settled', int(s.apiSetupMs)],
        ['store items prepared (checkContentPayload + prepareItem, both stores)', int(s.prepareMs)],
        ['publishing_api rows (documents, editions, link_sets, links, path_reservations)', int(s.publishingApiInsertMs)],
        ['content-store rows (content_items, routes; both stores)', int(s.contentStoreInsertMs)],
        ['VACUUM ANALYZE', int(s.vacuumMs)],
        [`live router reload (${int(s.routes)} routes)`, int(s.routerReloadMs)],
        [`verification of ${s.verified} documents against expandLinks + forContentStore`, int(s.verifyMs)],
        ['**total**', int(s.totalMs)],
      ],
    ),
    '',
    `Each live body is ${int(s.presentedBytes)} bytes. Before the rename, the bench's SQL observations took ${ms(r.observerIdle.backlogMs)} ms (the backlog) and ${ms(r.observerIdle.titlesMs)} ms (counting the items with a given organisation title, in both stores).`,
  );

  // --- fan-out
  const liveS = r.completeS;
  const lastWriteS = r.lastWriteS;
  const firstWriteS = r.stackProgress.liveFirstAt ? (r.stackProgress.liveFirstAt - r.rename.publishAt) / 1000 : undefined;
  const draftLastS = r.stackProgress.draftLastAt ? (r.stackProgress.draftLastAt - r.rename.publishAt) / 1000 : undefined;
  const jobs = st.jobs.reduce((a, j) => a + j.jobs, 0);
  push('', '### The fan-out', '');
  push(
    table(
      ['measurement', 'value'],
      [
        ['rename: PUT /v2/content (the draft)', `${ms(r.rename.putMs)} ms`],
        ['rename: POST .../publish', `${ms(r.rename.publishMs)} ms`],
        ['dependency resolution (dependentDocuments), per call', st.dependents.ms.map((m, i) => `${int(m)} ms for ${int(st.dependents.found[i] ?? 0)}`).join('; ') || '-'],
        ['queueing the dependents (sendMany, one transaction), per call', st.sendMany.ms.flatMap((m, i) => ((st.sendMany.jobs[i] ?? 0) > 100 ? [`${int(m)} ms for ${int(st.sendMany.jobs[i]!)} jobs`] : [])).join('; ') || '-'],
        ['first seeded document re-written in the live store', `${s1(firstWriteS)} s after the publish request`],
        ['last seeded document re-written in the live store (the stack\'s record)', `${s1(lastWriteS)} s`],
        [`**every live item shows the new title (SQL count = ${int(N)})**`, liveS === undefined ? `**not after ${o.timeoutS} s** (${int(r.final.live)} done)` : `**${s1(liveS)} s**`],
        ['live fan-out throughput (N / time to the SQL count)', liveS === undefined ? `${(r.final.live / (r.timeline.at(-1)?.t ?? 1)).toFixed(1)} documents/s (incomplete)` : `${(N / liveS).toFixed(1)} documents/s`],
        ['vs the 120 s target', liveS === undefined ? '-' : `${ratio(liveS / TARGET.fanoutS)} of it`],
        ['every draft item shows the new title', r.draftCompleteS === undefined ? `not seen (${int(r.final.draft)} at the end)` : `${s1(r.draftCompleteS)} s (last draft write ${s1(draftLastS)} s)`],
        ['both queues empty', r.drainS === undefined ? 'not within 300 s after' : `${s1(r.drainS)} s`],
        [`downstream jobs handled in the window (${s1(st.seconds)} s)`, `${int(jobs)} (${(jobs / st.seconds).toFixed(1)} jobs/s), ${st.jobs.reduce((a, j) => a + j.failed, 0)} failed`],
        ['stack process: event loop delay', `max ${ms(st.eventLoop.maxMs)} ms, p99 ${ms(st.eventLoop.p99Ms)} ms, mean ${ms(st.eventLoop.meanMs)} ms`],
        ['live router full reloads', `${st.reloads.count}, median ${ms(percentile(st.reloads.ms, 50))} ms, max ${ms(st.reloads.ms.length ? Math.max(...st.reloads.ms) : NaN)} ms, ${int(st.reloads.lastRoutes)} routes`],
        ['live router incremental updates (each editor publish adds a route)', `${st.deltas.count}, median ${ms(percentile(st.deltas.ms, 50))} ms, max ${ms(st.deltas.ms.length ? Math.max(...st.deltas.ms) : NaN)} ms`],
        ['warnings / errors logged by the stack', `${st.warnings} / ${st.errors}`],
        ['stack process RSS at the end', mb(st.rss)],
      ],
    ),
  );
  if (liveS === undefined) {
    // Rates over the last minute observed, and where they would lead.
    const last = r.timeline.at(-1);
    const ref = [...r.timeline].reverse().find((p) => last && last.t - p.t >= 60) ?? r.timeline[0];
    if (last && ref && last.t > ref.t) {
      const dt = last.t - ref.t;
      const liveRate = (last.live - ref.live) / dt;
      const draftRate = (last.draft - ref.draft) / dt;
      const jobRate = liveRate + draftRate;
      // pg-boss hands out jobs oldest transaction first: whichever fan-out (the draft one the PUT queued, the live one the
      // publish queued) began inserting its jobs first is served first, and the other waits behind it.
      const liveFirst = last.live >= last.draft;
      const remaining = liveFirst ? N - last.live : N - last.draft + (N - last.live);
      push(
        '',
        `Not complete within the timeout. Over the last ${dt.toFixed(0)} s observed: ${liveRate.toFixed(1)} live and ${draftRate.toFixed(1)} draft items/s re-expanded. ` +
          `The ${liveFirst ? 'live fan-out (queued by the publish) is being served ahead of the draft one' : "draft fan-out (queued by the rename's PUT) is being served ahead of the live one"} on the same queue, ` +
          `so the live store would be done once ${int(remaining)} more jobs ran: at ${jobRate.toFixed(1)} jobs/s, about ${jobRate > 0 ? ((last.t + remaining / jobRate) / 60).toFixed(0) : '-'} minutes after the publish.`,
      );
    }
  }
  // Progress over time: the SQL title counts, and about a dozen rows in all.
  const every = Math.max(1, Math.ceil(r.timeline.length / 12));
  const tl = r.timeline.filter((p, i) => i % every === 0 || i === r.timeline.length - 1 || (p.sqlLive !== undefined && r.timeline.length < 400));
  const d = r.observerDuring;
  push(
    '',
    `Progress: items re-written, by the stack's own record of its PUTs, every ${o.progressMs} ms; the backlog by SQL every ${BACKLOG_EVERY_S} s (${ms(d.backlogMs)} ms per query); ` +
      `and every ${o.titleEveryS} s the SQL count of items whose expanded organisation has the new title (${d.titles} counts, ${ms(d.titlesMs)} ms each):`,
    '',
    table(
      ['s after publish', 'live written', 'draft written', 'backlog high', 'backlog low', 'SQL: live with new title', 'SQL: draft with new title'],
      tl.map((p) => [p.t.toFixed(1), int(p.live), int(p.draft), int(p.high), int(p.low), p.sqlLive === undefined ? '' : int(p.sqlLive), p.sqlDraft === undefined ? '' : int(p.sqlDraft)]),
    ),
  );

  // --- editor
  const beforeP95 = percentile(r.before.map((x) => x.visibleMs), 95);
  const duringP95 = percentile(r.during.map((x) => x.visibleMs), 95);
  push('', '### Editor: publish -> visible through the live router', '');
  push(
    table(
      ['phase', 'samples', 'p50 ms', 'p95 ms', 'max ms', 'PUT p50 ms', 'publish p50 ms'],
      [latencyRow('before the rename (no fan-out; the peer)', r.before), latencyRow('**during the fan-out**', r.during), ['during vs before', '', ratio(percentile(r.during.map((x) => x.visibleMs), 50) / percentile(r.before.map((x) => x.visibleMs), 50)), ratio(duringP95 / beforeP95), '', '', '']],
    ),
  );
  const slices = new Map<number, EditorSample[]>();
  for (const x of r.during) {
    const k = Math.floor((x.publishAt - r.rename.publishAt) / 1000 / SLICE_S);
    slices.set(k, [...(slices.get(k) ?? []), x]);
  }
  if (slices.size > 1) {
    push(
      '',
      `By ${SLICE_S}-second slice of the fan-out:`,
      '',
      table(
        ['slice (s)', 'samples', 'p50 ms', 'p95 ms', 'max ms'],
        [...slices.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([k, v]) => {
            const vis = v.map((x) => x.visibleMs);
            return [`${k * SLICE_S}-${(k + 1) * SLICE_S}`, String(v.length), ms(percentile(vis, 50)), ms(percentile(vis, 95)), ms(Math.max(...vis))];
          }),
      ),
    );
  }

  // --- where the time goes
  const c = r.cpu;
  push('', '### Where the time goes', '');
  push(
    `CPU over the fan-out (${s1(c.seconds)} s, rename to completion), in cores: stack process ${c.stack.toFixed(2)} (pinned to CPU ${SERVER_CPUS}), ` +
      `PostgreSQL backends of the bench database ${c.postgres.toFixed(2)}, bench process ${c.bench.toFixed(2)}; busy per CPU ${c.perCpu.map((b, i) => `cpu${i} ${b.toFixed(2)}`).join(', ')} (everything on the machine). ` +
      (c.mainRunning === undefined
        ? ''
        : `The stack's main thread (its event loop) ran ${pct(c.mainRunning)} of the time and waited, runnable, for CPU ${SERVER_CPUS} ${pct(c.mainWaitingForCpu ?? NaN)} of it (the rest it was idle, waiting on I/O); ` +
          `the CPU profile below samples wall-clock time, so its busy share includes that wait.`),
  );
  push(
    '',
    table(
      ['jobs (queue → store)', 'jobs', 'handler mean ms', 'p50 ms', 'p95 ms', 'max ms', 'failed'],
      st.jobs.map((j) => [j.key, int(j.jobs), ms(j.mean), ms(j.p50), ms(j.p95), ms(j.max), String(j.failed)]),
    ),
  );
  const fanoutJobs = st.jobs.filter((j) => j.key.startsWith('downstream_low')).reduce((a, j) => a + j.jobs, 0) || 1;
  const perJobKinds = (st.queries.workers ?? []).filter((k) => !k.kind.startsWith('dependents') && !k.kind.startsWith('pg-boss insert'));
  push(
    '',
    `Per job (totals over the window divided by its ${int(jobs)} jobs; the low queue's handlers run concurrently, so means overlap and do not add up to wall time):`,
    '',
    `- **worker statements** (latestEventId, editionsInStores, the expansion's queries; pool wait included):`,
    '',
    perUnit(perJobKinds, jobs),
    '',
    `- **content-store writes** (a PUT of one item, or a bulk PUT of a fan-out job's batch), as the worker sees the round trip: live ${int(st.puts.live.count)} requests, mean ${ms(st.puts.live.meanMs)} ms, p95 ${ms(st.puts.live.p95Ms)} ms; draft ${int(st.puts.draft.count)}, mean ${ms(st.puts.draft.meanMs)} ms, p95 ${ms(st.puts.draft.p95Ms)} ms. Statements inside the live store per request (transaction, outbox, relay):`,
    '',
    perUnit(st.queries['content-store-live'] ?? [], st.puts.live.count || 1),
    '',
    'Statements inside the draft store per request:',
    '',
    perUnit(st.queries['content-store-draft'] ?? [], st.puts.draft.count || 1),
    '',
    `- **pg-boss** per fan-out job (statements per low-queue job; fetch takes up to ${o.fetchBatch ?? 1} low jobs at once, and idle workers poll):`,
    '',
    perUnit(st.queries['pg-boss'] ?? [], fanoutJobs, 10),
  );
  if (r.profile) {
    const p = r.profile;
    push(
      '',
      `CPU profile of the stack process over the window (${s1(p.seconds)} s, 1 ms sampling). By component, each sample charged to the outermost project or package frame on the stack (with what it called synchronously):`,
      '',
      table(['component', 'share of samples'], p.byComponent.map(([k, v]) => [k, pct(v)])),
      '',
      'Top functions by self time:',
      '',
      table(['function', 'share of samples'], p.topSelf.map(([k, v]) => [k.replace(/\|/g, '\\|'), pct(v)])),
    );
  }

  // --- verdicts
  const list: Verdict[] = [
    {
      target: `fan-out: every one of ${int(N)} dependents re-expanded in the live store < ${TARGET.fanoutS} s after the rename's publish`,
      measured: liveS === undefined ? `not complete after ${o.timeoutS} s` : `${s1(liveS)} s (${(N / liveS).toFixed(0)} documents/s)`,
      pass: liveS !== undefined && liveS < TARGET.fanoutS,
    },
    {
      target: `editor publish -> visible p95 < ${TARGET.editorP95Ms} ms during the fan-out`,
      measured: `${ms(duringP95)} ms over ${r.during.length} samples (${ratio(duringP95 / beforeP95)} of the ${ms(beforeP95)} ms before it)`,
      pass: duringP95 < TARGET.editorP95Ms,
    },
  ];
  if (slices.size > 1) {
    const worst = Math.max(...[...slices.values()].filter((v) => v.length >= 20).map((v) => percentile(v.map((x) => x.visibleMs), 95)));
    list.push({ target: `... and in every ${SLICE_S}-s slice with 20 samples or more ("throughout")`, measured: `worst slice p95 ${ms(worst)} ms`, pass: worst < TARGET.editorP95Ms });
  }
  push('', '### Targets', '', verdicts(list), '');
  return { text: lines.join('\n'), verdicts: list };
}

// --- Entry point ------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const o = parseOrReport(argv, parseOptions, USAGE);
  if (typeof o === 'number') return o;
  if (!hasCommand('taskset')) {
    console.error('missing: taskset. On Debian or Ubuntu: sudo apt-get install -y util-linux');
    return 1;
  }
  const b = o.basePort;
  const ports: FanoutPorts = { router: b, routerAdmin: b + 1, contentStoreLive: b + 2, contentStoreDraft: b + 3, publishingApi: b + 4, frontend: b + 5 };
  for (const port of Object.values(ports)) {
    if (await portInUse(port)) {
      console.error(`port ${port} is in use; pick other ports with --base-port`);
      return 1;
    }
  }
  const pinned = pin(process.pid, CLIENT_CPUS);
  const info = [
    ...machine(),
    `stack process (both content stores, Publishing API, downstream workers, live router, frontend) pinned to CPU ${SERVER_CPUS}; the bench (editor, SQL observer) ${pinned ? `on CPU ${CLIENT_CPUS}` : 'unpinned (taskset failed)'}`,
  ];
  for (const l of info) progress(l);
  let run: Run;
  try {
    run = await measure(o, ports, info);
  } finally {
    await stopAll();
  }
  const { text, verdicts: list } = report(run);
  console.log(text);
  writeRaw(o.json, { ...run, targets: list });
  return 0;
}
