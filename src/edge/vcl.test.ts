import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateVcl, VCL_DEFAULTS, VclOptionError, type VclOptions } from './vcl.ts';

// That the text compiles and behaves is checked in Varnish itself
// (test/edge-varnish.services.test.ts); these check what the options put in it.

const OPTIONS: VclOptions = {
  originUrl: 'http://127.0.0.1:8084',
  mirrorUrl: 'http://10.0.0.5:8101',
  wwwHosts: ['www.example.gov'],
  apexHosts: ['example.gov'],
  purgeToken: 'k3y-0f-the-purge-c0nsumer',
  ...VCL_DEFAULTS,
};

/** The body of one subroutine or backend block. */
function block(vcl: string, head: string): string {
  const start = vcl.indexOf(`${head} {`);
  assert.notEqual(start, -1, `no ${head} block`);
  return vcl.slice(start, vcl.indexOf('\n}\n', start));
}

test('the backends are the origin and mirror addresses, the origin with a probe of the probe path', () => {
  const vcl = generateVcl({ ...OPTIONS, probePath: '/healthcheck' });
  assert.match(block(vcl, 'backend origin'), /\.host = "127\.0\.0\.1";\s+\.port = "8084";\s+\.probe = origin_ready;/);
  assert.match(block(vcl, 'backend mirror'), /\.host = "10\.0\.0\.5";\s+\.port = "8101";/);
  assert.match(block(vcl, 'probe origin_ready'), /\.url = "\/healthcheck";/);
});

test('PURGE needs the configured token in the contract header; soft purge goes through vmod purge', () => {
  const recv = block(generateVcl(OPTIONS), 'sub vcl_recv');
  assert.match(recv, /if \(req\.http\.portico-purge-token != "k3y-0f-the-purge-c0nsumer"\) \{\s+return \(synth\(403/);
  assert.match(recv, /if \(req\.http\.portico-soft-purge == "1"\) \{\s+return \(hash\);\s+\}\s+return \(purge\);/);
  assert.match(block(generateVcl(OPTIONS), 'sub portico_soft_purge'), /purge\.soft\(0s\)/);
});

test('responses without a lifetime get the default TTL, and copies are kept for stale-if-error', () => {
  const fetch = block(generateVcl({ ...OPTIONS, defaultTtlSeconds: 900, staleIfErrorSeconds: 7200 }), 'sub vcl_backend_response');
  assert.match(fetch, /set beresp\.ttl = 900s;/);
  assert.match(fetch, /set beresp\.grace = 7200s;/);
});

test('the apex hosts redirect to the first www host, and only when there are some', () => {
  const withApex = generateVcl({ ...OPTIONS, wwwHosts: ['www.example.gov', 'www2.example.gov'], apexHosts: ['example.gov', 'example.org'] });
  assert.match(block(withApex, 'sub vcl_recv'), /\(req\.http\.Portico-Host == "example\.gov" \|\| req\.http\.Portico-Host == "example\.org"\)\) \{\s+return \(synth\(751/);
  assert.match(block(withApex, 'sub vcl_synth'), /"https:\/\/www\.example\.gov" \+ req\.url/);
  assert.doesNotMatch(generateVcl({ ...OPTIONS, apexHosts: [] }), /synth\(751/);
});

test('every www host is served from one cache; host names are compared lower-case', () => {
  const vcl = block(generateVcl({ ...OPTIONS, wwwHosts: ['WWW.Example.GOV', '[::1]'], apexHosts: ['Example.GOV'] }), 'sub vcl_recv');
  assert.match(vcl, /if \(!\(req\.http\.Portico-Host == "www\.example\.gov" \|\| req\.http\.Portico-Host == "\[::1\]" \|\| req\.http\.Portico-Host == ""\)\)/);
  assert.match(vcl, /set req\.http\.host = "www\.example\.gov";/);
  assert.match(vcl, /req\.http\.Portico-Host == "example\.gov"/);
});

const BAD: [Partial<VclOptions>, string, RegExp][] = [
  [{ originUrl: 'https://127.0.0.1:8084' }, 'originUrl', /plain http/],
  [{ originUrl: 'http://127.0.0.1:8084/live' }, 'originUrl', /just http:\/\/host:port/],
  [{ mirrorUrl: 'not a url' }, 'mirrorUrl', /not a URL/],
  [{ wwwHosts: ['www.example.gov:8080'] }, 'wwwHosts', /without port/],
  [{ wwwHosts: [] }, 'wwwHosts', /at least one/],
  [{ apexHosts: ['www.example.gov'] }, 'apexHosts', /also a www host/],
  [{ purgeToken: 'short' }, 'purgeToken', /at least 16/],
  [{ purgeToken: 'a-long-token-with-a-"-in-it' }, 'purgeToken', /double quotes/],
  [{ purgeToken: 'a long token with spaces in it' }, 'purgeToken', /without spaces/],
  [{ defaultTtlSeconds: -1 }, 'defaultTtlSeconds', /whole number/],
  [{ defaultTtlSeconds: 1.5 }, 'defaultTtlSeconds', /whole number/],
  [{ probePath: 'healthcheck' }, 'probePath', /start with \//],
];

for (const [change, field, reason] of BAD) {
  test(`${field} ${JSON.stringify(Object.values(change)[0])} is refused, naming the field`, () => {
    assert.throws(
      () => generateVcl({ ...OPTIONS, ...change }),
      (err: unknown) => err instanceof VclOptionError && err.field === field && reason.test(err.message),
    );
  });
}
