import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incomingPathErrors, preservesSegments, validateBackend, validateRoute } from './routes.ts';
import { parseRoutesFile } from './routes-file.ts';

test('valid incoming paths', () => {
  for (const p of ['/', '/foo', '/foo/BAR', '/foo%20bar', '/government/organisations', '/.well-known/security.txt']) {
    assert.deepEqual(incomingPathErrors(p), [], p);
  }
});

test('invalid incoming paths say why', () => {
  const cases: [string, RegExp][] = [
    ['foo', /start with \//],
    ['http://example.com/foo', /start with \//],
    ['/foo?x=1', /query or fragment/],
    ['/foo#x', /query or fragment/],
    ['/foo/', /end with \//],
    ['/foo//bar', /\/\//],
    ['/foo bar', /white space/],
    ['/foo%zz', /percent-escape/],
    ['/a/../b', /\.\. segments/],
  ];
  for (const [path, why] of cases) {
    assert.match(incomingPathErrors(path).join('; '), why, path);
  }
});

const ROUTE_ERRORS: [string, unknown, string][] = [
  ['missing fields', {}, 'incoming_path'],
  ['bad route_type', { incoming_path: '/a', route_type: 'fuzzy', handler: 'gone' }, 'route_type'],
  ['backend without backend_id', { incoming_path: '/a', route_type: 'exact', handler: 'backend' }, 'backend_id'],
  ['redirect without target', { incoming_path: '/a', route_type: 'exact', handler: 'redirect' }, 'redirect_to'],
  ['relative redirect target', { incoming_path: '/a', route_type: 'exact', handler: 'redirect', redirect_to: 'thing' }, 'redirect_to'],
  ['ftp redirect target', { incoming_path: '/a', route_type: 'exact', handler: 'redirect', redirect_to: 'ftp://x/y' }, 'redirect_to'],
  ['preserve target with query', { incoming_path: '/a', route_type: 'prefix', handler: 'redirect', redirect_to: '/b?x=1', segments_mode: 'preserve' }, 'redirect_to'],
  ['gone with backend', { incoming_path: '/a', route_type: 'exact', handler: 'gone', backend_id: 'x' }, 'backend_id'],
  ['unknown field', { incoming_path: '/a', route_type: 'exact', handler: 'gone', colour: 'red' }, 'colour'],
  ['bad backend id', { incoming_path: '/a', route_type: 'exact', handler: 'backend', backend_id: 'Foo+Bar' }, 'backend_id'],
  ['wrong type', { incoming_path: 7, route_type: 'exact', handler: 'gone' }, 'incoming_path'],
];

for (const [name, value, field] of ROUTE_ERRORS) {
  test(`route rejected: ${name} (names ${field})`, () => {
    const { route, errors } = validateRoute(value);
    assert.equal(route, undefined);
    assert.ok(errors.some((e) => e.field === field), JSON.stringify(errors));
  });
}

test('valid routes of each handler', () => {
  for (const r of [
    { incoming_path: '/a', route_type: 'exact', handler: 'backend', backend_id: 'frontend' },
    { incoming_path: '/a', route_type: 'prefix', handler: 'redirect', redirect_to: 'https://www.oisc.gov.uk', redirect_type: 'temporary' },
    { incoming_path: '/a', route_type: 'exact', handler: 'gone' },
  ]) {
    assert.deepEqual(validateRoute(r).errors, []);
  }
});

test('backend URLs must be http(s) without query or fragment', () => {
  assert.deepEqual(validateBackend({ backend_id: 'frontend', backend_url: 'http://127.0.0.1:8093/' }).errors, []);
  for (const bad of ['ftp://x/', 'mailto:a@b', 'www.example.org/foo', '/relative/url', 'http://', 'http://x/?q=1', 'http://x/#f']) {
    assert.equal(validateBackend({ backend_id: 'x', backend_url: bad }).errors[0]?.field, 'backend_url', bad);
  }
});

test('segments are preserved by default on prefix redirects only', () => {
  const base = { incoming_path: '/a', handler: 'redirect', redirect_to: '/b' } as const;
  assert.equal(preservesSegments({ ...base, route_type: 'prefix' }), true);
  assert.equal(preservesSegments({ ...base, route_type: 'exact' }), false);
  assert.equal(preservesSegments({ ...base, route_type: 'prefix', segments_mode: 'ignore' }), false);
  assert.equal(preservesSegments({ ...base, route_type: 'exact', segments_mode: 'preserve' }), true);
});

test('a routes file reports every bad line with its number and field', () => {
  const text = [
    '{"backend_id":"frontend","backend_url":"http://127.0.0.1:8093/"}',
    '',
    '{"incoming_path":"/a","route_type":"exact","handler":"backend","backend_id":"frontend"}',
    'not json',
    '{"incoming_path":"a","route_type":"exact","handler":"gone"}',
    '[1]',
    '{"backend_id":"x","backend_url":"ftp://nope/"}',
  ].join('\n');
  const parsed = parseRoutesFile(text);
  assert.equal(parsed.backends.length, 1);
  assert.equal(parsed.routes.length, 1);
  assert.deepEqual(
    parsed.errors.map((e) => [e.line, e.field]),
    [[4, '(line)'], [5, 'incoming_path'], [6, '(line)'], [7, 'backend_url']],
  );
});
