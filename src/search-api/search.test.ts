import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDb } from '../platform/db/testing.ts';
import { applyEvent, eventBody, openSearchDb, org } from './fixtures.ts';
import { parseSearchParams } from './params.ts';
import { search, type SearchResponse } from './search.ts';

let t: TestDb;
const run = (qs: string): Promise<SearchResponse> => search(t.db, parseSearchParams(new URLSearchParams(qs)));
const links = async (qs: string) => (await run(`${qs}&fields=link`)).results.map((r) => r.link);

const DRA = org('department-for-rural-affairs', 'Department for Rural Affairs');
const FA = org('fisheries-agency', 'Fisheries Agency');
const MOT = org('ministry-of-transport', 'Ministry of Transport');

before(async () => {
  t = await openSearchDb();
  const docs = [
    eventBody('/keeping-bees', { title: 'Keeping bees', description: 'Register your hives', details: { body: 'Hives need checking for disease.' }, links: { organisations: [DRA] }, public_updated_at: '2024-03-10T12:00:00Z' }),
    eventBody('/honey-labelling', { title: 'Labelling honey', description: 'Rules for jars', details: { body: 'Honey from bees you keep must carry a label naming the beekeeper.' }, links: { organisations: [DRA, FA] }, public_updated_at: '2024-03-31T23:30:00Z' }),
    eventBody('/fishing-licence', { title: 'Get a fishing licence', description: 'Rod licences', details: { body: 'You need a licence to fish.' }, links: { organisations: [FA] }, public_updated_at: '2023-12-31T23:59:59Z' }),
    eventBody('/bus-passes', {
      title: 'Bus passes', description: 'Free travel', document_type: 'guide', details: { body: 'Older people travel free.' }, public_updated_at: '2024-04-01T00:00:00Z',
      links: { organisations: [MOT], taxons: [{ content_id: 'buses', links: { parent_taxons: [{ content_id: 'transport' }] } }] },
    }),
    eventBody('/rural-news', { title: 'New rural grants', description: 'Money for halls', document_type: 'news_story', details: { body: 'Village halls can apply.' }, links: { organisations: [DRA] }, public_updated_at: null, first_published_at: null }),
    eventBody('/cadw-gwenyn', { title: 'Cadw gwenyn', description: 'Cofrestru cychod', locale: 'cy', details: { body: 'Gwenyn mêl.' } }),
  ];
  for (const d of docs) await applyEvent(t, d);
});
after(() => t.close());

