// A large routing table reloads without stopping the router: the rows are
// read and added in pages with turns of the event loop between them, so
// requests are still answered (from the table in service) while the new
// table is built, on PGlite (which runs its queries on this thread) too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { exact, RouterHarness, send } from './support/router-harness.ts';

/** Enough for a reload to take many pages; small enough for a test. */
const ROUTES = 200_000;

let h: RouterHarness;

before(async () => {
  h = await RouterHarness.open();
});

after(async () => {
  await h?.close();
});

test(`requests keep being answered while a ${ROUTES.toLocaleString('en')}-route table reloads`, async () => {
  await h.useRoutes([exact('/served', 'backend-1')]);
  await h.db.query(
    `INSERT INTO content_store_live.routes (incoming_path, route_type, handler)
     SELECT '/bulk/' || i || '/page', CASE WHEN i % 2 = 0 THEN 'exact' ELSE 'prefix' END, 'gone'
     FROM generate_series(1, $1::int) AS i`,
    [ROUTES],
  );
  const { reloader, mux } = h.router.service;
  // The insert's NOTIFY has set off a reload; let it (and anything it queued) finish.
  await h.reloadAll();
  assert.equal(mux.size, ROUTES + 1);

  // A few clients, each sending one request after another, noting when each is answered.
  const answered: number[] = [];
  const problems: string[] = [];
  let running = true;
  const client = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (running) {
        const res = await send(h.router.port, { path: '/served' }, agent);
        if (res.status !== 200 || res.body !== 'backend-1') problems.push(`${res.status} ${JSON.stringify(res.body)}`);
        answered.push(performance.now());
      }
    } catch (err) {
      problems.push((err as Error).message);
    } finally {
      agent.destroy();
    }
  };
  const clients = Promise.all([client(), client(), client(), client()]);
  const waitForAnswers = async (n: number) => {
    const target = answered.length + n;
    while (answered.length < target && problems.length === 0) await new Promise((r) => setTimeout(r, 5));
  };

  try {
    await waitForAnswers(20);
    const before = mux.current;
    const started = performance.now();
    reloader.request();
    await reloader.idle();
    const ended = performance.now();
    await waitForAnswers(5);
    running = false;
    await clients;

    assert.notEqual(mux.current, before, 'a new table was swapped in');
    assert.equal(mux.size, ROUTES + 1);
    assert.deepEqual(problems.slice(0, 10), []);
    const during = answered.filter((t) => t > started && t < ended);
    const reloadMs = ended - started;
    // Answered all through the reload, not just at its edges: a reload that
    // held the event loop would leave one gap as long as itself.
    const times = [started, ...during, ended];
    let longestGap = 0;
    for (let i = 1; i < times.length; i++) longestGap = Math.max(longestGap, times[i]! - times[i - 1]!);
    if (process.env.ROUTER_TEST_VERBOSE) console.log({ during: during.length, reloadMs, longestGap });
    assert.ok(during.length >= 10, `${during.length} requests answered during a ${reloadMs.toFixed(0)} ms reload`);
    assert.ok(
      longestGap < reloadMs / 2,
      `the longest wait for an answer was ${longestGap.toFixed(0)} ms of a ${reloadMs.toFixed(0)} ms reload (${during.length} answered during it)`,
    );
  } finally {
    running = false;
    await clients;
  }
});
