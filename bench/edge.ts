import type { ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateVcl, VCL_DEFAULTS } from '../src/edge/vcl.ts';
import { findVarnishd, VARNISH_MISSING, varnishdArgs } from '../src/edge/vcl-varnishd.ts';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { ChildRpc } from './child-rpc.ts';
import { BENCH_PURGE_TOKEN, ENV, type EdgeOps, type PlatformOps, type PlatformPorts, type PlatformReady } from './edge-protocol.ts';
import { parseOptions, USAGE, type Options } from './edge-options.ts';
import { parseOrReport } from './options.ts';
import { portInUse } from './http.ts';
import { measureAll, type Measured, type Setup } from './measure.ts';
import { backendConfig, startNginx } from './nginx.ts';
import { hasCommand, onInterrupt, sleep, spawnPinned, stopAll, tempDir, waitForPort } from './procs.ts';
import { hardware, int, kilo, loadLine, median, ms, printReport, progress, ratio, table, versions, wrkLine, writeRaw, type Part, type Verdict } from './report.ts';

export const description = "Portico edge vs Debian's Varnish on the generated VCL: cache-hit req/s and p99; publish -> fresh on www";

/** Every server-side process shares CPU 0; wrk has CPU 1 to itself (the layout of ../shared/reference/baselines.md). */
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';
const PAGE_PATH = '/guidance/keeping-bees-at-home';

function machine(varnishd: string): string[] {
  return [
    hardware(),
    versions([varnishd, '-V'], ['nginx', '-v'], ['wrk', '-v']),
    `server side (origin nginx, Portico edge, Varnish with its default thread pools) pinned to CPU ${SERVER_CPUS}; wrk on CPU ${CLIENT_CPUS}`,
  ];
}

/** A guidance page of about `kb` KiB, with the text a real one has rather than one repeated byte. */
export function guidePage(kb: number): string {
  const head = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Keeping bees at home - GOV.UK</title>
<link rel="stylesheet" href="/assets/application.css"></head>\n<body><header class="govuk-header">Portico</header>\n<main class="govuk-main-wrapper" id="main-content">\n<h1 class="govuk-heading-xl">Keeping bees at home</h1>\n`;
  const tail = '</main>\n<footer class="govuk-footer">All content is available under the Open Government Licence v3.0</footer>\n</body></html>\n';
  const sentences = [
    'Register your hives with the National Bee Unit before the start of the season.',
    'An inspector may visit to check the colonies for notifiable pests and diseases.',
    'You must tell the inspector if you suspect American or European foulbrood.',
    'Keep hives at least 5 metres from a public footpath, or screen them with a hedge.',
    'Check the colonies every 7 to 10 days between April and July for signs of swarming.',
  ];
  const parts: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; size < kb * 1024; i++) {
    const p = i % 6 === 0 ? `<h2 class="govuk-heading-l" id="section-${i}">Section ${i / 6 + 1}</h2>\n` : `<p class="govuk-body">${sentences[i % sentences.length]} ${sentences[(i * 3) % sentences.length]}</p>\n`;
    parts.push(p);
    size += p.length;
  }
  return head + parts.join('') + tail;
}

/** varnishd on the generated VCL, pinned to the server CPU, with `-s malloc,256m` as in the baselines. */
async function startVarnish(varnishd: string, dir: string, name: string, port: number, vcl: string): Promise<ChildProcess> {
  const vclFile = join(dir, `${name}.vcl`);
  writeFileSync(vclFile, vcl);
  const child = spawnPinned(SERVER_CPUS, varnishd, varnishdArgs({ workDir: join(dir, name), port, vclFile, storageMb: 256 }), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return child;
}

function vclFor(originPort: number, probePath: string): string {
  return generateVcl({
    ...VCL_DEFAULTS,
    originUrl: `http://127.0.0.1:${originPort}`,
    // No mirror in the benchmark: failover is not measured, and the origin answers for it.
    mirrorUrl: `http://127.0.0.1:${originPort}`,
    wwwHosts: ['127.0.0.1'],
    apexHosts: [],
    purgeToken: BENCH_PURGE_TOKEN,
    probePath,
  });
}

