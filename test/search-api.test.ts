// The search index follows publishing: a document published through the
// Publishing API becomes searchable through the live router, an unpublished
// one leaves the results, and a reindex rebuilds the index from the live
// content store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { searchReindexCommand } from '../src/cli/search.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createSearchApi, type SearchApiService } from '../src/search-api/index.ts';
import { SEARCH_BACKEND_ID, SEARCH_ROUTES } from '../src/search-api/routes.ts';
import { eventually } from './support/ports.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';

let s: PublishingStack;
let search: SearchApiService;

before(async () => {
  s = await openPublishingStack();
  search = createSearchApi({ db: s.t.db, bus: s.bus, log: silentLogger(), publicOrigin: 'https://www.example.org', consume: { retryDelayMs: 50 } });
  const port = await search.start(0, '127.0.0.1');
  await s.t.db.transaction((tx) => upsertRoutes(tx, 'live', [{ backend_id: SEARCH_BACKEND_ID, backend_url: `http://127.0.0.1:${port}/` }], [...SEARCH_ROUTES]));
  // The routers reload on the routes' NOTIFY.
  await eventually(async () => ((await s.visit('live', '/search.json')).status === 200 ? true : undefined), 5000, 'the live router to route /search.json');
});
after(async () => {
  await search.stop();
  await s.close();
});

const ID = '5ea7c400-0000-4000-8000-000000000001';
const ORG = '5ea7c400-0000-4000-8000-000000000002';

/** A search through the live router, as the frontend or a browser would make it. */
async function find(query: string): Promise<{ results: Record<string, any>[]; total: number; aggregates: Record<string, any> }> {
  const res = await s.visit('live', `/search.json?${query}`);
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body);
}
const links = async (query: string) => (await find(query)).results.map((r) => r.link as string);

test('a published document becomes searchable, with its organisation, through the live router', async () => {
  assert.equal((await s.call('PUT', `/v2/content/${ORG}`, {
    base_path: '/government/organisations/river-authority', title: 'River Authority', schema_name: 'organisation', document_type: 'organisation',
    publishing_app: 'publisher', rendering_app: 'frontend', update_type: 'major', routes: [{ path: '/government/organisations/river-authority', type: 'exact' }],
    details: { body: 'Rivers.', acronym: 'RA', organisation_type: 'executive_agency', organisation_govuk_status: { status: 'live' } },
  })).status, 200);
  assert.equal((await s.call('POST', `/v2/content/${ORG}/publish`, {})).status, 200);

  assert.equal((await s.call('PUT', `/v2/content/${ID}`, answer('/salmon-permits', {
    title: 'Salmon permits', description: 'Fishing for salmon', details: { body: '## Who needs one\n\nAnyone landing **salmon** from a river.' },
  }))).status, 200);
  assert.equal((await s.call('PATCH', `/v2/links/${ID}`, { links: { organisations: [ORG] } })).status, 200);
  assert.deepEqual(await links('q=salmon'), [], 'a draft is not searchable');

  assert.equal((await s.call('POST', `/v2/content/${ID}/publish`, {})).status, 200);
  const found = await eventually(async () => {
    const r = await find('q=salmon&aggregate_organisations=5');
    return r.total === 1 ? r : undefined;
  }, 10_000, 'the published document in the results');
  assert.equal(found.results[0]!.link, '/salmon-permits');
  assert.equal(found.results[0]!.title, 'Salmon permits');
  assert.deepEqual(found.results[0]!.organisations.map((o: { slug: string; acronym: string }) => [o.slug, o.acronym]), [['river-authority', 'RA']]);
  assert.deepEqual(found.aggregates.organisations.options, [{ value: { slug: 'river-authority', title: 'River Authority' }, documents: 1 }]);
  assert.deepEqual(await links('q=landing'), ['/salmon-permits'], 'body text is searchable');
});

test('a sitemap lists it at the public origin', async () => {
  const res = await s.visit('live', '/sitemap.xml');
  assert.equal(res.status, 200);
  assert.match(res.body, /<loc>https:\/\/www\.example\.org\/salmon-permits<\/loc>/);
});

test('a change of title is reflected; an unpublish removes it from the results', async () => {
  assert.equal((await s.call('PUT', `/v2/content/${ID}`, answer('/salmon-permits', { title: 'Salmon and trout permits', update_type: 'minor' }))).status, 200);
  assert.equal((await s.call('POST', `/v2/content/${ID}/publish`, { update_type: 'minor' })).status, 200);
  await eventually(async () => ((await links('q=trout')).includes('/salmon-permits') ? true : undefined), 10_000, 'the new title');

  assert.equal((await s.call('POST', `/v2/content/${ID}/unpublish`, { type: 'gone' })).status, 200);
  await eventually(async () => ((await find('q=salmon')).total === 0 ? true : undefined), 10_000, 'the document to leave the results');
});

test('a reindex rebuilds a lost index from the live content store', async () => {
  await eventually(async () => ((await links('q=river')).includes('/government/organisations/river-authority') ? true : undefined), 10_000, 'the organisation');
  await s.t.db.exec('DELETE FROM search.documents; DELETE FROM search.deletions;');
  await s.t.db.exec(`INSERT INTO search.documents (base_path, content_id, locale, title, description, indexable_content, document_type, organisations,
    organisation_slugs, part_of_taxonomy_tree, is_withdrawn, payload_version, text_config)
    VALUES ('/not-live', 'x', 'en', 'Orphan', '', '', 'answer', '[]', '{}', '{}', false, 1, 'english')`);
  const out: string[] = [];
  const err: string[] = [];
  assert.equal(await searchReindexCommand(s.t.db, (l) => out.push(l), (l) => err.push(l)), 0, err.join('\n'));
  assert.match(out.join('\n'), /1 indexed, 1 not searchable .*, 1 removed as no longer live/);
  assert.deepEqual(await links(''), ['/government/organisations/river-authority']);
});
