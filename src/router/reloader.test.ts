import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../platform/log.ts';
import type { RouteKey } from './changes.ts';
import { buildTable, type LoadResult } from './loader.ts';
import { createRouterMetrics } from './metrics.ts';
import { Mux } from './mux.ts';
import { Reloader, type ReloaderOptions } from './reloader.ts';
import type { RouteRecord } from './routes.ts';

const log = silentLogger();

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function metricValue(metrics: ReturnType<typeof createRouterMetrics>, name: string, labels: Record<string, string>) {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values as { value: number; labels: Record<string, string> }[] | undefined)?.find((v) =>
    Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  )?.value ?? 0;
}

const gone = (incoming_path: string): RouteRecord => ({ incoming_path, route_type: 'exact', handler: 'gone' });
const key = (incoming_path: string): RouteKey => ({ incoming_path, route_type: 'exact' });

/**
 * A routes table in memory standing in for the database, and a reloader on
 * it whose full loads and row reads can be held at a gate, made to fail, and
 * counted.
 */
class Fixture {
  readonly rows = new Map<string, RouteRecord>();
  readonly mux = new Mux<string>();
  readonly metrics = createRouterMetrics('test');
  /** Every load and read, in order: `full`, or the keys read. */
  readonly calls: string[] = [];
  /** While set, a full load waits for it after taking its snapshot. */
  loadGate: Promise<void> | undefined;
  /** While set, a read waits for it after taking its rows. */
  readGate: Promise<void> | undefined;
  failLoads = false;
  failReads = false;
  readonly reloader: Reloader<string>;

  constructor(opts: Partial<ReloaderOptions<string>> = {}) {
    this.reloader = new Reloader<string>({
      mux: this.mux,
      load: async (): Promise<LoadResult<string>> => {
        this.calls.push('full');
        if (this.failLoads) throw new Error('database gone');
        const snapshot = [...this.rows.values()];
        await this.loadGate;
        return buildTable([], snapshot, (b) => b.backend_url, log);
      },
      loadRows: async (keys) => {
        this.calls.push(keys.map((k) => k.incoming_path).sort().join(' '));
        if (this.failReads) throw new Error('database gone');
        const found = keys.flatMap((k) => this.rows.get(k.incoming_path) ?? []);
        await this.readGate;
        return found;
      },
      intervalMs: 60_000,
      retryMinMs: 5,
      log,
      metrics: this.metrics,
      ...opts,
    });
  }

  /** Writes routes as the database would, and notifies of them as the trigger would. */
  write(...paths: string[]): void {
    for (const p of paths) this.rows.set(p, gone(p));
    this.reloader.requestChanges(paths.map(key));
  }

  remove(...paths: string[]): void {
    for (const p of paths) this.rows.delete(p);
    this.reloader.requestChanges(paths.map(key));
  }

  paths(): string[] {
    return this.mux.current.routes().map((r) => r.incoming_path);
  }

