import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cssLinks, htmlLinks } from './links.ts';

const hrefs = (urls: URL[]) => urls.map((u) => u.href);

test('links are read by an HTML parser: entities decoded, <base> honoured, comments and text ignored', () => {
  const page = `<html><head><base href="/docs/"><style>.x { background: url('img/a.png') }</style></head><body>
    <!-- <a href="/commented-out">no</a> -->
    <p>Text that says href="/not-a-link"</p>
    <a href="guide?a=1&amp;page=2">guide</a> <a name="anchor-only">x</a> <a href="  /spaced  ">s</a>
    <script>var s = '<a href="/in-script">';</script><img src="data-free.png"></body></html>`;
  assert.deepEqual(hrefs(htmlLinks(page, 'http://site.test/start')), [
    'http://site.test/docs/img/a.png',
    'http://site.test/docs/guide?a=1&page=2',
    'http://site.test/spaced',
    'http://site.test/docs/data-free.png',
  ]);
});

test('a stylesheet gives its url() and @import references, not data URIs or commented ones', () => {
  const css = `@import url("base.css"); @import 'print.css'; /* url(/old.png) */
    .a { background: url(../img/a.svg) } .b { src: url( "/fonts/f.woff2" ) format("woff2") } .c { background: url(data:image/png;base64,AAA) }`;
  assert.deepEqual(hrefs(cssLinks(css, 'http://site.test/assets/site.css')), [
    'http://site.test/assets/base.css',
    'http://site.test/img/a.svg',
    'http://site.test/fonts/f.woff2',
    'http://site.test/assets/print.css',
  ]);
});
