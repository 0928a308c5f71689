import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentItem, count, link, testFrontend } from './testing.ts';
import type { SearchResponse } from './search-api-client.ts';

const ORG = link('Department for Rural Affairs', '/government/organisations/department-for-rural-affairs');
const TAXON = link('Beekeeping', '/farming/beekeeping', {
  links: { parent_taxons: [link('Farming', '/farming', { links: { parent_taxons: [] } })] },
});

/** The landmarks and labels every page must have, whatever its schema or status. */
function assertAccessibleShell(html: string): void {
  assert.match(html, /<html lang="[a-z-]+"/);
  assert.equal(count(html, /<h1[\s>]/), 1, 'exactly one h1');
  assert.equal(count(html, /<main[\s>]/), 1, 'one main landmark');
  assert.match(html, /<main[^>]*id="main-content"/);
  assert.match(html, /<a href="#main-content" class="govuk-skip-link"/);
  assert.match(html, /<header class="govuk-template__header"/);
  assert.match(html, /<footer class="govuk-template__footer"/);
  // Portico is not a Crown site: its own footer, with no crown, licence logo or Crown copyright link.
  const footer = html.slice(html.indexOf('<footer'));
  assert.match(footer, /© Portico/);
  assert.doesNotMatch(footer, /crown|govuk-footer__licence-logo|nationalarchives/i);
  for (const nav of html.match(/<nav[^>]*>/g) ?? []) assert.match(nav, /aria-label(ledby)?="[^"]+"/, `unlabelled ${nav}`);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids}`);
}

test('answer: title, body, breadcrumbs from its taxon chain, related links, last updated and the phase banner', async () => {
  const fe = testFrontend({
    items: {
      '/fishing': contentItem({
        base_path: '/fishing',
        schema_name: 'answer',
        title: 'Get a fishing licence',
        description: 'Who needs one',
        phase: 'beta',
        public_updated_at: '2024-03-31T23:30:00Z',
        details: { body: '## Who needs one\n\nAnyone over 13.', external_related_links: [{ title: 'Rod rules', url: 'https://example.org/rods' }] },
        links: { taxons: [TAXON], ordered_related_items: [link('Fishing seasons', '/fishing-seasons')] },
      }),
    },
  });
  const res = await fe.get('/fishing');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assertAccessibleShell(res.body);
  assert.match(res.body, /<title>Get a fishing licence - Portico<\/title>/);
  assert.match(res.body, /<h1 class="govuk-heading-xl" id="page-title">Get a fishing licence<\/h1>/);
  assert.match(res.body, /<p class="govuk-body-l">Who needs one<\/p>/);
  assert.match(res.body, /<h2 id="who-needs-one" class="govuk-heading-l">Who needs one<\/h2>/);
  const crumbs = [...res.body.matchAll(/class="govuk-breadcrumbs__link" href="([^"]+)">([^<]+)</g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(crumbs, [['/', 'Home'], ['/farming', 'Farming'], ['/farming/beekeeping', 'Beekeeping']]);
  assert.match(res.body, /<nav class="app-related" aria-labelledby="related-links">/);
  assert.match(res.body, /href="\/fishing-seasons">Fishing seasons</);
  assert.match(res.body, /href="https:\/\/example.org\/rods" rel="external">Rod rules</);
  // 23:30 UTC on 31 March is 1 April in London.
  assert.match(res.body, /Last updated <time datetime="2024-03-31T23:30:00.000Z">1 April 2024<\/time>/);
  assert.match(res.body, /govuk-phase-banner[\s\S]*beta/);
  assert.doesNotMatch(res.body, /This is a preview/);
});

