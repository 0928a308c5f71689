import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RedirectEntry, RouteEntry } from '../../content-store/content-item.ts';
import { validBasePath, validateRoutesAndRedirects, type RoutesAndRedirects } from './routes.ts';

const NOT_A_PATH = 'must be an absolute path such as /browse/benefits (URL path characters only)';

const BASE_PATHS: [string, string | null][] = [
  ['/', null],
  ['/vat-rates', null],
  ['/government/news/new-grants', null],
  ['/foo%20bar', null],
  ['/search.json', null],
  ["/a-z:~!$&'()*+,;=@._", null],
  ['/COVID-19-guidance', null], // lower case letters make it reachable
  ['/' + 'a'.repeat(511), null],
  ['vat-rates', 'must start with /'],
  ['', 'must start with /'],
  ['/' + 'a'.repeat(512), 'must be at most 512 bytes'],
  ['/vat rates', NOT_A_PATH],
  ['/vat-rates?year=2024', NOT_A_PATH],
  ['/vat-rates#top', NOT_A_PATH],
  ['/caf\u00e9', NOT_A_PATH],
  ['//vat-rates', NOT_A_PATH],
  ['/%zz', NOT_A_PATH],
  ['/vat-rates/', 'must not end with / or contain //'],
  ['/vat//rates', 'must not end with / or contain //'],
  ['/a/../b', 'must not contain a malformed %-escape or a . or .. segment'],
  ['/a/%2E%2E/b', 'must not contain a malformed %-escape or a . or .. segment'],
  ['/%C3', 'must not contain a malformed %-escape or a . or .. segment'],
  ['/VAT-RATES', 'must not be all capitals (the router sends those to lower case)'],
];

for (const [path, reason] of BASE_PATHS) {
  test(`validBasePath(${JSON.stringify(path.length > 40 ? path.slice(0, 20) + '…' : path)})`, () => {
    assert.equal(validBasePath(path), reason);
  });
}

const exact = (path: string): RouteEntry => ({ path, type: 'exact' });
const prefix = (path: string): RouteEntry => ({ path, type: 'prefix' });
const redirect = (path: string, destination: string, more: Partial<RedirectEntry> = {}): RedirectEntry => ({
  path,
  type: 'exact',
  destination,
  ...more,
});
const page = (base_path: string, routes: RouteEntry[], redirects?: RedirectEntry[]): RoutesAndRedirects => ({
  base_path,
  schema_name: 'guide',
  routes,
  ...(redirects ? { redirects } : {}),
});
const redirectItem = (base_path: string, redirects: RedirectEntry[]): RoutesAndRedirects => ({
  base_path,
  schema_name: 'redirect',
  redirects,
});

const VALID: [string, RoutesAndRedirects][] = [
  ['a page with its exact route', page('/vat-rates', [exact('/vat-rates')])],
  ['a guide with a prefix route and a part', page('/keeping-bees', [prefix('/keeping-bees'), exact('/keeping-bees/inspections')])],
  ['the homepage with another route below /', page('/', [exact('/'), exact('/help')])],
  ['a redirect item', redirectItem('/old', [redirect('/old', '/new'), redirect('/old/sub', '/new/sub', { type: 'prefix' })])],
  ['a redirect to the home page', redirectItem('/old', [redirect('/old', '/')])],
  ['an external https redirect', redirectItem('/old', [redirect('/old', 'https://www.example.org/new-home?from=old#top')])],
  ['an exact redirect with a query (segments ignored by default)', redirectItem('/old', [redirect('/old', '/new?tab=2')])],
  ['a prefix redirect with a query and segments ignored',
    redirectItem('/old', [redirect('/old', '/new?tab=2', { type: 'prefix', segments_mode: 'ignore' })])],
  ['a temporary redirect', redirectItem('/offer', [redirect('/offer', '/campaigns/spring', { redirect_type: 'temporary' })])],
  ['routes spelt with other escapes of the base path', page('/caf%C3%A9', [exact('/caf%c3%a9'), exact('/caf%C3%A9/menu')])],
  ['a page with a redirect below it', page('/vat-rates', [exact('/vat-rates')], [redirect('/vat-rates/2019', '/vat-rates')])],
];

for (const [what, input] of VALID) {
  test(`valid: ${what}`, () => assert.equal(validateRoutesAndRedirects(input), null));
}

