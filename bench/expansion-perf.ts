/**
 * A rough check of what expansion and dependency resolution cost, not a test:
 *
 *   node --import tsx bench/expansion-perf.ts [dependents=10000]
 *   PORTICO_TEST_DATABASE=postgres node --import tsx bench/expansion-perf.ts
 *
 * Seeds one organisation linked by N published documents (half through link
 * sets, half through edition links) and a 5-level parent chain, then reports
 * queries and milliseconds for one expansion and one findDependents.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openTestDb } from '../src/platform/db/testing.ts';
import { migratePublishingApi } from '../src/publishing-api/schema.ts';
import { findDependents } from '../src/publishing-api/expansion/dependents.ts';
import { expandLinks } from '../src/publishing-api/expansion/expand.ts';
import { counting, seed, uuidOf } from '../src/publishing-api/expansion/fixtures.ts';
import { DEFAULT_ORIGIN } from '../src/publishing-api/expansion/rules.ts';

const n = Number(process.argv[2] ?? 10_000);
const t = await openTestDb();
const db = t.db;
try {
  await migratePublishingApi(db);
  await seed(db, { org: { type: 'organisation', details: { acronym: 'ORG', logo: { formatted_title: 'Org' } } }, c0: {}, c1: {}, c2: {}, c3: {}, c4: {} }, {
    c1: { parent: ['c0'] }, c2: { parent: ['c1'] }, c3: { parent: ['c2'] }, c4: { parent: ['c3'] },
  });
  const org = uuidOf('org');
  const started = performance.now();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO publishing_api.documents (content_id, locale) SELECT md5('doc' || i)::uuid, 'en' FROM generate_series(1, $1::int) i`,
      [n],
    );
    await tx.query(
      `INSERT INTO publishing_api.editions (document_id, user_facing_version, state, content_store, base_path, title,
         document_type, schema_name, publishing_app, edition_links, public_updated_at)
       SELECT d.id, 1, 'published', 'live', '/doc-' || i, 'Doc ' || i, 'guide', 'guide', 'perf',
              CASE WHEN i % 2 = 0 THEN jsonb_build_object('organisations', jsonb_build_array($2::text)) ELSE '{}'::jsonb END, now()
       FROM generate_series(1, $1::int) i JOIN publishing_api.documents d ON d.content_id = md5('doc' || i)::uuid`,
      [n, org],
    );
    await tx.query(`INSERT INTO publishing_api.link_sets (content_id) SELECT md5('doc' || i)::uuid FROM generate_series(1, $1::int) i WHERE i % 2 = 1`, [n]);
    await tx.query(
      `INSERT INTO publishing_api.links (link_set_content_id, link_type, target_content_id, position)
       SELECT md5('doc' || i)::uuid, 'organisations', $2::uuid, 0 FROM generate_series(1, $1::int) i WHERE i % 2 = 1`,
      [n, org],
    );
  });
  await db.query('ANALYZE publishing_api.editions');
  await db.query('ANALYZE publishing_api.links');
  console.log(`${db.kind}: seeded ${n} documents linking to one organisation in ${Math.round(performance.now() - started)} ms`);

  const measure = async (label: string, fn: (q: ReturnType<typeof counting>) => Promise<unknown>, runs = 5) => {
    const q = counting(db);
    await fn(q); // warm
    const counted = q.count;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await fn(q);
    console.log(`${label}: ${counted} queries, ${((performance.now() - t0) / runs).toFixed(1)} ms`);
  };
  const origin = DEFAULT_ORIGIN;
  await measure('expandLinks(doc linking to the organisation, live)', (q) => expandLinks(q, md5Uuid('doc2'), 'en', { withDrafts: false, origin }), 200);
  await measure('expandLinks(doc linking to the organisation, draft)', (q) => expandLinks(q, md5Uuid('doc1'), 'en', { withDrafts: true, origin }), 200);
  await measure('expandLinks(bottom of a 5-level parent chain)', (q) => expandLinks(q, uuidOf('c4'), 'en', { withDrafts: true, origin }), 200);
  await measure(`expandLinks(the organisation: no reverse links of its own)`, (q) => expandLinks(q, org, 'en', { withDrafts: true, origin }), 20);
  await measure(`findDependents(the organisation, ${n} dependents)`, async (q) => {
    const found = await findDependents(q, org, 'en');
    if (found.length !== n) throw new Error(`expected ${n} dependents, got ${found.length}`);
  });
  await measure('findDependents(top of a 5-level parent chain)', (q) => findDependents(q, uuidOf('c0'), 'en'), 20);
} finally {
  await t.close();
}

/** md5(text)::uuid, as PostgreSQL casts it. */
function md5Uuid(s: string): string {
  const h = createHash('md5').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