test('guide: the first part at the base path, others at their slug, with the parts listed and previous/next', async () => {
  const guide = contentItem({
    base_path: '/keeping-bees',
    schema_name: 'guide',
    title: 'Keeping bees',
    details: {
      parts: [
        { title: 'Overview', slug: 'overview', body: 'Register your hives.' },
        { title: 'Register your hives', slug: 'register-your-hives', body: 'It is free.' },
        { title: 'Inspections', slug: 'inspections', body: '## Before the visit\n\nAgree a time.' },
      ],
    },
  });
  const fe = testFrontend({ items: { '/keeping-bees': guide, '/keeping-bees/register-your-hives': guide, '/keeping-bees/nope': guide } });

  const first = await fe.get('/keeping-bees');
  assertAccessibleShell(first.body);
  assert.match(first.body, /<h2 class="govuk-heading-l">Overview<\/h2>/);
  assert.match(first.body, /<nav class="app-guide-parts" aria-label="Pages in this guide">/);
  assert.match(first.body, /<span aria-current="page">Overview<\/span>/);
  assert.match(first.body, /href="\/keeping-bees\/register-your-hives" rel="next"/);
  assert.doesNotMatch(first.body, /rel="prev"/);

  const middle = await fe.get('/keeping-bees/register-your-hives');
  assert.equal(middle.status, 200);
  assertAccessibleShell(middle.body);
  assert.match(middle.body, /<title>Register your hives - Keeping bees - Portico<\/title>/);
  assert.match(middle.body, /<h1[^>]*>Keeping bees<\/h1>/);
  assert.match(middle.body, /<h2 class="govuk-heading-l">Register your hives<\/h2>/);
  assert.match(middle.body, /<a class="govuk-link" href="\/keeping-bees">Overview<\/a>/);
  assert.match(middle.body, /href="\/keeping-bees" rel="prev"[\s\S]*Overview/);
  assert.match(middle.body, /href="\/keeping-bees\/inspections" rel="next"[\s\S]*Inspections/);

  assert.equal((await fe.get('/keeping-bees/nope')).status, 404);
});

test('detailed guide: a contents list from its h2 headings, and the change history', async () => {
  const fe = testFrontend({
    items: {
      '/guidance/moving-livestock': contentItem({
        base_path: '/guidance/moving-livestock',
        schema_name: 'detailed_guide',
        title: 'Moving livestock',
        first_published_at: '2023-06-05T10:00:00Z',
        details: {
          body: '## Record every move\n\nWithin 48 hours.\n\n### Exceptions\n\nSome.\n\n## Standstill periods\n\n6 days.',
          change_history: [
            { public_timestamp: '2023-06-05T10:00:00Z', note: 'First published.' },
            { public_timestamp: '2024-01-15T14:00:00Z', note: 'Clarified exemptions.' },
          ],
        },
      }),
    },
  });
  const { body } = await fe.get('/guidance/moving-livestock');
  assertAccessibleShell(body);
  const contents = [...body.matchAll(/<li><a class="govuk-link" href="(#[^"]+)">([^<]+)<\/a><\/li>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(contents, [['#record-every-move', 'Record every move'], ['#standstill-periods', 'Standstill periods']]);
  assert.match(body, /<h2 id="record-every-move"/);
  assert.match(body, /Published <time datetime="2023-06-05T10:00:00.000Z">5 June 2023<\/time>/);
  assert.match(body, /Last updated <time datetime="2024-01-15T14:00:00.000Z">15 January 2024<\/time>/);
  assert.match(body, /See all updates[\s\S]*15 January 2024<\/time>: Clarified exemptions\.[\s\S]*5 June 2023<\/time>: First published\./);
});

test('news article: its type, lead, organisations, image with caption, body and dates', async () => {
  const fe = testFrontend({
    items: {
      '/government/news/grants': contentItem({
        base_path: '/government/news/grants',
        schema_name: 'news_article',
        document_type: 'press_release',
        title: 'New grants',
        description: 'Up to £20,000 for village halls.',
        first_published_at: '2024-04-03T09:30:00+01:00',
        public_updated_at: '2024-04-03T09:30:00+01:00',
        details: {
          body: [{ content_type: 'text/markdown', content: 'Halls can **apply**.' }],
          image: { url: '/media/hall.jpg', alt_text: 'A village hall', caption: 'A repaired roof' },
        },
        links: { organisations: [ORG] },
      }),
    },
  });
  const { body } = await fe.get('/government/news/grants');
  assertAccessibleShell(body);
  assert.match(body, /<span class="govuk-caption-xl">Press release<\/span>/);
  assert.match(body, /<p class="govuk-body-l">Up to £20,000 for village halls.<\/p>/);
  assert.match(body, /From:\s*<a class="govuk-link" href="\/government\/organisations\/department-for-rural-affairs">Department for Rural Affairs<\/a>/);
  assert.match(body, /<img src="\/media\/hall.jpg" alt="A village hall">/);
  assert.match(body, /<figcaption class="govuk-body-s">A repaired roof<\/figcaption>/);
  assert.match(body, /Halls can <strong>apply<\/strong>\./);
  assert.match(body, /Published <time datetime="2024-04-03T08:30:00.000Z">3 April 2024<\/time>/);
  assert.doesNotMatch(body, /Last updated/, 'updated the moment it was published: one date');
});

