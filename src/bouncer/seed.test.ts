import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { canonicalise } from './canonical.ts';
import { findMapping } from './mappings.ts';
import { migrateTransition } from './schema.ts';
import { DEMO_SITE_ABBR, seedDemoTransitionSite } from './seed.ts';
import { findSite } from './sites.ts';

let t: TestDb;
const ORIGIN = 'http://127.0.0.1:8080';

before(async () => {
  t = await openTestDb();
  await migrateTransition(t.db);
});
after(() => t.close());

test('the demo site is seeded once, with mappings of each kind pointing at the public origin', async () => {
  assert.equal(await seedDemoTransitionSite(t.db, ORIGIN, silentLogger()), true);
  const site = (await findSite(t.db, DEMO_SITE_ABBR))!;
  assert.deepEqual(site.hosts, ['www.old-ministry.portico.localhost', 'aka.old-ministry.portico.localhost']);
  const lookup = (path: string) => findMapping(t.db, site.id, canonicalise(path, site.queryParams).key);
  assert.deepEqual(await lookup('/old/page'), { type: 'redirect', newUrl: `${ORIGIN}/keeping-bees`, suggestedUrl: undefined, archiveUrl: undefined });
  assert.equal((await lookup('/broadband/vouchers.aspx?id=42&utm_source=x'))?.newUrl, `${ORIGIN}/rural-broadband-vouchers`);
  assert.equal((await lookup('/about/history'))?.type, 'archive');
  assert.deepEqual(await lookup('/consultations/hedgerows'), { type: 'unresolved', newUrl: undefined, suggestedUrl: `${ORIGIN}/farming-and-rural-affairs`, archiveUrl: undefined });

  await t.db.query('DELETE FROM transition.sites');
  assert.equal(await seedDemoTransitionSite(t.db, ORIGIN, silentLogger()), false);
  assert.equal(await findSite(t.db, DEMO_SITE_ABBR), undefined, 'a removed demo site stays removed');
});
