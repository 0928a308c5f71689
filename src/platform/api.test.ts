import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ApiError, createApi, requirePermission, type Api } from './api.ts';
import { injectJson, type InjectOptions, type Sent } from './api-testing.ts';
import type { Authenticate, Principal } from './auth.ts';
import { createLogger } from './log.ts';

const WRITER = 'writer-token';
const READER = 'reader-token';
const principals = new Map<string, Principal>([
  [WRITER, { tokenId: 't1', name: 'publisher', permissions: ['things.write'] }],
  [READER, { tokenId: 't2', name: 'reader', permissions: ['things.read'] }],
]);
const authenticate: Authenticate = async (token) => principals.get(token) ?? null;

type Line = Record<string, unknown> & { level: string; msg: string };
const lines: Line[] = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Line);
    done();
  },
});

let ready = true;
let api: Api;

before(async () => {
  api = createApi({
    name: 'things',
    log: createLogger({ level: 'debug', destination }),
    bodyLimit: 1024,
    readiness: [
      {
        name: 'database',
        check: () => {
          if (!ready) throw new Error('no answer');
        },
      },
    ],
  });
  const { app } = api;
  const write = { onRequest: requirePermission(authenticate, 'things.write') };
  app.get('/things/:id', async (req) => ({ id: (req.params as { id: string }).id }));
  app.put('/things/:id', write, async (req) => ({ by: req.principal?.name, body: req.body }));
  app.post(
    '/checked',
    { schema: { body: { type: 'object', required: ['title'], properties: { title: { type: 'string' }, parts: { type: 'array', items: { type: 'integer' } } } } } },
    async () => ({}),
  );
  app.get('/conflict', async () => {
    throw new ApiError(409, 'conflict', 'Someone else got there first', { previous_version: ['is stale'] }, { lock_version: 3 });
  });
  app.get('/broken', async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'rows')");
  });
  app.get('/refused', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  app.get('/terminated', async () => {
    throw new Error('Connection terminated unexpectedly');
  });
  const broken = requirePermission(async () => {
    throw new Error('signon down');
  }, 'things.write');
  app.put('/guarded-by-broken-signon', { onRequest: broken }, async () => ({}));
  await app.ready();
});

after(async () => {
  await api?.app.close();
});

const call = (method: 'GET' | 'PUT' | 'POST', url: string, opts?: InjectOptions) => injectJson(api.app, method, url, opts);

/** Asserts the one error shape: exactly `{"error": {"code", "message", ...members}}`. */
function assertError(res: Sent, status: number, code: string, members: string[] = []): Record<string, any> {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', ...members].sort());
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  return body.error;
}

const linesFor = (requestId: string) => lines.filter((l) => l.request_id === requestId);

describe('request id', () => {
  test("a caller's id that looks like one is kept and echoed", async () => {
    const res = await call('GET', '/things/1', { headers: { 'portico-request-id': 'frontend:abc-123/7' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['portico-request-id'], 'frontend:abc-123/7');
  });

  test('otherwise a new UUID, on every answer, errors included', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const given of [undefined, 'has spaces', 'x'.repeat(201), '<script>']) {
      const res = await call('GET', '/nowhere', given === undefined ? {} : { headers: { 'portico-request-id': given } });
      assert.equal(res.status, 404);
      assert.match(String(res.headers['portico-request-id']), uuid, String(given));
    }
    const a = await call('GET', '/things/1');
    const b = await call('GET', '/things/1');
    assert.notEqual(a.headers['portico-request-id'], b.headers['portico-request-id']);
  });

  test('every line a request logs carries request_id; reads at debug, writes at info with the principal', async () => {
    await call('GET', '/things/7', { headers: { 'portico-request-id': 'read-1' } });
    const read = linesFor('read-1');
    assert.deepEqual(read.map((l) => [l.level, l.msg]), [['debug', 'request completed']]);
    assert.equal(read[0]!.status, 200);
    assert.equal(read[0]!.url, '/things/7');

    await call('PUT', '/things/7', { token: WRITER, body: {}, headers: { 'portico-request-id': 'write-1' } });
    const write = linesFor('write-1');
    assert.deepEqual(write.map((l) => [l.level, l.msg]), [['info', 'request completed']]);
    assert.equal(write[0]!.principal, 'publisher');
    assert.equal(write[0]!.method, 'PUT');

    await call('GET', '/broken', { headers: { 'portico-request-id': 'broken-1' } });
    assert.ok(linesFor('broken-1').some((l) => l.level === 'error'), 'the error line carries the request id too');
  });
});