const LATEST: SearchResponse = {
  total: 1,
  totalIsEstimate: false,
  start: 0,
  aggregates: {},
  results: [{ title: 'New grants', link: '/government/news/grants', description: undefined, public_timestamp: '2024-04-03T08:30:00Z', content_store_document_type: 'press_release', organisations: [] }],
};

test('organisation: logo, what it does, its people and its latest documents from search', async () => {
  const org = contentItem({
    base_path: '/government/organisations/department-for-rural-affairs',
    schema_name: 'organisation',
    title: 'Department for Rural Affairs',
    details: { acronym: 'DRA', logo: { formatted_title: 'Department\nfor Rural\nAffairs', crest: 'single-identity' }, body: 'We look after farming.' },
    links: { people: [link('Alex Morgan', '/government/people/alex-morgan')] },
  });
  const fe = testFrontend({ items: { [org.base_path]: org }, search: LATEST });
  const { status, body } = await fe.get(org.base_path);
  assert.equal(status, 200);
  assertAccessibleShell(body);
  assert.match(body, /app-organisation-logo--single-identity" aria-hidden="true">\s*<span class="app-organisation-logo__line">Department<\/span><span class="app-organisation-logo__line">for Rural<\/span>/);
  assert.match(body, /Also known as DRA/);
  assert.match(body, /We look after farming\./);
  assert.match(body, /Our people[\s\S]*href="\/government\/people\/alex-morgan">Alex Morgan</);
  assert.match(body, /Latest from Department for Rural Affairs[\s\S]*href="\/government\/news\/grants">New grants<\/a>[\s\S]*3 April 2024/);
  assert.deepEqual(fe.searches[0]!.filters, { organisations: ['department-for-rural-affairs'] });
  assert.equal(fe.searches[0]!.order, '-public_timestamp');
});

test('organisation: with search down the page still renders, without the latest documents', async () => {
  const org = contentItem({ base_path: '/government/organisations/x', schema_name: 'organisation', title: 'X' });
  const fe = testFrontend({ items: { [org.base_path]: org } });
  const res = await fe.get(org.base_path);
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.body, /Latest from/);
});

test('taxon: breadcrumbs from its parents, its children and the content tagged to it', async () => {
  const taxon = contentItem({
    base_path: '/farming/beekeeping',
    content_id: 'taxon-1',
    schema_name: 'taxon',
    title: 'Beekeeping',
    links: {
      parent_taxons: [link('Farming', '/farming')],
      child_taxons: [link('Hive health', '/farming/beekeeping/hive-health', { description: 'Pests and disease' })],
    },
  });
  const fe = testFrontend({ items: { [taxon.base_path]: taxon }, search: LATEST });
  const { body } = await fe.get(taxon.base_path);
  assertAccessibleShell(body);
  assert.match(body, /class="govuk-breadcrumbs__link" href="\/farming">Farming</);
  assert.match(body, /Subtopics[\s\S]*href="\/farming\/beekeeping\/hive-health">Hive health<\/a>[\s\S]*Pests and disease/);
  assert.match(body, /Pages about beekeeping[\s\S]*href="\/government\/news\/grants">New grants</);
  assert.deepEqual(fe.searches[0]!.filters, { part_of_taxonomy_tree: ['taxon-1'] });
});

