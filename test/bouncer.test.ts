import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBouncer, type BouncerService } from '../src/bouncer/index.ts';
import { AllowList } from '../src/bouncer/allow-list.ts';
import { planImport } from '../src/bouncer/import-rows.ts';
import { writeImport } from '../src/bouncer/import.ts';
import { migrateTransition } from '../src/bouncer/schema.ts';
import { addSite, addWhitelistedHost, parseTnaTimestamp, type NewSite } from '../src/bouncer/sites.ts';
import { silentLogger } from '../src/platform/log.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { eventually } from './support/ports.ts';

let t: TestDb;
let bouncer: BouncerService;
let server: Server;
let port: number;

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(host: string, path: string, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const OLD = 'www.old.gov.uk';
const TS = '20120816224015';

async function site(input: Partial<NewSite> & Pick<NewSite, 'abbr' | 'hosts'>) {
  return t.db.transaction((tx) => addSite(tx, { homepage: 'https://www.gov.uk/government/organisations/old', tnaTimestamp: parseTnaTimestamp(TS), ...input }));
}

before(async () => {
  t = await openTestDb();
  await migrateTransition(t.db);
  await addWhitelistedHost(t.db, 'www.example.org');
  const old = await site({ abbr: 'old', hosts: [OLD, 'legacy.example.org'], queryParams: 'id:page', organisation: 'Old Department' });
  const csv = [
    'old url,new url',
    '/about,https://www.gov.uk/about-us',
    '/news?id=7,https://www.gov.uk/news/seven',
    '/search.aspx?q=x,https://www.gov.uk/search?q=a&b=c',
    '/list?page=2&id=1,https://www.gov.uk/list',
    '/partner,https://www.example.org/partner',
    '/history,TNA',
    '/report.pdf,http://webarchive.nationalarchives.gov.uk/20100101000000/http://www.old.gov.uk/report.pdf',
    '/consultation',
  ].join('\n');
  const plan = planImport(csv, old, new AllowList(['www.example.org']));
  assert.deepEqual(plan.rejected, []);
  await writeImport(t.db, old, plan.rows, { filename: 'test.csv', now: new Date() });
  await t.db.query("UPDATE transition.mappings SET suggested_url = 'https://www.gov.uk/consultations' WHERE path = '/consultation'");
  await site({ abbr: 'moved', hosts: ['www.moved.gov.uk'], globalType: 'redirect', globalNewUrl: 'https://www.gov.uk/moved/', globalRedirectAppendPath: true });
  await site({ abbr: 'flat', hosts: ['flat.example.org'], globalType: 'redirect', globalNewUrl: 'https://www.gov.uk/flat' });
  await site({ abbr: 'closed', hosts: ['www.closed.gov.uk'], globalType: 'archive' });
  await site({ abbr: 'rogue', hosts: ['www.rogue.gov.uk'], globalType: 'redirect', globalNewUrl: 'https://www.example.com/' });
  bouncer = await createBouncer({ db: t.db, log: silentLogger(), allowList: ['http://127.0.0.1:8080'] });
  server = createServer((req, res) => void bouncer.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await bouncer.close();
  await t.close();
});

describe('hosts', () => {
  test('servesHost knows each site host, its aka host, in any case, and nothing else', () => {
    for (const h of [OLD, 'WWW.OLD.GOV.UK', 'aka.old.gov.uk', 'legacy.example.org', 'aka-legacy.example.org', 'www.moved.gov.uk']) assert.equal(bouncer.servesHost(h), true, h);
    for (const h of ['old.gov.uk', 'www.gov.uk', 'example.org', '']) assert.equal(bouncer.servesHost(h), false, h);
  });

  test('an aka host answers as the host it stands for', async () => {
    const r = await get('aka.old.gov.uk', '/about');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'https://www.gov.uk/about-us');
  });

  test('a host that is no site answers 404 saying so', async () => {
    const r = await get('www.unknown.gov.uk', '/about');
    assert.equal(r.status, 404);
    assert.match(r.body, /not configured as a transition site/);
  });
});

describe('mappings', () => {
  // [host, path, status, location]
  const REDIRECTS: [string, string, number, string][] = [
    [OLD, '/about', 301, 'https://www.gov.uk/about-us'],
    [`${OLD}:80`, '/About?utm_source=mail#top', 301, 'https://www.gov.uk/about-us'],
    ['legacy.example.org', '/ABOUT', 301, 'https://www.gov.uk/about-us'],
    [OLD, '/news?id=7', 301, 'https://www.gov.uk/news/seven'],
    [OLD, '/news?utm=1&id=7', 301, 'https://www.gov.uk/news/seven'],
    [OLD, '/list?id=1&page=2', 301, 'https://www.gov.uk/list'],
    [OLD, '/search.aspx', 301, 'https://www.gov.uk/search?q=a&b=c'],
    [OLD, '/partner', 301, 'https://www.example.org/partner'],
    [OLD, '/', 301, 'https://www.gov.uk/government/organisations/old'],
    [OLD, '//', 301, 'https://www.gov.uk/government/organisations/old'],
    [OLD, '/?id=3', 301, 'https://www.gov.uk/government/organisations/old'],
    ['www.moved.gov.uk', '/a/b?c=d', 301, 'https://www.gov.uk/moved/a/b?c=d'],
    ['flat.example.org', '/a/b?c=d', 301, 'https://www.gov.uk/flat'],
  ];
  for (const [host, path, status, location] of REDIRECTS) {
    test(`${host}${path} -> ${status} ${location}`, async () => {
      const r = await get(host, path);
      assert.equal(r.status, status);
      assert.equal(r.headers.location, location);
      assert.equal(r.headers['cache-control'], 'public, max-age=3600');
    });
  }

  test('a significant query parameter tells mappings apart', async () => {
    assert.equal((await get(OLD, '/news?id=8')).status, 404);
    assert.equal((await get(OLD, '/news')).status, 404);
  });

  test('an archived page is a 410 linking to its capture at The National Archives', async () => {
    const r = await get(OLD, '/History?ref=x');
    assert.equal(r.status, 410);
    assert.match(r.headers['content-type'] as string, /^text\/html/);
    assert.equal(r.headers['cache-control'], 'public, max-age=3600');
    assert.ok(r.body.includes(`href="https://webarchive.nationalarchives.gov.uk/${TS}/http://www.old.gov.uk/History?ref=x"`), r.body);
    assert.match(r.body, /<title>This page is no longer available - Old Department<\/title>/);
    assert.match(r.body, /<html lang="en"/);
  });

  test('an archive mapping with its own capture links to that one', async () => {
    const r = await get(OLD, '/report.pdf');
    assert.equal(r.status, 410);
    assert.ok(r.body.includes('href="http://webarchive.nationalarchives.gov.uk/20100101000000/http://www.old.gov.uk/report.pdf"'));
  });

  test('an unresolved page is a 410 that offers the suggested page', async () => {
    const r = await get(OLD, '/consultation');
    assert.equal(r.status, 410);
    assert.match(r.body, /<a class="govuk-link" href="https:\/\/www.gov.uk\/consultations">www.gov.uk\/consultations<\/a>/);
    assert.ok(r.body.includes(`https://webarchive.nationalarchives.gov.uk/${TS}/http://www.old.gov.uk/consultation`));
  });

  test('a path with no mapping is a 404 page with the archive link and the new homepage', async () => {
    const r = await get(OLD, '/nothing/here');
    assert.equal(r.status, 404);
    assert.equal(r.headers['cache-control'], 'public, max-age=3600');
    assert.match(r.body, /<h1 class="govuk-heading-xl">Page not found<\/h1>/);
    assert.ok(r.body.includes(`https://webarchive.nationalarchives.gov.uk/${TS}/http://www.old.gov.uk/nothing/here`));
    assert.ok(r.body.includes('href="https://www.gov.uk/government/organisations/old"'));
  });

  test('a site archived as a whole answers 410 for every path', async () => {
    const r = await get('www.closed.gov.uk', '/anything');
    assert.equal(r.status, 410);
    assert.ok(r.body.includes(`https://webarchive.nationalarchives.gov.uk/${TS}/http://www.closed.gov.uk/anything`));
  });

  test('a redirect to a host off the allow-list is refused with 501, not cached', async () => {
    const r = await get('www.rogue.gov.uk', '/x');
    assert.equal(r.status, 501);
    assert.equal(r.headers.location, undefined);
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('a significant parameter that is not UTF-8 is a 400', async () => {
    const r = await get(OLD, '/news?id=%ff');
    assert.equal(r.status, 400);
  });

  test('HEAD answers the same status and headers without a body', async () => {
    const r = await get(OLD, '/history', 'HEAD');
    assert.equal(r.status, 410);
    assert.equal(r.body, '');
    assert.ok(Number(r.headers['content-length']) > 0);
  });

  test('a host taken off the whitelist is refused from the next reload on', async () => {
    await t.db.query("DELETE FROM transition.whitelisted_hosts WHERE hostname = 'www.example.org'");
    await eventually(async () => ((await get(OLD, '/partner')).status === 501 ? true : undefined), 5000, 'the allow-list reload');
    await addWhitelistedHost(t.db, 'www.example.org');
    await eventually(async () => ((await get(OLD, '/partner')).status === 301 ? true : undefined), 5000, 'the allow-list reload');
  });
});

describe('sitemap and robots', () => {
  test('robots.txt points at the sitemap', async () => {
    const r = await get('aka.old.gov.uk', '/robots.txt');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'User-agent: *\nDisallow:\nSitemap: http://www.old.gov.uk/sitemap.xml\n');
    assert.equal(r.headers['cache-control'], 'public, max-age=3600');
  });

  test('sitemap.xml lists the redirects only, escaped', async () => {
    const r = await get(OLD, '/sitemap.xml');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] as string, /^application\/xml/);
    const locs = [...r.body.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]);
    assert.deepEqual(locs, ['http://www.old.gov.uk/about', 'http://www.old.gov.uk/list?id=1&amp;page=2', 'http://www.old.gov.uk/news?id=7', 'http://www.old.gov.uk/partner', 'http://www.old.gov.uk/search.aspx']);
  });

  test('a sitemap stops at 50,000 URLs', async () => {
    const big = await site({ abbr: 'big', hosts: ['www.big.gov.uk'] });
    await t.db.query(
      "INSERT INTO transition.mappings (site_id, path, type, new_url) SELECT $1, '/p/' || i, 'redirect', 'https://www.gov.uk/' FROM generate_series(1, 50001) i",
      [big.id],
    );
    await eventually(() => (bouncer.servesHost('www.big.gov.uk') ? true : undefined), 5000, 'the new site');
    const r = await get('www.big.gov.uk', '/sitemap.xml');
    assert.equal(r.body.match(/<url>/g)?.length, 50_000);
  });
});

test('a site added while the bouncer runs is answered once the notification arrives', async () => {
  assert.equal(bouncer.servesHost('www.later.gov.uk'), false);
  await site({ abbr: 'later', hosts: ['www.later.gov.uk'], globalType: 'archive' });
  await eventually(() => (bouncer.servesHost('www.later.gov.uk') ? true : undefined), 5000, 'the new site');
  assert.equal((await get('www.later.gov.uk', '/x')).status, 410);
});
