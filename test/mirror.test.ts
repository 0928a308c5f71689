// The mirror end to end: a platform with the demo content (PGlite and the
// files store, or in the services suite PostgreSQL and a real S3-compatible
// server), crawled through the live router by `portico mirror crawl`, then
// kept fresh by publishing events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorCommand } from '../src/cli/mirror.ts';
import { DEMO_CONTENT } from '../src/cli/seed.ts';
import { seedDemoContentOnce, seedDemoRoutes, startTargets, stopAll, type Running } from '../src/cli/start.ts';
import { PERMISSIONS } from '../src/platform/auth.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createTestDatabase, TEST_DATABASE } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import type { ObjectStore } from '../src/platform/object-store/index.ts';
import { startTestS3 } from '../src/platform/object-store/testing.ts';
import { openPlatform, type Platform } from '../src/platform/platform.ts';
import { createToken } from '../src/signon/tokens.ts';
import { eventually, freePortEnv } from './support/ports.ts';

const TARGETS = ['frontend-live', 'search-api', 'content-store-live', 'content-store-draft', 'publishing-api', 'publishing-worker', 'router-live', 'mirror'];
const KEEPING_BEES = '5e1f0000-0000-4000-8000-000000000006';
const BROADBAND_ANSWER = '5e1f0000-0000-4000-8000-000000000005';

let dir: string;
let env: Record<string, string | undefined>;
let platform: Platform;
let running: Running[] = [];
let store: ObjectStore;
let apiUrl: string;
let token: string;
let dropDatabase: (() => Promise<void>) | undefined;
let stopS3: (() => Promise<void>) | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-mirror-e2e-'));
  const free = await freePortEnv();
  // The scheduled crawl stays out of the way: the test runs its own.
  env = { ...free.env, PORTICO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', MIRROR_FIRST_CRAWL_DELAY: '1h', MIRROR_RATE: '200' };
  if (TEST_DATABASE === 'postgres') {
    const created = await createTestDatabase();
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
    const s3 = await startTestS3();
    env.OBJECT_STORE_URL = s3.url;
    stopS3 = s3.stop;
  }
  const config = loadConfig(env);
  platform = await openPlatform(config, silentLogger());
  await seedDemoRoutes(platform);
  running = await startTargets(platform, TARGETS);
  apiUrl = `http://127.0.0.1:${config.ports['publishing-api']}`;
  assert.equal(await seedDemoContentOnce(platform, apiUrl), true);
  store = await platform.objectStore();
  token = (await createToken(platform.db, 'mirror-test', [PERMISSIONS.publishingApiRead, PERMISSIONS.publishingApiWrite])).token;
});

after(async () => {
  await stopAll(running);
  await platform?.close();
  await dropDatabase?.();
  await stopS3?.();
  rmSync(dir, { recursive: true, force: true });
});

const saved = async (path: string) => (await store.get(path))?.body.toString();

async function call(method: string, path: string, body: unknown) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${method} ${path}: ${await res.clone().text()}`);
}

test('publishing the demo content re-crawled each page as it went live, the redirect as a meta refresh', async () => {
  await eventually(async () => ((await saved('mirror/rural-broadband-vouchers.html'))?.includes('http-equiv="refresh"') ? true : undefined), 20_000, 'the redirect page');
  await eventually(async () => ((await saved('mirror/government/people/alex-morgan.html'))?.includes('Alex Morgan') ? true : undefined), 20_000, 'a demo page');
});

test('portico mirror crawl copies the demo site from its sitemap and links', async () => {
  // The publishing events of the seeding have re-crawled the demo pages already: start from nothing.
  for await (const key of store.list('mirror/')) await store.delete(key);
  const out: string[] = [];
  const code = await mirrorCommand(['crawl'], (l) => out.push(l), (l) => out.push(l), env);
  assert.equal(code, 0, out.join('\n'));
  assert.match(out.at(-1)!, /^done in .*, 0 failed$/);
  const keys: string[] = [];
  for await (const key of store.list('mirror/')) keys.push(key);
  for (const page of [
    'mirror/index.html',
    'mirror/keeping-bees.html',
    'mirror/keeping-bees/inspections.html',
    'mirror/rural-broadband-voucher-eligibility.html',
    'mirror/guidance/moving-livestock-between-farms.html',
    'mirror/government/news/new-grants-for-village-halls.html',
    'mirror/government/organisations/department-for-rural-affairs.html',
    'mirror/government/people/alex-morgan.html',
    'mirror/farming-and-rural-affairs.html',
  ]) assert.ok(keys.includes(page), `${page} is in the mirror: ${keys.join(', ')}`);
  assert.ok(keys.some((k) => k.endsWith('.css')), 'the stylesheet is mirrored too');
  assert.ok(!keys.some((k) => k.startsWith('mirror/search')), 'search is never crawled');
  assert.ok(!keys.includes('mirror/apply-for-a-village-hall-grant.html'), 'drafts are not on the live site');
  assert.match((await saved('mirror/keeping-bees.html'))!, /<h1[^>]*>Keeping bees<\/h1>/);
  assert.match((await store.get('mirror/index.html'))!.contentType, /^text\/html/);
  assert.equal(store.kind, TEST_DATABASE === 'postgres' ? 's3' : 'files');
});

test('the mirror server serves the copy as a static bucket', async () => {
  const base = `http://127.0.0.1:${platform.config.ports.mirror}`;
  const page = await fetch(`${base}/keeping-bees.html`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Keeping bees/);
  assert.equal((await fetch(`${base}/healthcheck/ready`)).status, 200);
});

test('a publish re-crawls the changed page, and a vanish removes the copy', async () => {
  const doc = (JSON.parse(readFileSync(DEMO_CONTENT, 'utf8')) as { content_id: string; content: Record<string, unknown> }[]).find((d) => d.content_id === KEEPING_BEES)!;
  await call('PUT', `/v2/content/${KEEPING_BEES}`, { ...doc.content, title: 'Keeping bees and wasps' });
  await call('POST', `/v2/content/${KEEPING_BEES}/publish`, { update_type: 'minor' });
  await eventually(async () => ((await saved('mirror/keeping-bees.html'))?.includes('Keeping bees and wasps') ? true : undefined), 20_000, 'the re-crawled page');

  assert.ok(await saved('mirror/rural-broadband-voucher-eligibility.html'));
  await call('POST', `/v2/content/${BROADBAND_ANSWER}/unpublish`, { type: 'vanish' });
  await eventually(async () => ((await saved('mirror/rural-broadband-voucher-eligibility.html')) === undefined ? true : undefined), 20_000, 'the copy to go');
});
