import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../platform/log.ts';
import { createRouterMetrics } from './metrics.ts';
import { Mux } from './mux.ts';
import { Reloader } from './reloader.ts';
import { GONE, RouteTable } from './route-table.ts';

function tableOf(n: number): RouteTable<string> {
  const t = new RouteTable<string>();
  for (let i = 0; i < n; i++) t.set('exact', `/p${i}`, GONE);
  return t;
}

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

test('a burst of requests while a reload runs coalesces into one more reload', async () => {
  const mux = new Mux<string>();
  let loads = 0;
  const gate = deferred();
  const reloader = new Reloader<string>({
    mux,
    load: async () => {
      loads++;
      if (loads === 1) await gate.promise;
      return { table: tableOf(loads), skipped: 0 };
    },
    intervalMs: 60_000,
    log: silentLogger(),
    metrics: createRouterMetrics('test'),
  });
  reloader.request();
  for (let i = 0; i < 50; i++) reloader.request();
  gate.resolve();
  await reloader.idle();
  reloader.stop();
  assert.equal(loads, 2);
  assert.equal(mux.size, 2);
});

test('a failed load keeps the table in service, is counted, and is retried until it succeeds', async () => {
  const mux = new Mux<string>();
  const metrics = createRouterMetrics('test');
  let fail = true;
  let attempts = 0;
  const reloader = new Reloader<string>({
    mux,
    load: async () => {
      attempts++;
      if (attempts > 1 && fail) throw new Error('database gone');
      return { table: tableOf(attempts), skipped: 0 };
    },
    intervalMs: 60_000,
    retryMinMs: 5,
    log: silentLogger(),
    metrics,
  });
  await reloader.start();
  assert.equal(mux.size, 1);
  reloader.request();
  await reloader.idle();
  assert.equal(mux.size, 1, 'the old table stays in service');
  assert.equal(await metricValue(metrics, 'router_reloads_total', { result: 'error' }), 1);
  fail = false;
  const deadline = Date.now() + 5000;
  while (mux.size === 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  reloader.stop();
  assert.ok(mux.size > 1, 'a retry loaded the new table without being asked');
  assert.ok((await metricValue(metrics, 'router_reloads_total', { result: 'success' })) >= 2);
});

test('the first load is retried when the database is not there at start', async () => {
  const mux = new Mux<string>();
  let attempts = 0;
  const reloader = new Reloader<string>({
    mux,
    load: async () => {
      if (++attempts < 3) throw new Error('not yet');
      return { table: tableOf(4), skipped: 0 };
    },
    intervalMs: 60_000,
    retryMinMs: 1,
    log: silentLogger(),
    metrics: createRouterMetrics('test'),
  });
  await reloader.start();
  assert.equal(mux.hasLoaded, false);
  const deadline = Date.now() + 5000;
  while (!mux.hasLoaded && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  reloader.stop();
  assert.equal(mux.size, 4);
  assert.equal(attempts, 3);
});