const INVALID: [string, RoutesAndRedirects, Record<string, string[]>][] = [
  ['a route outside the base path', page('/vat', [exact('/vat'), exact('/vat-rates')]),
    { 'routes[1].path': ['must be /vat or below it'] }],
  ['a route beside the base path', page('/vat/rates', [exact('/vat/rates'), exact('/vat')]),
    { 'routes[1].path': ['must be /vat/rates or below it'] }],
  ['no route for the base path', page('/vat', [exact('/vat/2024')]), { routes: ['must include the base path /vat'] }],
  ['a gone without routes', { base_path: '/old', schema_name: 'gone' }, { routes: ['must include the base path /old'] }],
  ['a repeated route', page('/vat', [exact('/vat'), prefix('/vat')]), { 'routes[1].path': ['repeats routes[0].path'] }],
  ['a route repeated with other escapes', page('/caf%C3%A9', [exact('/caf%C3%A9'), prefix('/caf%c3%a9')]),
    { 'routes[1].path': ['repeats routes[0].path'] }],
  ['a redirect at a route path', page('/vat', [exact('/vat')], [redirect('/vat', '/tax')]),
    { 'redirects[0].path': ['repeats routes[0].path'] }],
  ['a redirect item without its base path', redirectItem('/old', [redirect('/old/a', '/new')]),
    { redirects: ['must include the base path /old'] }],
  ['a redirect item with routes but no base redirect',
    { base_path: '/old', schema_name: 'redirect', routes: [exact('/old')], redirects: [redirect('/old/a', '/new')] },
    { redirects: ['must include the base path /old'] }],
  ['a redirect path outside the base path', redirectItem('/old', [redirect('/old', '/new'), redirect('/older', '/new')]),
    { 'redirects[1].path': ['must be /old or below it'] }],
  ['a route path with a trailing slash', page('/vat', [exact('/vat'), exact('/vat/')]),
    { 'routes[1].path': ['must not end with / or contain //'] }],
  ['a destination ending in /', redirectItem('/old', [redirect('/old', '/new/')]),
    { 'redirects[0].destination': ['must not end with /'] }],
  ['a destination ending in / before its query', redirectItem('/old', [redirect('/old', '/new/?a=1')]),
    { 'redirects[0].destination': ['must not end with /'] }],
  ['a protocol-relative destination', redirectItem('/old', [redirect('/old', '//evil.example/x')]),
    { 'redirects[0].destination': ['must be a path such as /new-page or an https URL'] }],
  ['a destination with a space', redirectItem('/old', [redirect('/old', '/new page')]),
    { 'redirects[0].destination': ['must be a path such as /new-page or an https URL'] }],
  ['an http destination', redirectItem('/old', [redirect('/old', 'http://www.example.org/new')]),
    { 'redirects[0].destination': ['must use https'] }],
  ['a mailto destination', redirectItem('/old', [redirect('/old', 'mailto:help@example.org')]),
    { 'redirects[0].destination': ['must use https'] }],
  ['a relative destination', redirectItem('/old', [redirect('/old', 'new-page')]),
    { 'redirects[0].destination': ['must be a path starting with / or an https URL'] }],
  ['a destination with credentials', redirectItem('/old', [redirect('/old', 'https://www.example.org@evil.example/')]),
    { 'redirects[0].destination': ['must not contain a user name or password'] }],
  ['a redirect to itself', redirectItem('/old', [redirect('/old', '/old')]),
    { 'redirects[0].destination': ["must not be the redirect's own path"] }],
  ['a redirect to itself spelt with an escape', redirectItem('/old', [redirect('/old', '/ol%64')]),
    { 'redirects[0].destination': ["must not be the redirect's own path"] }],
  ['a query with segments preserved', redirectItem('/old', [redirect('/old', '/new?a=1', { segments_mode: 'preserve' })]),
    { 'redirects[0].destination': ['must not have a query string or fragment when segments_mode is preserve'] }],
  ['an external fragment with segments preserved',
    redirectItem('/old', [redirect('/old', 'https://www.example.org/new#top', { segments_mode: 'preserve' })]),
    { 'redirects[0].destination': ['must not have a query string or fragment when segments_mode is preserve'] }],
  ['a fragment on a prefix redirect (preserve by default)', redirectItem('/old', [redirect('/old', '/new#top', { type: 'prefix' })]),
    { 'redirects[0].destination': [
      'must not have a query string or fragment when segments_mode is preserve (the default for a prefix redirect; set segments_mode to ignore)',
    ] }],
  ['a malformed base path, whose containment is not checked', page('/vat/', [exact('/vat/'), exact('/elsewhere')]),
    { base_path: ['must not end with / or contain //'], 'routes[0].path': ['must not end with / or contain //'] }],
  ['several problems at once', page('/vat', [exact('/vat/a'), exact('/tax')], [redirect('/vat/b', 'http://x.example')]),
    {
      'routes[1].path': ['must be /vat or below it'],
      'redirects[0].destination': ['must use https'],
      routes: ['must include the base path /vat'],
    }],
];

for (const [what, input, expected] of INVALID) {
  test(`invalid: ${what}`, () => assert.deepEqual(validateRoutesAndRedirects(input), expected));
}
