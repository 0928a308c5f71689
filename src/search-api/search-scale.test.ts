import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDb } from '../platform/db/testing.ts';
import { openSearchDb } from './fixtures.ts';
import { parseSearchParams } from './params.ts';
import { TOTAL_LIMIT } from './query.ts';
import { search, type SearchResponse } from './search.ts';

/**
 * The search over more documents than the small fixtures: totals past the
 * limit, relevance order across many title, description and body matches
 * (the page is assembled from the heading matches and the newest body
 * matches), and aggregates counted from the slugs, checked against the same
 * questions asked the slow, obvious way.
 */

let t: TestDb;
const run = (qs: string): Promise<SearchResponse> => search(t.db, parseSearchParams(new URLSearchParams(qs)));
const links = async (qs: string) => (await run(`${qs}&fields=link`)).results.map((r) => r.link as string);

const ORGS = ['alpha', 'beta', 'gamma'].map((slug) => ({ slug, title: `The ${slug} office`, link: `/government/organisations/${slug}` }));

/** Rows straight into the table: title, description and body words, a timestamp (or none) and the organisations. */
async function insert(rows: { path: string; title: string; description: string; body: string; at: string | null; orgs: number[]; type?: string }[]): Promise<void> {
  await t.db.query(
    `INSERT INTO search.documents (base_path, content_id, locale, title, description, indexable_content, document_type,
       organisations, organisation_slugs, part_of_taxonomy_tree, public_timestamp, is_withdrawn, payload_version, text_config)
     SELECT r->>'path', md5(r->>'path'), 'en', r->>'title', r->>'description', r->>'body', r->>'type', r->'organisations',
       ARRAY(SELECT jsonb_array_elements(r->'organisations')->>'slug'), '{}', (r->>'at')::timestamptz, false, 1, 'english'
     FROM jsonb_array_elements($1::jsonb) AS r`,
    [JSON.stringify(rows.map((r) => ({ ...r, type: r.type ?? 'answer', organisations: r.orgs.map((i) => ORGS[i]) })))],
  );
}

/** Relevance order as ranking every match would give it: heading matches by rank, then everything else newest first. */
async function everyMatchRanked(q: string): Promise<string[]> {
  const { rows } = await t.db.query<{ base_path: string }>(
    `SELECT base_path FROM search.documents, (SELECT websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1) AS w) AS q
     WHERE search_vector @@ q.w
     ORDER BY CASE WHEN heading_vector @@ q.w THEN ts_rank('{0.1, 0.2, 0.4, 1.0}', heading_vector, q.w, 1) ELSE 0 END DESC,
       public_timestamp DESC NULLS LAST, base_path`,
    [q],
  );
  return rows.map((r) => r.base_path);
}

before(async () => {
  t = await openSearchDb();
  // 10,001 documents with "plenty" in the body, all but the last also with "exact".
  await t.db.query(
    `INSERT INTO search.documents (base_path, content_id, locale, title, description, indexable_content, document_type,
       organisations, organisation_slugs, part_of_taxonomy_tree, public_timestamp, is_withdrawn, payload_version, text_config)
     SELECT '/bulk-' || g, md5(g::text), 'en', 'Bulk', 'Filler', CASE WHEN g <= ${TOTAL_LIMIT} THEN 'plenty exact' ELSE 'plenty' END, 'guide',
       jsonb_build_array($1::jsonb), ARRAY[$1::jsonb->>'slug'], '{}', '2020-01-01'::timestamptz + g * interval '1 minute', false, 1, 'english'
     FROM generate_series(1, ${TOTAL_LIMIT + 1}) AS g`,
    [JSON.stringify(ORGS[2])],
  );
  // 60 documents about badgers and setts: in the title, the description, both, or only the body; some undated.
  const rows = Array.from({ length: 60 }, (_, i) => {
    const where = i % 5;
    const words = i % 3 === 0 ? 'badger sett' : 'badger';
    return {
      path: `/badgers-${String(i).padStart(2, '0')}`,
      title: where === 0 || where === 3 ? `A ${words} guide${' long'.repeat(i % 4)}` : 'A guide',
      description: where === 1 || where === 3 ? `About the ${words} and its habits` : 'About wildlife',
      body: where === 2 || where === 4 ? `Rules for the ${words} in woodland.` : `Rules in woodland, ${i % 2 ? 'sett' : 'fox'}.`,
      at: i % 7 === 0 ? null : new Date(Date.UTC(2024, 0, 1 + ((i * 37) % 60))).toISOString(),
      orgs: i % 4 === 0 ? [0, 1] : [i % 2],
      type: i % 3 === 0 ? 'news_story' : 'answer',
    };
  });
  await insert(rows);
});
after(() => t.close());