/** Waits for `url` to be a cache hit; with `gzip`, a gzip-encoded one. */
async function expectHit(label: string, url: string, gzip = false): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const res = await probeHead(url, gzip ? { 'accept-encoding': 'gzip' } : {});
    if (res.cache === 'HIT' && (!gzip || res.encoding === 'gzip')) return;
  }
  throw new Error(`${label}: ${url} is not answered from cache${gzip ? ' gzip-encoded' : ''}`);
}

/** One GET, body read and dropped: its X-Cache and Content-Encoding (fetch would decode the body and hide the latter). */
function probeHead(url: string, headers: Record<string, string>): Promise<{ cache: string | undefined; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ cache: res.headers['x-cache'] as string | undefined, encoding: res.headers['content-encoding'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

// --- Hits ------------------------------------------------------------------------

interface Ports {
  origin: number;
  edge: number;
  varnish: number;
  platform: PlatformPorts;
}

interface Hits {
  results: Map<string, Measured>;
  pageBytes: number;
  edgeMissesDuringRuns: number;
}

async function hits(o: Options, p: Ports, dir: string, varnishd: string): Promise<Hits> {
  const html = guidePage(o.pageKb);
  const bytes = Buffer.byteLength(html);
  await startNginx(dir, 'origin', backendConfig(dir, p.origin, html, 'origin'), p.origin, SERVER_CPUS);
  await startVarnish(varnishd, dir, 'varnish-hits', p.varnish, vclFor(p.origin, PAGE_PATH));
  const edge = await ChildRpc.spawn<EdgeOps, { ready: true }>({
    name: 'edge',
    script: fileURLToPath(new URL('./edge-child.ts', import.meta.url)),
    cpus: SERVER_CPUS,
    flagsVariable: 'BENCH_EDGE_NODE_FLAGS',
    env: { [ENV.edgePort]: String(p.edge), [ENV.originUrl]: `http://127.0.0.1:${p.origin}` },
  });
  try {
    const at = (port: number) => `http://127.0.0.1:${port}${PAGE_PATH}`;
    for (const gzip of [false, true]) {
      await expectHit('Varnish', at(p.varnish), gzip);
      await expectHit('Portico edge', at(p.edge), gzip);
    }
    const before = await edge.call('counts', {});
    const page = { status: 200, bytes };
    const gzip = ['Accept-Encoding: gzip'];
    const setups: Setup[] = [
      { key: 'origin', label: `origin direct (nginx, static ${kilo(bytes)}B page)`, url: at(p.origin), expect: page },
      { key: 'varnish', label: "Varnish 7.1 hit (Debian's, generated VCL), no Accept-Encoding", url: at(p.varnish), expect: page },
      { key: 'edge', label: 'Portico edge hit, no Accept-Encoding', url: at(p.edge), expect: page },
      { key: 'varnish-gzip', label: 'Varnish hit, Accept-Encoding: gzip', url: at(p.varnish), headers: gzip, expect: { status: 200 } },
      { key: 'edge-gzip', label: 'Portico edge hit, Accept-Encoding: gzip', url: at(p.edge), headers: gzip, expect: { status: 200 } },
    ];
    const results = await measureAll({ ...o, cpus: CLIENT_CPUS }, setups);
    const after = await edge.call('counts', {});
    return { results, pageBytes: bytes, edgeMissesDuringRuns: after.miss - before.miss };
  } finally {
    await edge.stop(5000);
  }
}

/** Which Varnish row each edge row is judged against. */
const PEERS: Record<string, string> = { edge: 'varnish', 'edge-gzip': 'varnish-gzip' };

function hitsReport(h: Hits): Part {
  const rows = [...h.results.values()].map((m) => {
    const peer = PEERS[m.setup.key] ? h.results.get(PEERS[m.setup.key]!) : undefined;
    return [
      m.setup.label,
      int(m.rps),
      m.runs.map((r) => kilo(r.rps)).join(', '),
      ms(m.p50),
      ms(m.p99),
      peer ? ratio(m.rps / peer.rps) : '',
      peer ? ratio(m.p99 / peer.p99) : '',
    ];
  });
  const verdictsFor = (key: string, what: string): Verdict[] => {
    const e = h.results.get(key)!;
    const v = h.results.get(PEERS[key]!)!;
    return [
      { target: `edge hits req/s >= 1.0x Varnish (${what})`, measured: ratio(e.rps / v.rps), pass: e.rps >= v.rps },
      { target: `edge hit p99 <= Varnish's (${what})`, measured: `${ms(e.p99)} vs ${ms(v.p99)} ms`, pass: e.p99 <= v.p99 },
    ];
  };
  return {
    lines: [
      '',
      `### Cache hits: one ${int(h.pageBytes)}-byte page`,
      '',
      table(['setup', 'req/s (median)', 'runs', 'p50 ms', 'p99 ms', 'req/s vs Varnish', 'p99 vs Varnish'], rows),
      '',
      `Edge misses during the measured runs: ${h.edgeMissesDuringRuns} (every request was a hit when 0). ` +
        'Varnish stores the page gzipped (the VCL sets do_gzip for text types), so a client without Accept-Encoding costs it a gunzip per hit; ' +
        'the edge keeps an identity copy beside the compressed ones.',
    ],
    verdicts: [...verdictsFor('edge', 'no Accept-Encoding'), ...verdictsFor('edge-gzip', 'gzip')],
  };
}

// --- Publish -> fresh on www ---------------------------------------------------

interface Fresh {
  edgeMs: number[];
  varnishMs: number[];
}

const CONTENT_ID = 'b0000000-0000-4000-8000-00000000edce';
const FRESH_PATH = '/fishing-licence';

function answerItem(title: string): Record<string, unknown> {
  return {
    base_path: FRESH_PATH,
    title,
    description: 'Who needs a licence and how to get one',
    details: { body: '## Who needs one\n\nAnyone over 13 fishing with a rod.' },
    document_type: 'answer',
    schema_name: 'answer',
    publishing_app: 'publisher',
    rendering_app: 'frontend',
    routes: [{ path: FRESH_PATH, type: 'exact' }],
    update_type: 'major',
  };
}

async function api(p: PlatformPorts, token: string, method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${p.publishingApi}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
}

/** Milliseconds from `since` until `url` serves a page with `text` in it, asking every 5 ms. */
async function untilServed(url: string, text: string, since: number): Promise<number> {
  const deadline = since + 30_000;
  for (;;) {
    const res = await fetch(url);
    const body = await res.text();
    if (body.includes(text)) return performance.now() - since;
    if (performance.now() > deadline) throw new Error(`${url} did not serve "${text}" within 30 s`);
    await sleep(5);
  }
}

async function fresh(o: Options, p: PlatformPorts, dir: string, varnishd: string): Promise<Fresh> {
  const pg = o.database === 'postgres' ? await createTestDatabase() : undefined;
  if (pg) onInterrupt(() => pg.drop());
  const platform = await ChildRpc.spawn<PlatformOps, PlatformReady>({
    name: 'platform',
    script: fileURLToPath(new URL('./edge-platform-child.ts', import.meta.url)),
    cpus: SERVER_CPUS,
    flagsVariable: 'BENCH_EDGE_NODE_FLAGS',
    env: { [ENV.platformPorts]: JSON.stringify(p), ...(pg ? { [ENV.databaseUrl]: pg.url } : {}) },
  });
  try {
    const { token } = platform.ready;
    const edgeUrl = `http://127.0.0.1:${p.edge}${FRESH_PATH}`;
    const varnishUrl = `http://127.0.0.1:${p.varnish}${FRESH_PATH}`;
    await api(p, token, 'PUT', `/v2/content/${CONTENT_ID}`, answerItem('Edition 0'));
    await api(p, token, 'POST', `/v2/content/${CONTENT_ID}/publish`, { update_type: 'major' });
    await untilServed(`http://127.0.0.1:${p.router}${FRESH_PATH}`, 'Edition 0', performance.now());
    // Varnish's health probe asks for the page, so it starts once the page is live.
    await startVarnish(varnishd, dir, 'varnish-fresh', p.varnish, vclFor(p.router, FRESH_PATH));

    const result: Fresh = { edgeMs: [], varnishMs: [] };
    for (let i = 1; i <= o.publishes; i++) {
      await expectHit('Portico edge', edgeUrl);
      await expectHit('Varnish', varnishUrl);
      const title = `Edition ${i} of ${o.publishes}`;
      await api(p, token, 'PUT', `/v2/content/${CONTENT_ID}`, answerItem(title));
      const started = performance.now();
      await api(p, token, 'POST', `/v2/content/${CONTENT_ID}/publish`, { update_type: 'major' });
      const [e, v] = await Promise.all([untilServed(edgeUrl, title, started), untilServed(varnishUrl, title, started)]);
      result.edgeMs.push(e);
      result.varnishMs.push(v);
      progress(`  publish ${i}/${o.publishes}: fresh on the edge after ${ms(e)} ms, on Varnish after ${ms(v)} ms`);
    }
    return result;
  } finally {
    await platform.stop(10_000);
    await pg?.drop();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function freshReport(f: Fresh): Part {
  const row = (label: string, v: number[]) => [label, String(v.length), ms(median(v)), ms(percentile(v, 95)), ms(Math.max(...v))];
  return {
    lines: [
      '',
      `### Publish -> fresh on www (${f.edgeMs.length} publishes)`,
      '',
      'From the `POST /v2/content/:id/publish` request until the new title is served; the page was a cache hit on both before each publish. ' +
        "The edge's purge consumer purges its own cache and Varnish (as a purge peer, over HTTP) on each publishing event.",
      '',
      table(['served by', 'publishes', 'p50 ms', 'p95 ms', 'max ms'], [row('Portico edge', f.edgeMs), row('Varnish (purged by the edge as a peer)', f.varnishMs)]),
    ],
    verdicts: [{ target: 'publish -> fresh on www p95 < 1 s', measured: `${ms(percentile(f.edgeMs, 95))} ms`, pass: percentile(f.edgeMs, 95) < 1000 }],
  };
}

// --- Entry point ------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const o = parseOrReport(argv, parseOptions, USAGE);
  if (typeof o === 'number') return o;
  const varnishd = findVarnishd();
  const missing = ['wrk', 'nginx', 'taskset'].filter((c) => !hasCommand(c));
  if (missing.length > 0 || !varnishd) {
    console.error(`missing: ${[...missing, ...(varnishd ? [] : ['varnishd'])].join(', ')}. On Debian or Ubuntu: sudo apt-get install -y wrk nginx-light util-linux varnish
(${VARNISH_MISSING}; the benchmark runs its own nginx and varnishd from a temp directory)`);
    return 1;
  }
  const b = o.basePort;
  const p: Ports = { origin: b, edge: b + 1, varnish: b + 2, platform: { router: b + 3, publishingApi: b + 4, edge: b + 5, varnish: b + 6 } };
  for (const port of [p.origin, p.edge, p.varnish, ...Object.values(p.platform)]) {
    if (await portInUse(port)) {
      console.error(`port ${port} is in use; pick other ports with --base-port`);
      return 1;
    }
  }
  const info = machine(varnishd);
  for (const l of info) progress(l);
  const loadAtStart = loadavg();
  const dir = tempDir('portico-bench-edge-');
  // Started as root, nginx and varnishd hand their workers to unprivileged users, which must reach their files.
  chmodSync(dir, 0o755);
  try {
    const parts: Part[] = [];
    const raw: Record<string, unknown> = { options: { ...o, only: [...o.only] }, machine: info };
    if (o.only.has('hits')) {
      progress(`\n[hits] Portico edge vs Varnish, one ${o.pageKb} KiB page`);
      const h = await hits(o, p, dir, varnishd);
      parts.push(hitsReport(h));
      raw.hits = { ...h, results: [...h.results.values()] };
    }
    if (o.only.has('fresh')) {
      progress(`\n[fresh] ${o.publishes} publishes through the Publishing API, timed until www serves them`);
      const f = await fresh(o, p.platform, dir, varnishd);
      parts.push(freshReport(f));
      raw.fresh = f;
    }
    const list = printReport('Edge benchmark', [`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`, ...info, loadLine(loadAtStart), wrkLine(o)], parts);
    writeRaw(o.json, { ...raw, targets: list });
    return 0;
  } finally {
    await stopAll();
  }
}
