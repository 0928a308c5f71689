import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteRecord } from '../router/routes.ts';
import { hasBlankDetails, registerRoutes, type RegistrableItem } from './route-registration.ts';

const item = (over: Partial<RegistrableItem>): RegistrableItem => ({
  base_path: '/thing',
  schema_name: 'answer',
  rendering_app: 'frontend',
  details: {},
  routes: [{ path: '/thing', type: 'exact' }],
  redirects: [],
  ...over,
});

const backend = (incoming_path: string, route_type: 'exact' | 'prefix', backend_id: string): RouteRecord => ({
  incoming_path, route_type, handler: 'backend', backend_id, redirect_to: null, redirect_type: null, segments_mode: null,
});
const gone = (incoming_path: string, route_type: 'exact' | 'prefix'): RouteRecord => ({
  incoming_path, route_type, handler: 'gone', backend_id: null, redirect_to: null, redirect_type: null, segments_mode: null,
});
const redirect = (
  incoming_path: string,
  route_type: 'exact' | 'prefix',
  redirect_to: string,
  redirect_type: 'permanent' | 'temporary',
  segments_mode: 'preserve' | 'ignore',
): RouteRecord => ({ incoming_path, route_type, handler: 'redirect', backend_id: null, redirect_to, redirect_type, segments_mode });

interface Case {
  name: string;
  item: RegistrableItem;
  routes: RouteRecord[];
  sources?: string[];
  /** A fragment every unroutable reason must contain, or none expected. */
  unroutable?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'a normal item routes to its rendering app',
    item: item({ routes: [{ path: '/thing', type: 'exact' }, { path: '/thing/parts', type: 'prefix' }] }),
    routes: [backend('/thing', 'exact', 'frontend'), backend('/thing/parts', 'prefix', 'frontend')],
    sources: ['routes[0]', 'routes[1]'],
  },
  {
    name: "a normal item's redirects are redirect routes (Portico differs from the reference)",
    item: item({ redirects: [{ path: '/thing/old', type: 'exact', destination: '/thing' }] }),
    routes: [backend('/thing', 'exact', 'frontend'), redirect('/thing/old', 'exact', '/thing', 'permanent', 'ignore')],
    sources: ['routes[0]', 'redirects[0]'],
  },
  {
    name: 'a redirect item: redirects only, routes and rendering app ignored',
    item: item({
      schema_name: 'redirect',
      redirects: [
        { path: '/thing', type: 'exact', destination: '/new' },
        { path: '/thing', type: 'prefix', destination: '/new' },
        { path: '/thing/x', type: 'prefix', destination: 'https://example.com/y', segments_mode: 'ignore', redirect_type: 'temporary' },
        { path: '/thing/z', type: 'exact', destination: '/z', segments_mode: 'preserve' },
      ],
    }),
    routes: [
      redirect('/thing', 'exact', '/new', 'permanent', 'ignore'),
      redirect('/thing', 'prefix', '/new', 'permanent', 'preserve'),
      redirect('/thing/x', 'prefix', 'https://example.com/y', 'temporary', 'ignore'),
      redirect('/thing/z', 'exact', '/z', 'permanent', 'preserve'),
    ],
  },
  {
    name: 'a redirect item with no redirects registers nothing',
    item: item({ schema_name: 'redirect' }),
    routes: [],
    unroutable: /redirect item with no redirects/,
  },
  {
    name: 'gone with empty details: a gone route for each route',
    item: item({ schema_name: 'gone', rendering_app: null, routes: [{ path: '/thing', type: 'exact' }, { path: '/thing', type: 'prefix' }] }),
    routes: [gone('/thing', 'exact'), gone('/thing', 'prefix')],
  },
  {
    name: 'gone with blank details and no routes: the base path, exact',
    item: item({ schema_name: 'gone', rendering_app: null, routes: [], details: { explanation: '  ', alternative_path: null } }),
    routes: [gone('/thing', 'exact')],
    sources: ['base_path'],
  },
  {
    name: 'gone with an explanation: a page its rendering app renders',
    item: item({ schema_name: 'gone', rendering_app: 'government-frontend', details: { explanation: '<p>Withdrawn</p>' } }),
    routes: [backend('/thing', 'exact', 'government-frontend')],
  },
  {
    name: 'gone with an explanation and no rendering app: frontend',
    item: item({ schema_name: 'gone', rendering_app: null, routes: [], details: { alternative_path: '/elsewhere' } }),
    routes: [backend('/thing', 'exact', 'frontend')],
  },
  {
    name: 'no rendering app: routes are not registered, redirects still are',
    item: item({ rendering_app: null, redirects: [{ path: '/thing/old', type: 'prefix', destination: '/thing' }] }),
    routes: [redirect('/thing/old', 'prefix', '/thing', 'permanent', 'preserve')],
    unroutable: /no rendering_app for its 1 route/,
  },
  {
    name: 'no rendering app and no redirects: nothing',
    item: item({ rendering_app: undefined }),
    routes: [],
    unroutable: /no rendering_app/,
  },
  {
    name: 'an empty rendering app is no rendering app',
    item: item({ rendering_app: '' }),
    routes: [],
    unroutable: /no rendering_app/,
  },
  {
    name: 'no routes at all',
    item: item({ routes: [] }),
    routes: [],
    unroutable: /no routes and no redirects/,
  },
];

for (const c of CASES) {
  test(c.name, () => {
    const r = registerRoutes(c.item);
    assert.deepEqual(r.routes.map((x) => x.record), c.routes);
    if (c.sources) assert.deepEqual(r.routes.map((x) => x.source), c.sources);
    if (c.unroutable) {
      assert.ok(r.unroutable.length > 0, 'expected an unroutable reason');
      for (const reason of r.unroutable) assert.match(reason, c.unroutable);
    } else {
      assert.deepEqual(r.unroutable, []);
    }
  });
}

test('blank details, as Ruby means blank', () => {
  assert.equal(hasBlankDetails({}), true);
  assert.equal(hasBlankDetails({ a: '', b: null, c: [], d: {}, e: false, f: ' \n' }), true);
  assert.equal(hasBlankDetails({ a: 0 }), false);
  assert.equal(hasBlankDetails({ a: 'x' }), false);
  assert.equal(hasBlankDetails({ a: [''] }), false);
});