describe('errors', () => {
  test('malformed or empty JSON is 400 malformed_json', async () => {
    const malformed = assertError(await call('PUT', '/things/1', { token: WRITER, raw: '{"title": ' }), 400, 'malformed_json');
    assert.match(malformed.message, /JSON/);
    assertError(await call('PUT', '/things/1', { token: WRITER, raw: '' }), 400, 'malformed_json');
  });

  test('a body that is not application/json is 415', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      assertError(await call('PUT', '/things/1', { token: WRITER, raw: 'title=x', contentType }), 415, 'unsupported_media_type');
    }
    const json = await call('PUT', '/things/1', { token: WRITER, raw: '{"a":1}', contentType: 'application/json; charset=utf-8' });
    assert.deepEqual(json.json(), { by: 'publisher', body: { a: 1 } });
  });

  test('a body over the limit is 413', async () => {
    assertError(await call('PUT', '/things/1', { token: WRITER, body: { text: 'x'.repeat(2000) } }), 413, 'payload_too_large');
  });

  test('a URL that cannot be decoded is 400 bad_request, with the request id', async () => {
    const res = await call('GET', '/things/%E0%A4%A', { headers: { 'portico-request-id': 'bad-url' } });
    assertError(res, 400, 'bad_request');
    assert.equal(res.headers['portico-request-id'], 'bad-url');
  });

  test('schema validation is 422 naming the field', async () => {
    for (const [body, field] of [
      [{ parts: [1] }, 'title'],
      [{ title: 'x', parts: [1, 'two'] }, 'parts[1]'],
      [[], '(body)'],
    ] as const) {
      const error = assertError(await call('POST', '/checked', { body }), 422, 'validation_failed', ['fields']);
      assert.deepEqual(Object.keys(error.fields), [field]);
      assert.ok(error.fields[field].length > 0);
    }
  });

  test('an unknown endpoint is 404 not_found', async () => {
    const error = assertError(await call('GET', '/nowhere?x=1'), 404, 'not_found');
    assert.equal(error.message, 'No endpoint GET /nowhere');
  });

  test('an ApiError is answered as it is, fields and extra members included', async () => {
    const error = assertError(await call('GET', '/conflict'), 409, 'conflict', ['fields', 'lock_version']);
    assert.deepEqual(error.fields, { previous_version: ['is stale'] });
    assert.equal(error.lock_version, 3);
  });

  test('an unexpected error is 500 internal_error, logged with the error, its details not sent', async () => {
    const res = await call('GET', '/broken', { headers: { 'portico-request-id': 'broken-2' } });
    const error = assertError(res, 500, 'internal_error');
    assert.doesNotMatch(error.message, /rows/);
    const logged = linesFor('broken-2').find((l) => l.level === 'error');
    assert.ok(logged, 'an error line');
    assert.match(String((logged.err as { message?: string }).message), /reading 'rows'/);
  });

  test('a database that cannot be reached is 503 database_unavailable with Retry-After, logged at warn', async () => {
    for (const url of ['/refused', '/terminated']) {
      const res = await call('GET', url, { headers: { 'portico-request-id': `down${url.replace('/', '-')}` } });
      assertError(res, 503, 'database_unavailable');
      assert.equal(res.headers['retry-after'], '5', url);
      const levels = linesFor(`down${url.replace('/', '-')}`).map((l) => l.level);
      assert.ok(levels.includes('warn'), `${url} logs a warning`);
      assert.ok(!levels.includes('error'), `${url} logs no error`);
    }
  });
});

describe('requirePermission', () => {
  test('401 unauthenticated with WWW-Authenticate for a missing, malformed or unknown token', async () => {
    const cases: Record<string, string>[] = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }, { authorization: 'Bearer unknown' }];
    for (const headers of cases) {
      const res = await call('PUT', '/things/1', { body: {}, headers });
      assertError(res, 401, 'unauthenticated');
      assert.equal(res.headers['www-authenticate'], 'Bearer', JSON.stringify(headers));
    }
  });

  test('the token is checked before the body is read', async () => {
    assertError(await call('PUT', '/things/1', { raw: '{not json' }), 401, 'unauthenticated');
    assertError(await call('PUT', '/things/1', { token: READER, raw: 'x'.repeat(2000) }), 403, 'forbidden');
  });

  test('403 forbidden without the permission', async () => {
    const res = await call('PUT', '/things/1', { token: READER, body: {} });
    assertError(res, 403, 'forbidden');
    assert.equal(res.headers['www-authenticate'], undefined);
  });

  test('503 auth_unavailable when the tokens cannot be checked', async () => {
    const res = await call('PUT', '/guarded-by-broken-signon', { token: WRITER, body: {} });
    assertError(res, 503, 'auth_unavailable');
    assert.equal(res.headers['retry-after'], '5');
  });

  test('the principal is on the request', async () => {
    assert.deepEqual((await call('PUT', '/things/1', { token: WRITER, body: { n: 1 } })).json(), { by: 'publisher', body: { n: 1 } });
  });
});

describe('operations', () => {
  test('live and ready health checks', async () => {
    assert.deepEqual((await call('GET', '/healthcheck/live')).json(), { status: 'ok' });
    const up = await call('GET', '/healthcheck/ready');
    assert.equal(up.status, 200);
    assert.deepEqual(up.json(), { status: 'ok', checks: { database: 'ok' } });
    ready = false;
    try {
      const down = await call('GET', '/healthcheck/ready');
      assert.equal(down.status, 503);
      assert.deepEqual(down.json(), { status: 'unavailable', checks: { database: 'no answer' } });
    } finally {
      ready = true;
    }
  });

  test('/metrics: requests by service, method, route and status, their durations, and the default metrics', async () => {
    await call('GET', '/things/42');
    await call('GET', '/nowhere');
    const res = await call('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(res.body, /^portico_api_requests_total\{service="things",method="GET",route="\/things\/:id",status="200"\} [1-9]\d*$/m);
    assert.match(res.body, /^portico_api_requests_total\{service="things",method="GET",route="\(unmatched\)",status="404"\} [1-9]\d*$/m);
    assert.match(res.body, /^portico_api_request_duration_seconds_count\{service="things",method="GET",route="\/things\/:id",status="200"\} [1-9]\d*$/m);
    assert.match(res.body, /^process_cpu_user_seconds_total /m);
  });

  test('each app has a registry of its own', async () => {
    const other = createApi({ name: 'other', log: createLogger({ level: 'silent' }) });
    try {
      await other.app.inject({ method: 'GET', url: '/healthcheck/live' });
      const text = await other.metrics.metrics();
      assert.match(text, /service="other"/);
      assert.doesNotMatch(text, /service="things"/);
    } finally {
      await other.app.close();
    }
  });
});
