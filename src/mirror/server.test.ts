import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../platform/log.ts';
import type { ObjectStore } from '../platform/object-store/index.ts';
import { createMirrorReader } from './reader.ts';
import { createMirrorServer } from './server.ts';
import { memoryObjectStore } from './testing.ts';

const store = memoryObjectStore();
let failing = false;
const flaky: ObjectStore = { ...store, get: (key) => (failing ? Promise.reject(new Error('bucket unreachable')) : store.get(key)) };
const server = createMirrorServer({ store: flaky, log: silentLogger() });
let base: string;

before(async () => {
  await store.put('mirror/index.html', '<h1>Home</h1>', { contentType: 'text/html; charset=utf-8' });
  await store.put('mirror/guidance/bees.html', '<h1>Bees</h1>', { contentType: 'text/html; charset=utf-8' });
  await store.put('mirror/assets/site.css', 'body{}', { contentType: 'text/css' });
  base = `http://127.0.0.1:${await server.start(0, '127.0.0.1')}`;
});
after(() => server.stop());

test('the server answers a bucket path with the object and its content type', async () => {
  const home = await fetch(`${base}/index.html`);
  assert.equal(home.status, 200);
  assert.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(home.headers.get('cache-control'), 'max-age=900');
  assert.ok(home.headers.get('last-modified'));
  assert.equal(await home.text(), '<h1>Home</h1>');
  const css = await fetch(`${base}/assets/site.css?v=2`);
  assert.equal(css.headers.get('content-type'), 'text/css');
  assert.equal((await fetch(`${base}//guidance//bees.html`)).status, 200, '// collapsed as the CDN does');
  const head = await fetch(`${base}/guidance/bees.html`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), '13');
});

test('anything not in the mirror is 404, other methods 405', async () => {
  for (const path of ['/guidance/bees', '/nothing.html', '/', '/../mirror/index.html', '/guidance/']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
  assert.equal((await fetch(`${base}/index.html`, { method: 'POST' })).status, 405);
});

test('health: live always, ready while the object store answers; a store failure is a 503, not a crash', async () => {
  assert.equal((await fetch(`${base}/healthcheck/live`)).status, 200);
  assert.equal((await fetch(`${base}/healthcheck/ready`)).status, 200);
  failing = true;
  try {
    const ready = await fetch(`${base}/healthcheck/ready`);
    assert.equal(ready.status, 503);
    assert.match(await ready.text(), /bucket unreachable/);
    assert.equal((await fetch(`${base}/index.html`)).status, 503);
  } finally {
    failing = false;
  }
});

test('the reader maps a public path to its saved copy', async () => {
  const reader = createMirrorReader(store);
  const home = await reader.read('/');
  assert.equal(home?.body.toString(), '<h1>Home</h1>');
  assert.equal(home?.contentType, 'text/html; charset=utf-8');
  assert.ok(home?.savedAt instanceof Date);
  assert.equal((await reader.read('/guidance/bees?utm_source=x'))?.body.toString(), '<h1>Bees</h1>');
  assert.equal((await reader.read('/assets/site.css'))?.contentType, 'text/css');
  assert.equal(await reader.read('/guidance/wasps'), undefined);
  assert.equal(await reader.read('/../etc'), undefined);
});
