import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkContentPayload } from './payload.ts';

const valid = () => ({
  base_path: '/ignored',
  content_id: 'c7a1a9e8-0000-4000-8000-000000000001',
  locale: 'en',
  document_type: 'answer',
  schema_name: 'answer',
  publishing_app: 'publisher',
  rendering_app: 'frontend',
  title: 'A thing',
  details: {},
  routes: [{ path: '/thing', type: 'exact' }],
  redirects: [] as unknown[],
  expanded_links: {},
  public_updated_at: '2024-01-02T03:04:05Z',
  payload_version: 1,
});

function fieldsOf(body: unknown, basePath = '/thing'): Record<string, string[]> {
  const r = checkContentPayload(body, basePath);
  assert.equal(r.ok, false, 'expected the payload to be refused');
  return r.ok ? {} : r.fields;
}

test('a valid payload takes the base path from the URL and canonical route paths', () => {
  const body = { ...valid(), routes: [{ path: '/thing', type: 'exact' }, { path: '/th%c3%afng', type: 'prefix' }] };
  const r = checkContentPayload(body, '/thing');
  assert.ok(r.ok);
  assert.equal(r.payload.base_path, '/thing');
  assert.deepEqual(r.payload.routes.map((x) => x.path), ['/thing', '/th%C3%AFng']);
  assert.equal(r.registration.routes.length, 2);
});

test('every bad field is named', () => {
  const body: Record<string, unknown> = { ...valid(), colour: 'red', payload_version: '5', rendering_app: 'Not OK', routes: [{ path: 'x', type: 'fuzzy' }] };
  delete body.content_id;
  const fields = fieldsOf(body);
  assert.deepEqual(fields.colour, ['is not a known field']);
  assert.deepEqual(fields.content_id, ['is required']);
  assert.deepEqual(fields.payload_version, ['must be integer']);
  assert.ok(fields.rendering_app);
  assert.match(fields['routes[0].type']!.join(), /exact, prefix/);
});

test('nested shapes and timestamps', () => {
  const fields = fieldsOf({
    ...valid(),
    redirects: [{ path: '/thing/old', type: 'exact' }],
    withdrawn_notice: { explanation: 'x', withdrawn_at: 'yesterday' },
    first_published_at: 'not a date',
    details: [],
  });
  assert.deepEqual(fields['redirects[0].destination'], ['is required']);
  assert.ok(fields['withdrawn_notice.withdrawn_at']);
  assert.ok(fields.first_published_at);
  assert.deepEqual(fields.details, ['must be object']);
});

test('route paths follow the router rules', () => {
  const fields = fieldsOf({
    ...valid(),
    routes: [{ path: '/thing/', type: 'exact' }, { path: '/a/%2e%2e/b', type: 'exact' }],
    redirects: [{ path: '/x?y', type: 'exact', destination: '/z' }],
  });
  assert.match(fields['routes[0].path']!.join(), /end with \//);
  assert.match(fields['routes[1].path']!.join(), /\.\. segments/);
  assert.match(fields['redirects[0].path']!.join(), /query/);
});

test('redirect destinations go through the router checks', () => {
  const fields = fieldsOf({
    ...valid(),
    schema_name: 'redirect',
    redirects: [
      { path: '/thing', type: 'exact', destination: 'nowhere' },
      { path: '/thing', type: 'prefix', destination: '/new?x=1' },
    ],
  });
  assert.ok(fields['redirects[0].destination']);
  assert.match(fields['redirects[1].destination']!.join(), /preserve/);
});

test('the same path and type twice is refused, after canonicalisation', () => {
  const fields = fieldsOf({
    ...valid(),
    routes: [{ path: '/thing', type: 'exact' }, { path: '/th%69ng', type: 'exact' }],
    redirects: [{ path: '/thing', type: 'exact', destination: '/x' }],
  });
  assert.match(fields['routes[1].path']!.join(), /duplicates the exact path of routes\[0\]/);
  assert.match(fields['redirects[0].path']!.join(), /duplicates/);
});

test('details, routes, redirects and expanded_links default to empty', () => {
  const body: Record<string, unknown> = { ...valid(), schema_name: 'gone', rendering_app: null };
  for (const k of ['details', 'routes', 'redirects', 'expanded_links']) delete body[k];
  const r = checkContentPayload(body, '/thing');
  assert.ok(r.ok);
  assert.deepEqual([r.payload.details, r.payload.routes, r.payload.redirects, r.payload.expanded_links], [{}, [], [], {}]);
  assert.deepEqual(r.registration.routes.map((x) => `${x.record.handler} ${x.record.incoming_path}`), ['gone /thing']);
});

test('not an object at all', () => {
  assert.deepEqual(fieldsOf([]), { '(body)': ['must be object'] });
  assert.deepEqual(fieldsOf('x'), { '(body)': ['must be object'] });
});