describe('searching at scale', () => {
  test(`totals are exact up to ${TOTAL_LIMIT}; past it, ${TOTAL_LIMIT} and flagged as a lower bound`, async () => {
    assert.deepEqual(await run('q=exact&count=0').then(({ total, total_is_estimate }) => ({ total, total_is_estimate })), { total: TOTAL_LIMIT, total_is_estimate: false });
    assert.deepEqual(await run('q=plenty&count=0').then(({ total, total_is_estimate }) => ({ total, total_is_estimate })), { total: TOTAL_LIMIT, total_is_estimate: true });
    assert.deepEqual(await run('count=0').then(({ total, total_is_estimate }) => ({ total, total_is_estimate })), { total: TOTAL_LIMIT, total_is_estimate: true });
    assert.deepEqual(await run('q=badger&count=0').then(({ total, total_is_estimate }) => ({ total, total_is_estimate })), { total: 60, total_is_estimate: false });
  });

  test('aggregates count every match, past the total limit too, by slug, with each organisation\'s title', async () => {
    const { aggregates } = await run('q=plenty&count=0&aggregate_organisations=5&aggregate_content_store_document_type=5');
    assert.deepEqual(aggregates.organisations!.options, [{ value: { slug: 'gamma', title: 'The gamma office' }, documents: TOTAL_LIMIT + 1 }]);
    assert.deepEqual(aggregates.content_store_document_type!.options, [{ value: { slug: 'guide' }, documents: TOTAL_LIMIT + 1 }]);
  });

  test('a search with aggregates reports the same total as without, under filters on aggregated fields too and past the limit', async () => {
    const totals = async (qs: string) => {
      const plain = await run(`${qs}&count=0`);
      const counted = await run(`${qs}&count=0&aggregate_organisations=5&aggregate_content_store_document_type=5`);
      return [plain, counted].map(({ total, total_is_estimate }) => ({ total, total_is_estimate }));
    };
    for (const qs of [
      'q=plenty',
      'q=exact',
      'q=badger',
      'q=badger&filter_organisations=alpha',
      'q=badger&filter_content_store_document_type=news_story',
      'q=badger&filter_organisations=alpha&filter_content_store_document_type=news_story',
      'q=badger&filter_organisations=alpha&filter_organisations=beta&reject_content_store_document_type=answer',
      'q=badger&filter_organisations=nobody',
      'q=nothingmatches',
      'filter_organisations=gamma',
    ]) {
      const [plain, counted] = await totals(qs);
      assert.deepEqual(counted, plain, qs);
    }
    assert.deepEqual((await totals('q=badger&filter_organisations=alpha&filter_content_store_document_type=news_story'))[1], { total: 10, total_is_estimate: false });
  });

  test('aggregates under filters on both aggregated fields match counting the documents one by one', async () => {
    const filters = 'filter_organisations=alpha&filter_content_store_document_type=news_story';
    const { aggregates } = await run(`q=badger&count=0&${filters}&aggregate_organisations=5&aggregate_content_store_document_type=5`);
    const all = (await run('q=badger&count=100&fields=organisations,content_store_document_type')).results as { organisations: { slug: string }[]; content_store_document_type: string }[];
    const tally = (values: string[]) => Object.entries(values.reduce<Record<string, number>>((n, v) => ({ ...n, [v]: (n[v] ?? 0) + 1 }), {}));
    const byOrg = tally(all.filter((d) => d.content_store_document_type === 'news_story').flatMap((d) => d.organisations.map((o) => o.slug)));
    const byType = tally(all.filter((d) => d.organisations.some((o) => o.slug === 'alpha')).map((d) => d.content_store_document_type));
    const sorted = (e: [string, number][]) => e.sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    assert.deepEqual(aggregates.organisations!.options.map((o) => [o.value.slug, o.documents]), sorted(byOrg));
    assert.deepEqual(aggregates.organisations!.options.map((o) => o.value.title), sorted(byOrg).map(([slug]) => `The ${slug} office`));
    assert.deepEqual(aggregates.content_store_document_type!.options.map((o) => [o.value.slug, o.documents]), sorted(byType));
  });

  test('relevance order over many heading and body matches is the order of ranking every match, on every page', async () => {
    for (const q of ['badger', 'badger sett', 'badger -sett', 'badger or sett', 'woodland', 'sett', '"badger sett"']) {
      const expected = await everyMatchRanked(q);
      assert.ok(expected.length > 10, q);
      for (const count of [1, 7, 25]) {
        const pages: string[] = [];
        for (let start = 0; start < expected.length; start += count) pages.push(...(await links(`q=${encodeURIComponent(q)}&count=${count}&start=${start}`)));
        assert.deepEqual(pages, expected, `${q}, pages of ${count}`);
      }
    }
  });

  test('a title match ranks above a description match, which ranks above body matches, newest first then undated', async () => {
    const order = await links('q=badger&count=60');
    const kind = (path: string) => Number(path.slice(-2)) % 5;
    const ranks = order.map((p) => ({ 0: 'title', 3: 'title', 1: 'description', 2: 'body', 4: 'body' })[kind(p)]);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => ['title', 'description', 'body'].indexOf(a!) - ['title', 'description', 'body'].indexOf(b!)));
    const body = order.filter((p) => kind(p) === 2 || kind(p) === 4);
    assert.equal(body.length, 24);
    const { rows } = await t.db.query<{ base_path: string }>(`SELECT base_path FROM search.documents WHERE base_path = ANY($1) ORDER BY public_timestamp DESC NULLS LAST, base_path`, [body]);
    assert.deepEqual(body, rows.map((r) => r.base_path));
  });
});