test('person: picture, biography and organisations; breadcrumbs follow a parent chain first', async () => {
  const fe = testFrontend({
    items: {
      '/government/people/alex-morgan': contentItem({
        base_path: '/government/people/alex-morgan',
        schema_name: 'person',
        title: 'Alex Morgan',
        details: { full_name: 'Alex Morgan CB', image: { url: '/media/alex.jpg', alt_text: 'Alex Morgan' }, body: 'Joined in 2001.' },
        links: { organisations: [ORG], parent: [link('People', '/government/people', { links: { parent: [link('Government', '/government')] } })], taxons: [TAXON] },
      }),
    },
  });
  const { body } = await fe.get('/government/people/alex-morgan');
  assertAccessibleShell(body);
  assert.match(body, /<img class="app-person-image" src="\/media\/alex.jpg" alt="Alex Morgan">/);
  assert.match(body, /Full name: Alex Morgan CB/);
  assert.match(body, /Joined in 2001\./);
  assert.match(body, /Organisations[\s\S]*Department for Rural Affairs/);
  const crumbs = [...body.matchAll(/class="govuk-breadcrumbs__link" href="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(crumbs, ['/', '/government', '/government/people']);
});

test('homepage: a search form and the body, no breadcrumbs; special_route and unknown schemas get the generic page', async () => {
  const fe = testFrontend({
    items: {
      '/': contentItem({ base_path: '/', schema_name: 'homepage', title: 'Portico', details: { body: '## Popular\n\n- [Bees](/keeping-bees)' } }),
      '/help': contentItem({ base_path: '/help', schema_name: 'special_route', title: 'Help', description: 'How to use the site' }),
      '/calendar': contentItem({ base_path: '/calendar', schema_name: 'calendar', document_type: 'calendar', title: 'Bank holidays', details: { body: 'Days off.' } }),
    },
  });
  const home = await fe.get('/');
  assertAccessibleShell(home.body);
  assert.match(home.body, /<form action="\/search" method="get">[\s\S]*<div role="search"[\s\S]*<label class="govuk-label govuk-label--m" for="homepage-search">\s*Search Portico/);
  assert.match(home.body, /href="\/keeping-bees" class="govuk-link">Bees</);
  assert.doesNotMatch(home.body, /govuk-breadcrumbs/);

  const help = await fe.get('/help');
  assertAccessibleShell(help.body);
  assert.match(help.body, /<h1[^>]*>Help<\/h1>/);
  assert.match(help.body, /How to use the site/);

  const other = await fe.get('/calendar');
  assert.match(other.body, /<span class="govuk-caption-xl">Calendar<\/span>/);
  assert.match(other.body, /Days off\./);
});

test('a withdrawn item shows the withdrawal notice with its explanation and date', async () => {
  const fe = testFrontend({
    items: {
      '/old': contentItem({ base_path: '/old', schema_name: 'answer', details: { body: 'x' }, withdrawn_notice: { explanation: 'Replaced by [the new one](/new).', withdrawn_at: '2024-05-01T10:00:00Z' } }),
    },
  });
  const { body } = await fe.get('/old');
  assert.match(body, /This page was withdrawn on <time datetime="2024-05-01T10:00:00.000Z">1 May 2024<\/time>/);
  assert.match(body, /Replaced by <a href="\/new" class="govuk-link">the new one<\/a>/);
});

test('markdown in a body is rendered safely inside the page', async () => {
  const fe = testFrontend({
    items: { '/x': contentItem({ base_path: '/x', schema_name: 'answer', details: { body: '<script>alert(1)</script> [x](javascript:alert(2)) <b onclick="y()">b</b>' } }) },
  });
  const { body } = await fe.get('/x');
  // The only scripts are the design system's own: the js-enabled line and the module.
  assert.equal(count(body, /<script/), 2);
  assert.doesNotMatch(body, /alert\(1\)<\/script>|href="javascript:|<b onclick/);
  assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('a title or description with markup is escaped by the templates', async () => {
  const fe = testFrontend({ items: { '/x': contentItem({ base_path: '/x', schema_name: 'answer', title: '<img src=x onerror=alert(1)>', description: '"><script>' }) } });
  const { body } = await fe.get('/x');
  assert.doesNotMatch(body, /<img src=x|"><script>/);
  assert.match(body, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test('gone: 410 with the explanation and the alternative path, whether the store answers 200 or 410', async () => {
  const gone = contentItem({ base_path: '/old-scheme', schema_name: 'gone', title: null, details: { explanation: 'Closed in **2020**.', alternative_path: '/new-scheme' } });
  const fe = testFrontend({ items: { '/old-scheme': gone, '/plain-gone': { kind: 'gone', item: undefined, maxAge: 300 } } });
  const res = await fe.get('/old-scheme');
  assert.equal(res.status, 410);
  assertAccessibleShell(res.body);
  assert.match(res.body, /no longer here/);
  assert.match(res.body, /Closed in <strong>2020<\/strong>\./);
  assert.match(res.body, /Visit: <a class="govuk-link" href="\/new-scheme">\/new-scheme<\/a>/);
  const plain = await fe.get('/plain-gone');
  assert.equal(plain.status, 410);
  assert.match(plain.body, /This page has been removed\./);
});

test('404 and 503 pages share the layout; a redirect item answers its redirect', async () => {
  const fe = testFrontend({
    items: {
      '/down': { kind: 'unavailable', reason: 'connection refused' },
      '/old': contentItem({ base_path: '/old', schema_name: 'redirect', redirects: [{ path: '/old', type: 'exact', destination: '/new' }] }),
    },
  });
  const missing = await fe.get('/nowhere');
  assert.equal(missing.status, 404);
  assertAccessibleShell(missing.body);
  assert.match(missing.body, /<title>Page not found - Portico<\/title>/);
  assert.equal(missing.headers['cache-control'], 'public, max-age=300');

  const down = await fe.get('/down');
  assert.equal(down.status, 503);
  assertAccessibleShell(down.body);
  assert.match(down.body, /Sorry, the service is unavailable/);
  assert.equal(down.headers['cache-control'], 'no-store');

  const old = await fe.get('/old');
  assert.equal(old.status, 301);
  assert.equal(old.headers.location, '/new');
});

test('cache headers: live pages public for the configured time, no longer than the content store says; draft pages never cached, with a preview banner', async () => {
  const page = contentItem({ base_path: '/x', schema_name: 'answer', details: { body: 'x' } });
  const live = testFrontend({ items: { '/x': page, '/short': { kind: 'item', item: page, maxAge: 30 } }, maxAgeSeconds: 120 });
  assert.equal((await live.get('/x')).headers['cache-control'], 'public, max-age=120');
  assert.equal((await live.get('/short')).headers['cache-control'], 'public, max-age=30');
  const draft = testFrontend({ items: { '/x': page }, stack: 'draft' });
  const res = await draft.get('/x');
  assert.equal(res.headers['cache-control'], 'no-cache, private');
  assert.match(res.body, /This is a preview/);
  assert.match(res.body, /<meta name="robots" content="noindex, nofollow">/);
  assertAccessibleShell(res.body);
});

test('assets are served under their fingerprint for a year; another fingerprint is a 404', async () => {
  const fe = testFrontend({});
  assert.match(fe.assetPath, /^\/assets\/[0-9a-f]{12}$/);
  const css = await fe.get(`${fe.assetPath}/govuk-frontend.min.css`);
  assert.equal(css.status, 200);
  assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(css.headers['content-type']), /^text\/css/);
  assert.match(css.body, new RegExp(`url\\(${fe.assetPath}/fonts/`), 'font URLs point under the fingerprint');
  assert.doesNotMatch(css.body, /url\(\/assets\/fonts/);
  for (const name of ['govuk-frontend.min.js', 'portico.js', 'portico.css', 'images/favicon.svg', 'manifest.json']) {
    assert.equal((await fe.get(`${fe.assetPath}/${name}`)).status, 200, name);
  }
  assert.equal((await fe.get('/assets/000000000000/govuk-frontend.min.css')).status, 404);
  assert.equal((await fe.get(`${fe.assetPath}/nope.css`)).status, 404);
  const page = await testFrontend({ items: { '/': contentItem({ base_path: '/', schema_name: 'homepage' }) } }).get('/');
  assert.match(page.body, new RegExp(`<link rel="stylesheet" href="${fe.assetPath}/govuk-frontend.min.css">`));
  assert.match(page.body, new RegExp(`<script type="module" src="${fe.assetPath}/portico.js"></script>`));
});

test('health checks answer like the other services', async () => {
  const fe = testFrontend({});
  assert.equal((await fe.get('/healthcheck/live')).status, 200);
  assert.equal((await fe.get('/healthcheck/ready')).status, 200);
});
