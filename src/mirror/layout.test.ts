import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketKey, mirrorKey } from './layout.ts';

test('a public path maps to the key the CDN asks the mirror for', () => {
  const table: [string, string | undefined][] = [
    ['/', 'mirror/index.html'],
    ['/keeping-bees', 'mirror/keeping-bees.html'],
    ['/keeping-bees/inspections', 'mirror/keeping-bees/inspections.html'],
    ['/guidance/', 'mirror/guidance/index.html'],
    ['/assets/portico.css', 'mirror/assets/portico.css'],
    ['/assets/portico.js', 'mirror/assets/portico.js'],
    ['/logo.PNG', 'mirror/logo.PNG'],
    ['/favicon.ico', 'mirror/favicon.ico'],
    ['/sitemap.xml', 'mirror/sitemap.xml'],
    ['/robots.txt', 'mirror/robots.txt'],
    ['/api/content.json', 'mirror/api/content.json'],
    ['/report.pdf', 'mirror/report.pdf'],
    ['/page.html', 'mirror/page.html'],
    ['/version-1.2', 'mirror/version-1.2.html'],
    ['/.well-known', 'mirror/.well-known.html'],
    ['/search?q=bees', 'mirror/search.html'],
    ['/news?page=2#top', 'mirror/news.html'],
    ['//guidance//x', 'mirror/guidance/x.html'],
    ['/caf%C3%A9', 'mirror/café.html'],
    ['/a%20b', 'mirror/a b.html'],
    ['/a%2Fb', undefined],
    ['/../etc/passwd', undefined],
    ['/a/%2e%2e/b', undefined],
    ['/bad%zz', undefined],
    ['relative', undefined],
    ['', undefined],
  ];
  for (const [path, key] of table) assert.equal(mirrorKey(path), key, path);
});

test('a request to the mirror server names its key directly, as a bucket does', () => {
  const table: [string, string | undefined][] = [
    ['/index.html', 'mirror/index.html'],
    ['/guidance/x.html', 'mirror/guidance/x.html'],
    ['//guidance//x.html', 'mirror/guidance/x.html'],
    ['/assets/portico.css?v=3', 'mirror/assets/portico.css'],
    ['/caf%C3%A9.html', 'mirror/café.html'],
    ['/', undefined],
    ['/guidance/', undefined],
    ['/../x.html', undefined],
  ];
  for (const [path, key] of table) assert.equal(bucketKey(path), key, path);
});
