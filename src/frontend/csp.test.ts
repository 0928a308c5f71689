import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pageContentSecurityPolicy, templateInlineScripts } from './csp.ts';
import { contentItem, testFrontend } from './testing.ts';

const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

test("the policy allows the page template's inline script by its hash, and nothing else inline or from elsewhere", () => {
  const scripts = templateInlineScripts();
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]!, /js-enabled/);
  const policy = pageContentSecurityPolicy();
  assert.match(policy, new RegExp(`script-src 'self' ${hashOf(scripts[0]!).replace(/[+/]/g, '\\$&')}(;|$)`));
  for (const directive of ["default-src 'self'", "style-src 'self'", "img-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) assert.ok(policy.includes(directive), directive);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/);
});

test('every page carries the policy, and what it renders satisfies it', async () => {
  const fe = testFrontend({
    items: {
      '/news': contentItem({
        base_path: '/news',
        schema_name: 'news_article',
        title: 'News',
        details: { body: 'Some **news**.', image: { url: '/media/hall.jpg', alt_text: 'A hall' } },
      }),
    },
    search: { results: [], total: 0, totalIsEstimate: false, start: 0, aggregates: {} },
  });
  const policy = pageContentSecurityPolicy();
  for (const [path, status] of [['/news', 200], ['/missing', 404], ['/search?q=bees', 200]] as const) {
    const res = await fe.get(path);
    assert.equal(res.status, status, path);
    assert.equal(res.headers['content-security-policy'], policy, path);
    const html = res.body;
    for (const [, script] of html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)) assert.ok(policy.includes(hashOf(script!)), `${path}: inline script not in the policy: ${script}`);
    assert.doesNotMatch(html, /<style[\s>]|\sstyle="|\son[a-z]+="/, `${path}: inline style or handler`);
    const urls = [...html.matchAll(/<(?:script|img)\b[^>]*\ssrc="([^"]*)"|<link\b[^>]*\shref="([^"]*)"/g)].map((m) => m[1] ?? m[2]!);
    assert.ok(urls.some((u) => u.endsWith('/portico.js')) && urls.some((u) => u.endsWith('.css')), `${path}: scripts and styles found`);
    for (const url of urls) assert.match(url, /^\/(?!\/)/, `${path}: ${url} is not on the site`);
  }
});