  count(kind: string, result: string): Promise<number> {
    return metricValue(this.metrics, 'router_reloads_total', { kind, result });
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

test('a burst of full reload requests while one runs coalesces into one more', async () => {
  const f = new Fixture();
  const gate = deferred();
  f.loadGate = gate.promise;
  f.reloader.request();
  for (let i = 0; i < 50; i++) f.reloader.request();
  f.loadGate = undefined;
  gate.resolve();
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', 'full']);
});

test('a failed load keeps the table in service, is counted, and is retried until it succeeds', async () => {
  const f = new Fixture();
  f.rows.set('/a', gone('/a'));
  await f.reloader.start();
  const first = f.mux.current;
  f.failLoads = true;
  f.rows.set('/b', gone('/b'));
  f.reloader.request();
  await f.reloader.idle();
  assert.equal(f.mux.current, first, 'the old table stays in service');
  assert.equal(await f.count('full', 'error'), 1);
  f.failLoads = false;
  await until('a retry, unasked', () => f.mux.size === 2);
  f.reloader.stop();
  assert.ok((await f.count('full', 'success')) >= 2);
});

test('the first load is retried when the database is not there at start', async () => {
  const f = new Fixture({ retryMinMs: 1 });
  f.rows.set('/a', gone('/a'));
  f.failLoads = true;
  await f.reloader.start();
  assert.equal(f.mux.hasLoaded, false);
  f.failLoads = false;
  await until('the first table', () => f.mux.hasLoaded);
  f.reloader.stop();
  assert.deepEqual(f.paths(), ['/a']);
});

test('changes are applied to the table in service, in place, without a full reload', async () => {
  const f = new Fixture();
  f.rows.set('/old', gone('/old'));
  await f.reloader.start();
  const table = f.mux.current;
  f.write('/new');
  f.remove('/old');
  await f.reloader.idle();
  f.reloader.stop();
  assert.equal(f.mux.current, table);
  assert.deepEqual(f.paths(), ['/new']);
  assert.deepEqual(f.calls, ['full', '/new', '/old']);
  assert.equal(await f.count('delta', 'success'), 2);
  assert.equal(await f.count('full', 'success'), 1);
});

test('changes notified while a full reload runs are applied after it swaps in', async () => {
  const f = new Fixture();
  f.rows.set('/a', gone('/a'));
  await f.reloader.start();
  const gate = deferred();
  f.loadGate = gate.promise;
  f.reloader.request();
  await until('the load to take its snapshot', () => f.calls.length === 2);
  // Committed after the snapshot: the new table will not have it.
  f.write('/b');
  f.loadGate = undefined;
  gate.resolve();
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', 'full', '/b']);
  assert.deepEqual(f.paths(), ['/a', '/b']);
});

test('changes notified while a delta runs are gathered into one more', async () => {
  const f = new Fixture();
  await f.reloader.start();
  const gate = deferred();
  f.readGate = gate.promise;
  f.write('/a');
  await until('the first read', () => f.calls.length === 2);
  f.write('/b');
  f.write('/c', '/b');
  f.remove('/a');
  f.readGate = undefined;
  gate.resolve();
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', '/a', '/a /b /c']);
  assert.deepEqual(f.paths(), ['/b', '/c']);
});

test('a full reload asked for replaces the changes still waiting', async () => {
  const f = new Fixture();
  await f.reloader.start();
  const gate = deferred();
  f.readGate = gate.promise;
  f.write('/a');
  await until('the first read', () => f.calls.length === 2);
  f.write('/b');
  f.reloader.request();
  f.write('/c');
  f.readGate = undefined;
  gate.resolve();
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', '/a', 'full']);
  assert.deepEqual(f.paths(), ['/a', '/b', '/c']);
});

test('a delta whose read fails is followed by a full reload, after a backoff', async () => {
  const f = new Fixture({ retryMinMs: 30 });
  await f.reloader.start();
  f.failReads = true;
  f.write('/a');
  await f.reloader.idle();
  assert.equal(await f.count('delta', 'error'), 1);
  assert.deepEqual(f.paths(), []);
  const failed = performance.now();
  await until('the full reload', () => f.mux.size === 1);
  assert.ok(performance.now() - failed >= 25, 'it waited for the backoff');
  assert.deepEqual(f.calls, ['full', '/a', 'full']);
  // The table is whole again, so deltas resume.
  f.failReads = false;
  f.write('/b');
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', '/a', 'full', '/b']);
  assert.deepEqual(f.paths(), ['/a', '/b']);
});

test('until a full reload succeeds again, changes set off a full reload instead', async () => {
  const f = new Fixture();
  f.failLoads = true;
  await f.reloader.start();
  f.failLoads = false;
  f.write('/a');
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', 'full']);
  assert.deepEqual(f.paths(), ['/a']);
  assert.equal(await f.count('delta', 'success'), 0);
});

test('a path written in a non-canonical form sets off a full reload', async () => {
  const f = new Fixture();
  await f.reloader.start();
  f.write('/a/');
  await f.reloader.idle();
  f.reloader.stop();
  assert.deepEqual(f.calls, ['full', 'full']);
  assert.deepEqual(f.paths(), ['/a/']);
});

test('a stream of changes does not put off the periodic full reload', async () => {
  const f = new Fixture({ intervalMs: 40 });
  await f.reloader.start();
  const deadline = performance.now() + 2000;
  let i = 0;
  while (!f.calls.slice(1).includes('full') && performance.now() < deadline) {
    f.write(`/p${i++}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  f.reloader.stop();
  assert.ok(f.calls.slice(1).includes('full'), `no full reload in ${i} changes`);
});
