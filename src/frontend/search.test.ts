import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchUrl, type SearchQuery, type SearchResponse } from './search-api-client.ts';
import { parseSearchParams } from './search.ts';
import { count, testFrontend } from './testing.ts';

const RESPONSE: SearchResponse = {
  total: 45,
  totalIsEstimate: false,
  start: 20,
  results: [
    {
      title: 'Keeping bees',
      link: '/keeping-bees',
      description: 'Register your hives.',
      public_timestamp: '2024-02-12T09:30:00Z',
      content_store_document_type: 'guide',
      organisations: [{ slug: 'dra', title: 'Department for Rural Affairs' }],
    },
  ],
  aggregates: {
    organisations: [{ slug: 'dra', title: 'Department for Rural Affairs', documents: 30 }],
    content_store_document_type: [{ slug: 'guide', title: undefined, documents: 12 }],
  },
};

test('the search page asks the search API for the query, filters, page and facets, and shows what it answers', async () => {
  const fe = testFrontend({ search: RESPONSE });
  const res = await fe.get('/search?q=bees&organisations=dra&page=2');
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'public, max-age=300');
  const sent: SearchQuery = fe.searches[0]!;
  assert.deepEqual(sent, {
    q: 'bees',
    count: 20,
    start: 20,
    filters: { organisations: ['dra'], content_store_document_type: [] },
    aggregates: { organisations: 10, content_store_document_type: 10 },
  });
  const html = res.body;
  assert.equal(count(html, /<h1[\s>]/), 1);
  assert.match(html, /<div role="search"[\s\S]*<input class="govuk-input" id="search-q" name="q" type="search" spellcheck="false" value="bees">/);
  assert.match(html, /<p class="govuk-body" role="status">45 results<\/p>/);
  assert.match(html, /<a class="govuk-link" href="\/keeping-bees">Keeping bees<\/a>/);
  assert.match(html, /Guide from Department for Rural Affairs, updated <time datetime="2024-02-12T09:30:00.000Z">12 February 2024<\/time>/);
  assert.match(html, /<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">\s*Organisation/);
  assert.match(html, /name="organisations" type="checkbox" value="dra" checked>/);
  assert.match(html, /Department for Rural Affairs \(30\)/);
  assert.match(html, /name="document_type" type="checkbox" value="guide">/);
  assert.match(html, /Guide \(12\)/);
  assert.match(html, /<nav class="govuk-pagination" aria-label="Search results pages">/);
  assert.match(html, /href="\/search\?q=bees&amp;organisations=dra" rel="prev"/);
  assert.match(html, /href="\/search\?q=bees&amp;organisations=dra&amp;page=3" rel="next"/);
  assert.match(html, /aria-current="page"[^>]*>\s*2|govuk-pagination__item--current[\s\S]*?2/);
});

test('a total the search API stopped counting at is shown as "more than"', async () => {
  const fe = testFrontend({ search: { ...RESPONSE, total: 10000, totalIsEstimate: true } });
  const res = await fe.get('/search?q=tax');
  assert.match(res.body, /<p class="govuk-body" role="status">More than 10000 results<\/p>/);
});

test('search down: 503, the search box still there, never cached', async () => {
  const fe = testFrontend({});
  const res = await fe.get('/search?q=bees');
  assert.equal(res.status, 503);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.body, /Search is unavailable/);
  assert.match(res.body, /value="bees"/);
});

test('odd search parameters are bounded, not errors', () => {
  const p = parseSearchParams(new URLSearchParams('q=%20x%20&page=-3&organisations=a&organisations=a&organisations=&document_type=guide'));
  assert.deepEqual(p, { q: 'x', page: 1, filters: { organisations: ['a'], document_type: ['guide'] } });
  assert.equal(parseSearchParams(new URLSearchParams('page=99999')).page, 500);
  assert.equal(parseSearchParams(new URLSearchParams('page=2.5')).page, 1);
});

test('the search API URL carries the documented parameters', () => {
  const url = new URL(searchUrl('http://search:8095/', {
    q: 'bees', count: 20, start: 40, filters: { organisations: ['a', 'b'] }, aggregates: { organisations: 10 }, order: '-public_timestamp',
  }));
  assert.equal(url.pathname, '/search.json');
  assert.deepEqual([...url.searchParams], [
    ['q', 'bees'], ['count', '20'], ['start', '40'], ['order', '-public_timestamp'],
    ['filter_organisations', 'a'], ['filter_organisations', 'b'], ['aggregate_organisations', '10'],
  ]);
});