describe('searching', () => {
  test('a title match beats a body match', async () => {
    // "bees" is in one title and in another's body; "keeping" likewise.
    assert.deepEqual(await links('q=bees'), ['/keeping-bees', '/honey-labelling']);
    assert.deepEqual(await links('q=honey'), ['/honey-labelling']);
    assert.deepEqual(await links('q=beekeeper OR hives'), ['/keeping-bees', '/honey-labelling']);
  });

  test('a description match beats a body match, undated or not; body matches come newest first', async () => {
    // "money" is only in the undated news story's description, "need" only in two bodies.
    assert.deepEqual(await links('q=money OR need'), ['/rural-news', '/keeping-bees', '/fishing-licence']);
    assert.equal((await run('q=money OR need')).total, 3);
  });

  test('English words match by stem, web-search syntax works, other locales match word for word', async () => {
    assert.deepEqual(await links('q=licences'), ['/fishing-licence']);
    assert.deepEqual(await links('q="fishing licence"'), ['/fishing-licence']);
    assert.deepEqual(await links('q=bees -honey'), ['/keeping-bees']);
    assert.deepEqual(await links('q=gwenyn'), ['/cadw-gwenyn']);
    assert.deepEqual(await links('q=the'), [], 'only stop words');
  });

  test('results carry the requested fields, in the reference\'s shapes', async () => {
    const { results, total, start, aggregates, suggested_queries } = await run('q=labelling');
    assert.deepEqual({ total, start, aggregates, suggested_queries }, { total: 1, start: 0, aggregates: {}, suggested_queries: [] });
    assert.deepEqual(results, [{
      title: 'Labelling honey',
      link: '/honey-labelling',
      description: 'Rules for jars',
      public_timestamp: '2024-03-31T23:30:00.000Z',
      content_store_document_type: 'answer',
      organisations: [
        { slug: 'department-for-rural-affairs', title: 'Department for Rural Affairs', link: '/government/organisations/department-for-rural-affairs', content_id: DRA.content_id, acronym: 'DRA' },
        { slug: 'fisheries-agency', title: 'Fisheries Agency', link: '/government/organisations/fisheries-agency', content_id: FA.content_id, acronym: 'FA' },
      ],
    }]);
    assert.deepEqual((await run('q=labelling&fields=indexable_content,locale,is_withdrawn')).results, [
      { indexable_content: 'Honey from bees you keep must carry a label naming the beekeeper.', locale: 'en', is_withdrawn: false },
    ]);
  });

  test('filters: OR within a field, AND across fields; rejects exclude', async () => {
    assert.deepEqual(await links('filter_organisations=fisheries-agency&filter_organisations=ministry-of-transport&order=title'), ['/bus-passes', '/fishing-licence', '/honey-labelling']);
    assert.deepEqual(await links('filter_organisations=fisheries-agency&filter_organisations=department-for-rural-affairs&filter_content_store_document_type=news_story'), ['/rural-news']);
    assert.deepEqual(await links('reject_organisations=department-for-rural-affairs&reject_locale=cy&order=title'), ['/bus-passes', '/fishing-licence']);
    assert.deepEqual(await links('q=bees&filter_organisations=fisheries-agency'), ['/honey-labelling']);
    assert.deepEqual(await links('filter_link=/bus-passes'), ['/bus-passes']);
    assert.deepEqual(await links('filter_part_of_taxonomy_tree=transport'), ['/bus-passes'], 'tagged beneath the taxon');
  });

  test('date ranges are whole UTC days, both ends included; a document without a date matches no range and no reject', async () => {
    assert.deepEqual(await links('filter_public_timestamp=from:2024-03-10,to:2024-03-31'), ['/honey-labelling', '/keeping-bees']);
    assert.deepEqual(await links('filter_public_timestamp=to:2023-12-31'), ['/fishing-licence']);
    assert.deepEqual(await links('filter_public_timestamp=from:2024-04-01'), ['/bus-passes']);
    assert.deepEqual(await links('reject_public_timestamp=from:2024-01-01&order=title'), ['/fishing-licence', '/rural-news']);
  });

  test('ordering: newest first by default, by any sortable field, undated last', async () => {
    assert.deepEqual(await links(''), ['/bus-passes', '/honey-labelling', '/keeping-bees', '/cadw-gwenyn', '/fishing-licence', '/rural-news']);
    assert.deepEqual(await links('order=public_timestamp'), ['/fishing-licence', '/cadw-gwenyn', '/keeping-bees', '/honey-labelling', '/bus-passes', '/rural-news']);
    assert.deepEqual(await links('order=-title&count=2'), ['/rural-news', '/honey-labelling']);
  });

  test('pagination: count and start page through a stable order; total counts them all', async () => {
    const pages = await Promise.all([0, 2, 4, 6].map((s) => run(`count=2&start=${s}&fields=link`)));
    assert.deepEqual(pages.map((p) => p.results.map((r) => r.link)), [['/bus-passes', '/honey-labelling'], ['/keeping-bees', '/cadw-gwenyn'], ['/fishing-licence', '/rural-news'], []]);
    assert.deepEqual(pages.map((p) => [p.total, p.start]), [[6, 0], [6, 2], [6, 4], [6, 6]]);
    assert.deepEqual((await run('count=0')).results, []);
  });

  test('aggregates count each option under the other filters, with the limit reported', async () => {
    const { aggregates, total } = await run('filter_organisations=fisheries-agency&filter_content_store_document_type=answer&aggregate_organisations=2&aggregate_content_store_document_type=10');
    assert.equal(total, 2);
    // Organisations: counted under the document type filter but not their own.
    assert.deepEqual(aggregates.organisations, {
      options: [
        { value: { slug: 'department-for-rural-affairs', title: 'Department for Rural Affairs' }, documents: 2 },
        { value: { slug: 'fisheries-agency', title: 'Fisheries Agency' }, documents: 2 },
      ],
      total_options: 2,
      missing_options: 0,
    });
    // Document types: counted under the organisation filter but not their own.
    assert.deepEqual(aggregates.content_store_document_type, { options: [{ value: { slug: 'answer' }, documents: 2 }], total_options: 1, missing_options: 0 });
    const several = await run('q=bees&filter_organisations=fisheries-agency&aggregate_organisations=5&aggregate_content_store_document_type=5&aggregate_locale=5');
    assert.equal(several.total, 1);
    assert.deepEqual(several.aggregates.organisations!.options.map((o) => [o.value.slug, o.documents]), [['department-for-rural-affairs', 2], ['fisheries-agency', 1]]);
    assert.deepEqual(several.aggregates.content_store_document_type!.options, [{ value: { slug: 'answer' }, documents: 1 }]);
    assert.deepEqual(several.aggregates.locale!.options, [{ value: { slug: 'en' }, documents: 1 }]);
    const all = await run('aggregate_organisations=1&q=bees');
    assert.deepEqual(all.aggregates.organisations, {
      options: [{ value: { slug: 'department-for-rural-affairs', title: 'Department for Rural Affairs' }, documents: 2 }],
      total_options: 2,
      missing_options: 1,
    });
  });
});
