// The bouncer's 410 and 404 pages in headless Chromium, scanned with axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createPages } from '../src/bouncer/pages.ts';
import { launchChromium, seriousViolations } from './support/browser.ts';

let browser: Browser;
const pages = createPages();
const context = {
  site: { title: 'Old Department <of "Things">', homepage: 'https://www.gov.uk/government/organisations/old' },
  host: 'www.old.gov.uk',
  archiveUrl: 'https://webarchive.nationalarchives.gov.uk/20120816224015/http://www.old.gov.uk/a?b=<c>',
};

before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

for (const [name, html] of [
  ['gone', pages.gone({ ...context, suggestedUrl: 'https://www.gov.uk/suggested/' })],
  ['not found', pages.notFound(context)],
] as const) {
  test(`the ${name} page has no serious accessibility problems and escapes what it shows`, async () => {
    const page = await browser.newPage();
    try {
      await page.setContent(html);
      assert.deepEqual(await seriousViolations(page), []);
      assert.equal(await page.locator('header').textContent().then((s) => s?.trim()), 'Old Department <of "Things">');
      assert.equal(await page.getByRole('link', { name: 'UK Government Web Archive' }).getAttribute('href'), context.archiveUrl);
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
    } finally {
      await page.close();
    }
  });
}
