// The reference router's acceptance scenarios for route selection, redirects,
// case normalisation, gone routes and the empty table (router.md §8.2 items
// 1-20, 31, 34, 35), run against a real router reading a real content store
// schema. Where Portico deliberately differs (docs/decisions/002 and 003) the
// cases assert Portico's behaviour.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_ID_HEADER } from '../src/platform/log.ts';
import {
  exact,
  gone,
  metricSample,
  prefix,
  redirect,
  RouterHarness,
  UUID,
  type Case,
  type Expect,
} from './support/router-harness.ts';

let h: RouterHarness;

before(async () => {
  h = await RouterHarness.open();
});

after(async () => {
  await h?.close();
});

const NOT_FOUND: Expect = {
  status: 404,
  body: '404 Not Found\n',
  headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
};
const GONE: Expect = {
  status: 410,
  body: '410 Gone\n',
  headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': null },
};
const BAD_REQUEST: Expect = { status: 400, body: '400 Bad Request\n', backend: 'none' };
const UNAVAILABLE: Expect = { status: 503, body: '', backend: 'none' };
const routedTo = (id: string): Expect => ({ status: 200, body: id });
const movedTo = (location: string, status: 301 | 302 = 301): Expect => ({
  status,
  location,
  cached: true,
  // Go's http.Redirect writes a second newline; Portico writes one.
  body: new RegExp(`^<a href="${escapeRe(location.replace(/&/g, '&amp;'))}">${status === 301 ? 'Moved Permanently' : 'Found'}</a>\\.\\n+$`),
  headers: { 'content-type': 'text/html; charset=utf-8' },
  backend: 'none',
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A case per (path, expectation) against one table. */
function cases(group: string, routes: Case['routes'], rows: [string, Expect][], more: Partial<Case> = {}): Case[] {
  return rows.map(([path, expect]) => ({ name: `${group}: ${path || '(empty)'}`, routes, request: { path }, expect, ...more }));
}

// --- 1-9: route selection ---------------------------------------------------

const EXACT = [exact('/foo', 'backend-1'), exact('/bar', 'backend-2'), exact('/baz', 'backend-1')];
const PREFIX = [prefix('/foo', 'backend-1'), prefix('/bar', 'backend-2'), prefix('/baz', 'backend-1')];
const OUTER_EXACT_INNER = [prefix('/foo', 'outer'), exact('/foo/bar', 'inner')];
const OUTER_PREFIX_INNER = [prefix('/foo', 'outer'), prefix('/foo/bar', 'inner')];
const THREE_LEVELS = [prefix('/foo', 'outer'), exact('/foo/bar', 'inner'), prefix('/foo/bar/baz', 'innerer')];
const EXACT_AND_PREFIX = [prefix('/foo', 'backend-1'), exact('/foo', 'backend-2')];
const EXACT_ROOT = [exact('/', 'root'), exact('/foo', 'other')];
const PREFIX_ROOT = [prefix('/', 'root'), exact('/foo', 'other')];
const DOUBLE_SLASH = [prefix('/', 'fallthrough'), prefix('/foo/bar', 'recorder')];
const ENCODED = [exact('/foo%20bar', 'recorder')];

const SELECTION: Case[] = [
  ...cases('1 exact routes', EXACT, [
    ['/foo', routedTo('backend-1')],
    ['/bar', routedTo('backend-2')],
    ['/baz', routedTo('backend-1')],
    ['/foo/bar', NOT_FOUND],
    ['/wibble', NOT_FOUND],
    ['/', NOT_FOUND],
    ['/foo.json', NOT_FOUND],
    ['/foobar', NOT_FOUND],
    // A trailing or repeated slash is insignificant for lookup.
    ['/foo/', routedTo('backend-1')],
    ['//foo', routedTo('backend-1')],
  ]),
  ...cases('2 prefix routes', PREFIX, [
    ['/foo', routedTo('backend-1')],
    ['/bar', routedTo('backend-2')],
    ['/baz', routedTo('backend-1')],
    ['/foo/bar', routedTo('backend-1')],
    ['/bar/foo.json', routedTo('backend-2')],
    ['/baz/fooey/kablooie', routedTo('backend-1')],
    ['/wibble', NOT_FOUND],
    ['/', NOT_FOUND],
    ['/foo.json', NOT_FOUND],
  ]),
  ...cases('3 prefix with an exact child', OUTER_EXACT_INNER, [
    ['/foo', routedTo('outer')],
    ['/foo/bar', routedTo('inner')],
    ['/foo/bar/baz', routedTo('outer')],
  ]),
  ...cases('4 prefix with a prefix child', OUTER_PREFIX_INNER, [
    ['/foo', routedTo('outer')],
    ['/foo/bar', routedTo('inner')],
    ['/foo/bar/baz', routedTo('inner')],
    ['/foo/baz', routedTo('outer')],
    ['/foo/bar.json', routedTo('outer')],
  ]),
  ...cases('5 prefix, exact child, prefix grandchild', THREE_LEVELS, [
    ['/foo', routedTo('outer')],
    ['/foo/baz', routedTo('outer')],
    ['/foo/bar.json', routedTo('outer')],
    ['/foo/bar', routedTo('inner')],
    ['/foo/bar/wibble', routedTo('outer')],
    ['/foo/bar/baz.json', routedTo('outer')],
    ['/foo/bar/baz', routedTo('innerer')],
    ['/foo/bar/baz/wibble', routedTo('innerer')],
  ]),
  ...cases('6 exact and prefix at the same path', EXACT_AND_PREFIX, [
    ['/foo', routedTo('backend-2')],
    ['/foo/bar', routedTo('backend-1')],
  ]),
  ...cases('7 exact root', EXACT_ROOT, [
    ['/', routedTo('root')],
    ['/foo', routedTo('other')],
    ['/bar', NOT_FOUND],
  ]),
  ...cases('7 prefix root', PREFIX_ROOT, [
    ['/bar', routedTo('root')],
    ['/foo', routedTo('other')],
    ['/', routedTo('root')],
    ['/the/hell', routedTo('root')],
    ['///you//', routedTo('root')],
    ['/!like!', routedTo('root')],
  ]),
  ...cases('8 double slashes', DOUBLE_SLASH, [
    ['//', routedTo('fallthrough')],
    // Collapsed for lookup only: the backend gets the path as sent.
    ['/foo/bar/baz//qux', { status: 200, body: 'recorder', backend: { url: '/foo/bar/baz//qux' } }],
    ['/foo//bar', { status: 200, body: 'recorder', backend: { url: '/foo//bar' } }],
  ]),
  ...cases('9 percent-encoded route', ENCODED, [
    ['/foo%20bar', { status: 200, body: 'recorder', backend: { url: '/foo%20bar' } }],
    ['/foo%20bar?x=%20', { status: 200, backend: { url: '/foo%20bar?x=%20' } }],
    ['/foo%20bar/', { status: 200, backend: { url: '/foo%20bar/' } }],
    ['/foo+bar', NOT_FOUND],
  ]),
];

// --- Portico's own path rules (docs/decisions/002-encoded-slash.md) ---------

const SLASHES = [exact('/foo/bar', 'backend-1'), exact('/foo%2Fbar', 'backend-2'), prefix('/files', 'recorder')];
const CATCH_ALL = [prefix('/', 'recorder')];
const UNICODE = [exact('/füßball', 'backend-1'), exact('/caf%C3%A9', 'backend-2')];

const PATHS: Case[] = [
  ...cases('%2F does not split a segment', SLASHES, [
    ['/foo/bar', routedTo('backend-1')],
    ['/foo%2Fbar', routedTo('backend-2')],
    ['/foo%2fbar', routedTo('backend-2')],
    ['/files/a%2Fb', { status: 200, backend: { url: '/files/a%2Fb' } }],
  ]),
  ...cases('%2F does not reach the route with a real slash', [exact('/foo/bar', 'backend-1')], [
    ['/foo%2Fbar', NOT_FOUND],
    ['/foo%2fbar', NOT_FOUND],
  ]),
  ...cases('dot segments and bad escapes are refused even under a catch-all', CATCH_ALL, [
    ['/foo/../bar', BAD_REQUEST],
    ['/foo/./bar', BAD_REQUEST],
    ['/..', BAD_REQUEST],
    ['/foo/%2e%2e/bar', BAD_REQUEST],
    ['/foo/%2E/bar', BAD_REQUEST],
    ['/.%2e/etc/passwd', BAD_REQUEST],
    ['/%zz', BAD_REQUEST],
    ['/foo%', BAD_REQUEST],
    ['/foo%2', BAD_REQUEST],
    ['/%E0%A4%A', BAD_REQUEST],
    ['/%C3%28', BAD_REQUEST],
    // Dots that are not whole segments are ordinary names.
    ['/...', { status: 200, backend: { url: '/...' } }],
    ['/foo.', { status: 200, backend: { url: '/foo.' } }],
    ['/.well-known/security.txt', { status: 200, backend: { url: '/.well-known/security.txt' } }],
    // An escape in the query is none of the router's business.
    ['/search?q=%zz', { status: 200, backend: { url: '/search?q=%zz' } }],
  ]),
  ...cases('non-ASCII routes match their UTF-8 escapes', UNICODE, [
    ['/f%C3%BC%C3%9Fball', routedTo('backend-1')],
    ['/caf%C3%A9', routedTo('backend-2')],
    ['/caf%c3%a9', routedTo('backend-2')],
    ['/cafe', NOT_FOUND],
  ]),
];

// --- 10-17: redirects --------------------------------------------------------

const R10 = [redirect('exact', '/foo', '/bar')];
const R11 = [redirect('exact', '/preserve-query', '/qux', { segments_mode: 'preserve' })];
const R12 = [redirect('exact', '/with-query', '/bar?query=true'), redirect('exact', '/with-fragment', '/bar#section')];
const R13 = [redirect('prefix', '/foo', '/bar')];
const R14 = [redirect('prefix', '/qux', '/baz', { segments_mode: 'ignore' })];
const R15 = [redirect('prefix', '/foo%20bar', '/bar%20baz')];
const R16 = [
  redirect('exact', '/foo', 'http://foo.example.com/foo'),
  redirect('exact', '/baz', 'http://foo.example.com/baz', { segments_mode: 'preserve' }),
  redirect('prefix', '/bar', 'http://bar.example.com/bar'),
  redirect('prefix', '/qux', 'http://bar.example.com/qux', { segments_mode: 'ignore' }),
];
const R17 = [
  redirect('prefix', '/foo', 'https://hmrc.service.gov.uk/pay', { segments_mode: 'ignore' }),
  redirect('exact', '/bar', 'https://bar.service.gov.uk/bar', { segments_mode: 'preserve' }),
  redirect('exact', '/baz', 'https://gov.uk/baz-luhrmann'),
  redirect('exact', '/pay-tax', 'https://tax.service.gov.uk/pay'),
  redirect('exact', '/biz-bank', 'https://british-business-bank.co.uk'),
  redirect('exact', '/query-paramed', 'https://param.servicegov.uk?included-param=true'),
  redirect('prefix', '/keep', '/kept'),
];
const TO_ROOT = [redirect('prefix', '/old', '/')];
const NON_ASCII_TARGETS = [redirect('exact', '/cafe', '/café'), redirect('exact', '/nihon', '/日本'), redirect('exact', '/ext', 'https://example.com/ü')];
const TEMPORARY = [
  redirect('exact', '/campaign', '/landing', { redirect_type: 'temporary' }),
  redirect('prefix', '/short', '/long', { redirect_type: 'temporary' }),
  redirect('exact', '/permanent', '/elsewhere', { redirect_type: 'permanent' }),
];

const REDIRECTS: Case[] = [
  ...cases('10 exact redirect', R10, [
    ['/foo', movedTo('/bar')],
    ['/foo?baz=qux', movedTo('/bar')],
    ['/foo/', movedTo('/bar')],
    ['/foo/child', NOT_FOUND],
  ]),
  ...cases('11 exact redirect preserving the query', R11, [
    ['/preserve-query?foo=bar', movedTo('/qux?foo=bar')],
    ['/preserve-query', movedTo('/qux')],
  ]),
  ...cases('12 redirect targets with a query or fragment', R12, [
    ['/with-query', movedTo('/bar?query=true')],
    ['/with-fragment', movedTo('/bar#section')],
  ]),
  ...cases('13 prefix redirect (preserve by default)', R13, [
    ['/foo', movedTo('/bar')],
    ['/foo/baz', movedTo('/bar/baz')],
    ['/foo?baz=qux', movedTo('/bar?baz=qux')],
    ['/foo/baz/qux?a=1&b=2', movedTo('/bar/baz/qux?a=1&b=2')],
    ['/foo/', movedTo('/bar/')],
    ['/foo//baz', movedTo('/bar/baz')],
    ['//foo/baz', movedTo('/bar/baz')],
    ['/foobar', NOT_FOUND],
  ]),
  ...cases('14 prefix redirect ignoring segments', R14, [
    ['/qux/quux', movedTo('/baz')],
    ['/qux/quux?foo=bar', movedTo('/baz')],
    ['/qux', movedTo('/baz')],
  ]),
  ...cases('15 prefix redirect with an encoded space', R15, [
    ['/foo%20bar/something', movedTo('/bar%20baz/something')],
    ['/foo%20bar', movedTo('/bar%20baz')],
  ]),
  ...cases('16 external targets', R16, [
    ['/foo', movedTo('http://foo.example.com/foo')],
    ['/foo?foo=qux', movedTo('http://foo.example.com/foo')],
    ['/baz?foo=qux', movedTo('http://foo.example.com/baz?foo=qux')],
    ['/bar', movedTo('http://bar.example.com/bar')],
    ['/bar/baz', movedTo('http://bar.example.com/bar/baz')],
    ['/bar?baz=qux', movedTo('http://bar.example.com/bar?baz=qux')],
    ['/qux/baz', movedTo('http://bar.example.com/qux')],
  ]),
  ...cases('17 _ga survives ignore-mode redirects', R17, [
    ['/foo?_ga=identifier&blah=xyz', movedTo('https://hmrc.service.gov.uk/pay?_ga=identifier')],
    ['/bar?wanted=param&_ga=xyz&blah=xyz', movedTo('https://bar.service.gov.uk/bar?wanted=param&_ga=xyz&blah=xyz')],
    ['/baz?_ga=identifier', movedTo('https://gov.uk/baz-luhrmann?_ga=identifier')],
    ['/pay-tax?_ga=12345', movedTo('https://tax.service.gov.uk/pay?_ga=12345')],
    ['/pay-tax/?_ga=12345&_ga=6789', movedTo('https://tax.service.gov.uk/pay?_ga=12345')],
    ['/biz-bank?unwanted=param&_ga=12345', movedTo('https://british-business-bank.co.uk?_ga=12345')],
    ['/query-paramed?unwanted_param=blah&_ga=12345', movedTo('https://param.servicegov.uk?_ga=12345&included-param=true')],
    ['/baz?_ga=', movedTo('https://gov.uk/baz-luhrmann')],
    ['/baz?not_ga=1', movedTo('https://gov.uk/baz-luhrmann')],
    // Preserve-mode redirects keep the whole raw query, _ga included, untouched.
    ['/keep/x?_ga=1&z=2', movedTo('/kept/x?_ga=1&z=2')],
  ]),
  ...cases('a preserve redirect to / never yields a protocol-relative Location', TO_ROOT, [
    ['/old/page', movedTo('/page')],
    ['/old', movedTo('/')],
    ['/old//evil.example.com', movedTo('/evil.example.com')],
    ['/old/%2F%2Fevil.example.com', movedTo('/%2F%2Fevil.example.com')],
  ]),
  {
    name: 'a preserve redirect to / never yields a protocol-relative Location: /old/\\evil.example.com',
    routes: TO_ROOT,
    request: { path: '/old/\\evil.example.com' },
    // Browsers read a backslash in a Location path as a slash.
    expect: { status: 301, location: '/%5Cevil.example.com' },
  },
  // Go's http.Redirect hex-escapes non-ASCII bytes in Location; a header is ASCII.
  ...cases('non-ASCII redirect targets are percent-encoded in Location', NON_ASCII_TARGETS, [
    ['/cafe', { status: 301, location: '/caf%C3%A9' }],
    ['/nihon', { status: 301, location: '/%E6%97%A5%E6%9C%AC' }],
    ['/ext', { status: 301, location: 'https://example.com/%C3%BC' }],
  ]),
  ...cases('temporary redirects answer 302 (Portico keeps redirect_type)', TEMPORARY, [
    ['/campaign', movedTo('/landing', 302)],
    ['/campaign?utm=x', movedTo('/landing', 302)],
    ['/short/a/b', movedTo('/long/a/b', 302)],
    ['/permanent', movedTo('/elsewhere', 301)],
  ]),
  {
    name: 'a HEAD redirect has the headers and no body',
    routes: R10,
    request: { method: 'HEAD', path: '/foo' },
    expect: { status: 301, location: '/bar', cached: true, body: '', headers: { 'content-type': 'text/html; charset=utf-8' } },
  },
  {
    name: 'a POST redirect has no body',
    routes: R10,
    request: { method: 'POST', path: '/foo', body: 'x=1' },
    expect: { status: 301, location: '/bar', cached: true, body: '', backend: 'none' },
  },
];

// --- 18: case normalisation --------------------------------------------------

const PIG = '/guidance/keeping-a-pet-pig-or-micropig';
const CASES_TABLE = [exact(PIG, 'recorder'), exact('/GUIDANCE/keeping-a-pet-pig-or-micropig', 'recorder')];

const CASE_NORMALISATION: Case[] = cases('18 case normalisation', CASES_TABLE, [
  [PIG.toUpperCase(), movedTo(PIG)],
  [`${PIG.toUpperCase()}?Pig=Kunekune`, movedTo(`${PIG}?Pig=Kunekune`)],
  [PIG, { status: 200, backend: { url: PIG } }],
  ['/GUIDANCE/keeping-a-pet-pig-or-micropig', { status: 200, backend: { url: '/GUIDANCE/keeping-a-pet-pig-or-micropig' } }],
  // ALL CAPS is redirected whether or not a route exists.
  ['/FOO', movedTo('/foo')],
  ['/FOO/BAR-2024', movedTo('/foo/bar-2024')],
  ['/FOO%20BAR', movedTo('/foo%20bar')],
  // Not ALL CAPS by the reference's rule: looked up as they are.
  ['/A', NOT_FOUND],
  ['/GOV_UK', NOT_FOUND],
  ['/1ABC', NOT_FOUND],
  ['/GoVeRnMeNt/gUiDaNcE', NOT_FOUND],
]);

// --- 19-20: gone ---------------------------------------------------------------

const GONE_TABLE = [gone('exact', '/foo'), gone('prefix', '/bar')];

const GONE_CASES: Case[] = cases('19-20 gone', GONE_TABLE, [
  ['/foo', GONE],
  ['/foo/bar', NOT_FOUND],
  ['/bar', GONE],
  ['/bar/baz', GONE],
  ['/bar/', GONE],
]);

// --- 31: empty table; 34-35: bad rows are skipped --------------------------------

const EMPTY: Case['routes'] = [];
const UNKNOWN_BACKEND = [
  exact('/foo', 'backend-1'),
  exact('/bar', 'does-not-exist'),
  exact('/baz', 'backend-2'),
  prefix('/qux', 'backend-1'),
];
const BAD_PATH = [exact('/foo', 'backend-1'), exact('/skipped/%zz', 'backend-2'), exact('/baz', 'backend-2')];
const BAD_BACKEND_URL = [
  exact('/foo', 'backend-1'),
  exact('/broken', 'broken'),
  exact('/broken-scheme', 'broken-scheme'),
  exact('/broken-port', 'broken-port'),
  exact('/baz', 'backend-2'),
];
const BROKEN_BACKENDS = [
  { backend_id: 'broken', backend_url: 'not a url' },
  { backend_id: 'broken-scheme', backend_url: 'ftp://example.com/' },
  { backend_id: 'broken-port', backend_url: 'http://127.0.0.1:0/' },
];

const LOADING: Case[] = [
  ...cases('31 empty table', EMPTY, [
    ['/', UNAVAILABLE],
    ['/foo', UNAVAILABLE],
    // The empty-table answer comes before any other rule.
    ['/FOO', UNAVAILABLE],
    ['/%zz', UNAVAILABLE],
  ]),
  ...cases('35 a route to an unknown backend is skipped', UNKNOWN_BACKEND, [
    ['/bar', NOT_FOUND],
    ['/foo', routedTo('backend-1')],
    ['/baz', routedTo('backend-2')],
    ['/qux', routedTo('backend-1')],
  ]),
  ...cases('34 a route with an unusable path is skipped', BAD_PATH, [
    ['/skipped', NOT_FOUND],
    ['/foo', routedTo('backend-1')],
    ['/baz', routedTo('backend-2')],
  ]),
  ...cases('a backend with an unusable URL is skipped, not the whole table', BAD_BACKEND_URL, [
    ['/broken', NOT_FOUND],
    ['/broken-scheme', NOT_FOUND],
    ['/broken-port', NOT_FOUND],
    ['/foo', routedTo('backend-1')],
    ['/baz', routedTo('backend-2')],
  ], { backends: BROKEN_BACKENDS }),
];

// --- request ids ----------------------------------------------------------------

const IDS = [exact('/foo', 'recorder'), redirect('exact', '/old', '/new'), gone('exact', '/gone')];

const REQUEST_IDS: Case[] = [
  ...cases('a request id is made when none is sent', IDS, [
    ['/foo', { status: 200, headers: { [REQUEST_ID_HEADER]: UUID }, backend: { headers: { [REQUEST_ID_HEADER]: UUID } } }],
    ['/old', { status: 301, headers: { [REQUEST_ID_HEADER]: UUID } }],
    ['/gone', { status: 410, headers: { [REQUEST_ID_HEADER]: UUID } }],
    ['/missing', { status: 404, headers: { [REQUEST_ID_HEADER]: UUID } }],
    ['/a/../b', { status: 400, headers: { [REQUEST_ID_HEADER]: UUID } }],
  ]),
  ...[
    ['/foo', 200],
    ['/old', 301],
    ['/gone', 410],
    ['/missing', 404],
  ].map(([path, status]): Case => ({
    name: `a sent request id is kept: ${path}`,
    routes: IDS,
    request: { path: path as string, headers: { [REQUEST_ID_HEADER]: 'trace-abc-123' } },
    expect: {
      status: status as number,
      headers: { [REQUEST_ID_HEADER]: 'trace-abc-123' },
      ...(status === 200 ? { backend: { headers: { [REQUEST_ID_HEADER]: 'trace-abc-123' } } } : {}),
    },
  })),
];

const TABLES: [string, Case[]][] = [
  ['route selection (8.2 items 1-9)', SELECTION],
  ['paths: encoded slashes, dot segments, escapes', PATHS],
  ['redirects (8.2 items 10-17)', REDIRECTS],
  ['case normalisation (8.2 item 18)', CASE_NORMALISATION],
  ['gone (8.2 items 19-20)', GONE_CASES],
  ['loading: empty table and skipped rows (8.2 items 31, 34, 35)', LOADING],
  ['request ids', REQUEST_IDS],
];

for (const [title, table] of TABLES) {
  describe(title, () => {
    for (const c of table) test(c.name, { todo: c.todo }, () => h.run(c).then(() => undefined));
  });
}

test('a generated request id reaches the backend as the same value the client is given', async () => {
  await h.useRoutes(IDS);
  h.recorded.length = 0;
  const res = await h.send({ path: '/foo' });
  assert.equal(res.status, 200);
  assert.match(res.headers[REQUEST_ID_HEADER] ?? '', UUID);
  assert.equal(h.recorded[0]?.headers[REQUEST_ID_HEADER], res.headers[REQUEST_ID_HEADER]);
  const again = await h.send({ path: '/foo' });
  assert.notEqual(again.headers[REQUEST_ID_HEADER], res.headers[REQUEST_ID_HEADER], 'a fresh id per request');
});

test('skipped rows are counted and left out of the table the admin port lists', async () => {
  await h.useRoutes(UNKNOWN_BACKEND);
  const listed = JSON.parse((await h.admin('GET', '/routes')).body) as { count: number; routes: { incoming_path: string }[] };
  assert.equal(listed.count, 3);
  assert.deepEqual(listed.routes.map((r) => r.incoming_path).sort(), ['/baz', '/foo', '/qux']);
  assert.equal(metricSample(await h.metrics(), 'router_routes_skipped'), 1);
});

test('the not-found counter rises by exactly the number of misses', async () => {
  await h.useRoutes(EXACT);
  const count = async () => metricSample(await h.metrics(), 'router_requests_total', { handler: 'not_found' });
  const before = await count();
  for (const path of ['/foo', '/nope', '/bar', '/foo/bar', '/baz', '/wibble']) await h.send({ path });
  assert.equal((await count()) - before, 3);
});
