// An editor's day in headless Chromium, through the whole platform as
// `npm start` starts it: sign in at signon, write a guide in Publisher,
// preview it on the draft stack (signed in, and through a shareable link in a
// browser that is not), publish, edit, republish and unpublish it, and watch
// the live site follow. Each step is photographed; Publisher's main pages are
// scanned with axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../src/signon/demo.ts';
import { launchChromium, SCREENSHOTS, seriousViolations, startPlatform, type Platform } from './support/browser.ts';
import { eventually } from './support/ports.ts';

const EDITOR = 'editor@portico.test';
/** A draft in the demo content that is never published: a preview link for the new guide must not open it. */
const OTHER_DRAFT = '/apply-for-a-village-hall-grant';
/** Where the guide sends readers once it is unpublished: a live demo page. */
const REDIRECT_TO = '/keeping-bees';
const BASE_PATH = `/journey-guide-${randomBytes(4).toString('hex')}`;
const TITLE = 'Looking after a village pond';
const NEW_TITLE = 'Caring for a village pond';
/** The downstream queue has to carry each change to the content stores and the router. */
const DELIVERY_MS = 20_000;
/** Every page here answers in well under a second: a step that waits longer has failed, and should say so before the file's budget is spent. */
const STEP_MS = 10_000;

let platform: Platform | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let publisher: string;
let live: string;
let draftOrigin: string;
let documentUrl: string;
let previewLink: string;

/** Photographs a step as the editor (or their reader) sees it; `name` is numbered in the order of the journey. */
async function snap(name: string, on: Page = page): Promise<void> {
  await on.screenshot({ path: join(SCREENSHOTS, `journey-${name}.png`), fullPage: true });
}

/** Waits for the page whose main heading is `name`: after a click, the answer is on its way until it shows. */
const heading = (name: string, on: Page = page) => on.getByRole('heading', { level: 1, name, exact: true }).waitFor();
const banner = () => page.getByRole('alert', { name: 'Success' }).textContent();
/** The document's own title, not a guide part's. */
const titleField = () => page.locator('#title');

/** The live router's answer for a path, without following a redirect. */
async function liveAnswer(path: string): Promise<{ status: number; location: string | null; body: string }> {
  const res = await fetch(live + path, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

/** Waits until the live router answers `path` as `check` wants: publishing reaches it through the downstream queue. */
function liveUntil(path: string, what: string, check: (a: Awaited<ReturnType<typeof liveAnswer>>) => boolean): Promise<true> {
  return eventually(async () => (check(await liveAnswer(path)) ? true : undefined), DELIVERY_MS, what);
}

/**
 * A reader arriving at the live site for the first time: live pages may be
 * cached for minutes, so a browser that saw the page before would rightly
 * keep showing it.
 */
async function readLive(path: string, see: (reader: Page) => Promise<void>): Promise<void> {
  const fresh = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  fresh.setDefaultTimeout(STEP_MS);
  try {
    const reader = await fresh.newPage();
    await reader.goto(live + path);
    await see(reader);
  } finally {
    await fresh.close();
  }
}

before(async () => {
  browser = await launchChromium();
  // A step that failed leaves no photograph, rather than an old run's.
  for (const old of readdirSync(SCREENSHOTS)) if (old.startsWith('journey-')) rmSync(join(SCREENSHOTS, old));
  platform = await startPlatform();
  publisher = platform.url('publisher');
  live = platform.url('router-live');
  draftOrigin = platform.url('draft-origin');
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: publisher });
  context.setDefaultTimeout(STEP_MS);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await platform?.stop();
});

