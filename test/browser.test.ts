// The rendering apps as a reader meets them: the whole platform started as
// `npm start` starts it, with the demo content, and every page visited through
// the live router in headless Chromium, scanned with axe and photographed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO_CONTENT } from '../src/cli/seed.ts';
import { NOT_SEARCHABLE_TYPES, UNPUBLISHING_TYPES } from '../src/search-api/document.ts';
import { launchChromium, SCREENSHOTS, seriousViolations, startPlatform, type Platform } from './support/browser.ts';
import { eventually } from './support/ports.ts';

const ORGANISATION = 'Department for Rural Affairs';

let platform: Platform | undefined;
let browser: Browser | undefined;
let page: Page;
/** Uncaught script errors on the page since the last visit: a reader would meet a broken control. */
let scriptErrors: string[] = [];

/** How many demo documents the search page should find: the published ones that are content, not navigation or a tombstone. */
function searchableDemoDocuments(): number {
  const documents = JSON.parse(readFileSync(DEMO_CONTENT, 'utf8')) as { content: { document_type: string }; publish?: string }[];
  return documents.filter((d) => d.publish && !NOT_SEARCHABLE_TYPES.has(d.content.document_type) && !UNPUBLISHING_TYPES.has(d.content.document_type)).length;
}

before(async () => {
  browser = await launchChromium();
  platform = await startPlatform();
  const site = platform.url('router-live');
  // The index follows publishing events, which may still be arriving once the content stores have everything.
  const expected = searchableDemoDocuments();
  await eventually(async () => {
    const { total } = (await (await fetch(`${site}/search.json?count=0`)).json()) as { total: number };
    return total === expected ? true : undefined;
  }, 20_000, `the search index to hold the ${expected} demo documents`);

  const context = await browser.newContext({ baseURL: site, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (err) => scriptErrors.push(err.message));
});

after(async () => {
  await browser?.close();
  await platform?.stop();
});

/** Opens a path through the live router and answers its HTTP status. */
async function visit(path: string): Promise<number> {
  scriptErrors = [];
  const response = await page.goto(path);
  assert.ok(response, `no response for ${path}`);
  return response.status();
}

const h1 = () => page.getByRole('heading', { level: 1 }).textContent();
const resultCount = async () => Number(/^(\d+) results?$/.exec(((await page.getByRole('status').textContent()) ?? '').trim())?.[1]);

/** One page of each kind, reached at the path the demo content gives it, with something a reader of that kind of page looks for. */
const PAGES: { type: string; path: string; status?: number; title: string; sees: (p: Page) => Promise<void> }[] = [
  {
    type: 'homepage', path: '/', title: 'Portico: services and information',
    sees: async (p) => assert.ok(await p.getByLabel('Search Portico').isVisible(), 'the search box'),
  },
  {
    type: 'answer', path: '/rural-broadband-voucher-eligibility', title: 'Check if you can get a rural broadband voucher',
    sees: async (p) => assert.ok(await p.getByRole('navigation', { name: 'Related content' }).isVisible(), 'related content'),
  },
  {
    type: 'guide', path: '/keeping-bees', title: 'Keeping bees',
    sees: async (p) => {
      const parts = p.getByRole('navigation', { name: 'Pages in this guide' });
      assert.equal(await parts.locator('[aria-current="page"]').textContent(), 'Overview');
      assert.ok(await p.getByRole('link', { name: /^Next page.*Register your hives/ }).isVisible(), 'a link to the next part');
    },
  },
  {
    type: 'guide-part', path: '/keeping-bees/inspections', title: 'Keeping bees',
    sees: async (p) => {
      assert.ok(await p.getByRole('heading', { level: 2, name: 'Inspections' }).isVisible(), 'the part heading');
      assert.equal(await p.title(), 'Inspections - Keeping bees - Portico');
    },
  },
  {
    type: 'detailed_guide', path: '/guidance/moving-livestock-between-farms', title: 'Moving livestock between farms',
    sees: async (p) => assert.ok((await p.getByRole('navigation', { name: 'Contents' }).getByRole('link').count()) > 0, 'contents links'),
  },
  {
    type: 'news_article', path: '/government/news/new-grants-for-village-halls', title: 'New grants to keep village halls open',
    sees: async (p) => assert.ok(await p.getByRole('main').getByRole('link', { name: ORGANISATION }).isVisible(), 'who it is from'),
  },
  {
    type: 'organisation', path: '/government/organisations/department-for-rural-affairs', title: ORGANISATION,
    sees: async (p) => {
      assert.ok(await p.locator('h2:text-is("Our people") + ul').getByRole('link', { name: 'Alex Morgan' }).isVisible(), 'its people');
      assert.ok(await p.getByRole('heading', { name: `Latest from ${ORGANISATION}` }).isVisible(), 'its latest documents, from search');
    },
  },
  {
    type: 'person', path: '/government/people/alex-morgan', title: 'Alex Morgan',
    sees: async (p) => assert.ok(await p.getByRole('main').getByRole('link', { name: ORGANISATION }).isVisible(), 'their organisation'),
  },
  {
    type: 'taxon', path: '/farming-and-rural-affairs', title: 'Farming and rural affairs',
    sees: async (p) => {
      assert.ok(await p.getByRole('link', { name: 'Rural grants and funding' }).isVisible(), 'its subtopic');
      assert.ok(await p.getByRole('heading', { name: 'Pages about farming and rural affairs' }).isVisible(), 'its tagged pages, from search');
    },
  },
  {
    type: 'search', path: '/search?q=bees', title: 'Search',
    sees: async (p) => {
      assert.ok((await resultCount()) > 0, 'a result count');
      assert.ok(await p.getByRole('link', { name: 'Keeping bees' }).isVisible(), 'the guide among the results');
    },
  },
  {
    type: 'not-found', path: '/government/no-such-page', status: 404, title: 'Page not found',
    sees: async (p) => assert.ok(await p.getByRole('link', { name: 'Go to the home page' }).isVisible(), 'a way on'),
  },
  {
    type: 'gone', path: '/village-shop-grant-2019', status: 410, title: 'The page you’re looking for is no longer here',
    sees: async (p) => assert.ok(await p.getByText('has been replaced by the village halls grant').isVisible(), 'the explanation'),
  },
];

for (const { type, path, status = 200, title, sees } of PAGES) {
  test(`${type} (${path}): rendered in the layout through the live router, no serious accessibility problems`, async () => {
    assert.equal(await visit(path), status);
    assert.equal(await h1(), title);
    assert.equal(await page.getByRole('link', { name: 'Skip to main content' }).count(), 1, 'the skip link');
    assert.ok(await page.getByRole('banner').getByRole('link', { name: 'Portico' }).isVisible(), 'the header');
    assert.ok(await page.getByRole('contentinfo').getByText('© Portico').isVisible(), 'the footer');
    await sees(page);
    assert.deepEqual(scriptErrors, []);
    await page.screenshot({ path: join(SCREENSHOTS, `${type}.png`), fullPage: true });
    assert.deepEqual(await seriousViolations(page), []);
  });
}

test('a guide: the contents and previous/next links move between its parts', async () => {
  await visit('/keeping-bees');
  await page.getByRole('link', { name: /^Next page/ }).click();
  await page.waitForURL('**/keeping-bees/register-your-hives');
  assert.ok(await page.getByRole('heading', { level: 2, name: 'Register your hives' }).isVisible());
  await page.getByRole('navigation', { name: 'Pages in this guide' }).getByRole('link', { name: 'Inspections' }).click();
  await page.waitForURL('**/keeping-bees/inspections');
  assert.equal(await page.getByRole('navigation', { name: 'Pages in this guide' }).locator('[aria-current="page"]').textContent(), 'Inspections');
  assert.equal(await page.getByRole('link', { name: /^Next page/ }).count(), 0, 'the last part has no next');
  await page.getByRole('link', { name: /^Previous page/ }).click();
  await page.waitForURL('**/keeping-bees/register-your-hives');
  assert.ok(await page.getByRole('heading', { level: 2, name: 'Register your hives' }).isVisible());
});

test('breadcrumbs lead up the taxonomy to the home page', async () => {
  await visit('/rural-broadband-voucher-eligibility');
  const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
  assert.deepEqual(await crumbs.getByRole('link').allTextContents(), ['Home', 'Farming and rural affairs', 'Rural grants and funding']);
  await crumbs.getByRole('link', { name: 'Rural grants and funding' }).click();
  await page.waitForURL('**/farming-and-rural-affairs/rural-grants');
  assert.equal(await h1(), 'Rural grants and funding');
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Farming and rural affairs' }).click();
  await page.waitForURL(/\/farming-and-rural-affairs$/);
  assert.equal(await h1(), 'Farming and rural affairs');
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Home' }).click();
  await page.waitForURL(/\/$/);
  assert.equal(await h1(), 'Portico: services and information');
});

test('search from the home page, then narrow the results to one organisation', async () => {
  await visit('/');
  await page.getByLabel('Search Portico').fill('grants');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL('**/search?q=grants');
  assert.equal(await page.getByLabel('Search Portico').inputValue(), 'grants');
  const all = await resultCount();
  assert.ok(all > 0, 'grants finds something');
  assert.equal(await page.getByRole('main').getByRole('heading', { level: 3 }).count(), all);

  const facet = page.locator('label', { hasText: ORGANISATION });
  const promised = Number(/\((\d+)\)$/.exec(((await facet.textContent()) ?? '').trim())?.[1]);
  await facet.click();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/organisations=department-for-rural-affairs/);
  assert.ok(await page.getByRole('checkbox', { name: new RegExp(`^${ORGANISATION}`) }).isChecked(), 'the filter stays ticked');
  const filtered = await resultCount();
  assert.equal(filtered, promised, 'as many results as the filter said');
  assert.ok(filtered <= all);
  const metas = await page.locator('.app-search-result__meta').allTextContents();
  assert.equal(metas.length, filtered);
  for (const meta of metas) assert.match(meta, new RegExp(`from ${ORGANISATION}`));
});
