import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesRoot, openFilesObjectStore } from '../platform/object-store/files.ts';
import { lastFullCrawl } from '../mirror/state.ts';
import { instantClock, startTestSite, type SitePage, type TestSite } from '../mirror/testing.ts';
import { mirrorCommand } from './mirror.ts';
import { UsageError } from './routes.ts';

let site: TestSite;
let dir: string;

before(async () => {
  const pages: Record<string, SitePage> = { '/': { body: Array.from({ length: 10 }, (_, i) => `<a href="/p${i}">${i}</a>`).join('') } };
  for (let i = 0; i < 10; i++) pages[`/p${i}`] = { body: `<h1>Page ${i}</h1>` };
  pages['/p9'] = { status: 500 };
  site = await startTestSite(pages);
  dir = mkdtempSync(join(tmpdir(), 'portico-mirror-cli-'));
});
after(async () => {
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

test('mirror crawl prints progress while it runs and a summary, saving into the configured store', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const env = { PORTICO_DATA_DIR: dir, LOG_LEVEL: 'silent', MIRROR_ORIGIN: 'http://127.0.0.1:1' };
  const code = await mirrorCommand(['crawl', '--origin', site.origin, '--concurrency', '2', '--rate', '4'], (l) => out.push(l), (l) => err.push(l), env, instantClock());
  assert.equal(code, 1, 'a page failed');
  assert.equal(out[0], `crawling ${site.origin} into the files object store (2 at once, at most 4/s)`);
  const progress = out.filter((l) => l.startsWith('crawled '));
  assert.ok(progress.length >= 2, out.join('\n'));
  assert.match(progress[0]!, /^crawled \d+, saved \d+, queued \d+, failed \d+, \d+\.\d pages\/s$/);
  assert.match(out.at(-1)!, /^done in \d+\.\ds: 11 crawled, 10 saved \(0 redirect pages\), 0 gone, 1 failed$/);
  assert.match(err.join('\n'), /1 page\(s\) could not be crawled/);
  const store = await openFilesObjectStore({ root: filesRoot(dir) });
  assert.equal((await store.get('mirror/p3.html'))?.body.toString(), '<h1>Page 3</h1>');
  assert.equal((await lastFullCrawl(store))?.saved, 10, 'the crawl is recorded for the schedule');
});

test('mirror crawl refuses bad options with the reason', async () => {
  const env = { PORTICO_DATA_DIR: dir };
  const run = (...args: string[]) => mirrorCommand(args, () => {}, () => {}, env);
  await assert.rejects(run('crawl', '--concurrency', '0'), (e: Error) => e instanceof UsageError && /--concurrency must be a whole number from 1 to 256/.test(e.message));
  await assert.rejects(run('crawl', '--rate', 'fast'), /--rate must be a number/);
  await assert.rejects(run('crawl', '--origin', 'ftp://x'), /--origin must be an http\(s\) URL/);
  await assert.rejects(run('sync'), /unknown mirror command "sync"; use crawl/);
});