test('the editor signs in to Publisher at signon', async () => {
  await page.goto(publisher);
  await page.waitForURL(`${platform!.url('signon')}/**`);
  await heading('Sign in to Portico');
  await page.getByLabel('Email address').fill(EDITOR);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await snap('01-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${publisher}/`);
  assert.match((await page.getByText('Signed in as').textContent()) ?? '', /Signed in as Demo Editor \(managing editor\)/);
  await snap('02-documents');
  assert.deepEqual(await seriousViolations(page), [], 'the document list');
});

test('creates a guide with two parts and saves the draft', async () => {
  await page.getByRole('link', { name: 'New document' }).click();
  await page.getByLabel('Guide', { exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await heading('New guide');

  await titleField().fill(TITLE);
  await page.getByLabel('Summary').fill('How to keep a village pond clean, safe and full of wildlife.');
  await page.getByLabel('Base path').fill(BASE_PATH);
  // Adding a part posts the form, so the title and path typed so far come back with it.
  for (const _ of [1, 2]) {
    const parts = await page.locator('.app-part').count();
    await page.getByRole('button', { name: 'Add a part' }).click();
    await page.locator('.app-part').nth(parts).waitFor();
  }
  assert.equal(await page.getByLabel('Base path').inputValue(), BASE_PATH);
  const part = (n: number) => page.getByRole('group', { name: `Part ${n}` });
  await part(1).getByLabel('Title').fill('Overview');
  await part(1).getByLabel('Slug').fill('overview');
  await part(1).getByLabel('Body (Markdown)').fill('A pond needs **light**, clean water and a shallow edge.');
  await part(2).getByLabel('Title').fill('Clearing weed');
  await part(2).getByLabel('Slug').fill('clearing-weed');
  await part(2).getByLabel('Body (Markdown)').fill('Clear weed in autumn, leaving it on the bank for a day so creatures can escape.');
  await snap('03-new-guide');
  assert.deepEqual(await seriousViolations(page), [], 'the edit form');

  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL(/\/documents\/[^/?]+\?done=saved$/);
  documentUrl = page.url().replace(/\?.*$/, '');
  assert.match((await banner()) ?? '', /The draft has been saved/);
  await heading(TITLE);
  await snap('04-saved');
});

test('previews the draft on draft-origin, signed in by the signon session already open', async () => {
  const [preview] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('link', { name: /Preview on the draft site/ }).click(),
  ]);
  await preview.waitForURL(`${draftOrigin}${BASE_PATH}`);
  await heading(TITLE, preview);
  assert.ok(await preview.getByText('A pond needs light').isVisible(), 'the first part');
  await snap('05-draft-preview', preview);
  await preview.close();
});

test('shares a preview link that opens the draft, and only that draft, in a browser that has never signed in', async () => {
  await page.getByRole('button', { name: 'Make a shareable preview link' }).click();
  await heading('Shareable preview link');
  // Copied as the editor copies it, with the page's button.
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  previewLink = await page.evaluate<string>('navigator.clipboard.readText()');
  assert.equal(previewLink, await page.getByLabel('Preview link').inputValue());
  assert.ok(previewLink.startsWith(`${draftOrigin}${BASE_PATH}?token=`), previewLink);
  await snap('06-preview-link');

  const stranger = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  stranger.setDefaultTimeout(STEP_MS);
  try {
    const reader = await stranger.newPage();
    await reader.goto(previewLink);
    // The token moves into a cookie and out of the address, so it is not copied on with the URL.
    await reader.waitForURL(`${draftOrigin}${BASE_PATH}`);
    await heading(TITLE, reader);
    await reader.getByRole('link', { name: 'Clearing weed' }).first().click();
    await reader.waitForURL(`${draftOrigin}${BASE_PATH}/clearing-weed`);
    assert.ok(await reader.getByRole('heading', { level: 2, name: 'Clearing weed' }).isVisible(), 'the second part');
    await snap('07-shared-preview', reader);

    const token = new URL(previewLink).searchParams.get('token')!;
    await reader.goto(`${draftOrigin}${OTHER_DRAFT}?token=${encodeURIComponent(token)}`);
    // Refused, a browser is sent to sign in: the other draft's page is never shown.
    await reader.waitForURL(`${platform!.url('signon')}/**`);
    await heading('Sign in to Portico', reader);
    await snap('08-shared-preview-other-draft-refused', reader);
  } finally {
    await stranger.close();
  }
});

/** From the document's page: publish the draft as a major change with `note`. */
async function publish(note: string, scan: boolean): Promise<void> {
  await page.goto(documentUrl);
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await heading('Publish');
  await page.getByLabel('Major change').check();
  await page.getByLabel('Change note').fill(note);
  if (scan) {
    await snap('09-publish');
    assert.deepEqual(await seriousViolations(page), [], 'the publish page');
  }
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.waitForURL(/\?done=published$/);
  assert.match((await banner()) ?? '', /The document has been published/);
}

test('publishes the guide with a change note, and it appears on the live site', async () => {
  await publish('First published.', true);
  await snap('10-published');
  await liveUntil(BASE_PATH, `${BASE_PATH} to be live`, (a) => a.status === 200 && a.body.includes(TITLE));
  await readLive(BASE_PATH, async (reader) => {
    await heading(TITLE, reader);
    await snap('11-live', reader);
  });
});

test('edits the title and republishes, and the live page follows', async () => {
  await page.goto(documentUrl);
  await titleField().fill(NEW_TITLE);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.waitForURL(/\?done=saved$/);
  await heading(NEW_TITLE);
  await publish('Renamed the guide.', false);
  await liveUntil(BASE_PATH, `the new title on ${BASE_PATH}`, (a) => a.status === 200 && a.body.includes(NEW_TITLE));
  await readLive(BASE_PATH, async (reader) => {
    await heading(NEW_TITLE, reader);
    await snap('12-republished-live', reader);
  });
});

test('unpublishes the guide as a redirect, and the old path sends readers on', async () => {
  await page.goto(documentUrl);
  await page.getByRole('button', { name: 'Unpublish' }).click();
  await heading('Unpublish');
  await page.getByLabel('Redirect').check();
  await page.getByLabel('Send readers to').fill(REDIRECT_TO);
  await snap('13-unpublish');
  await page.getByRole('button', { name: 'Unpublish' }).click();
  await page.waitForURL(/\?done=unpublished$/);
  assert.match((await banner()) ?? '', /The document has been unpublished/);

  await liveUntil(BASE_PATH, `${BASE_PATH} to redirect`, (a) => a.status >= 301 && a.status <= 308 && new URL(a.location ?? '', live).pathname === REDIRECT_TO);
  await readLive(BASE_PATH, async (reader) => {
    await reader.waitForURL(`${live}${REDIRECT_TO}`);
    await heading('Keeping bees', reader);
    await snap('14-redirected', reader);
  });
});
