// PUT /v2/content, GET /v2/content[/:id[/editions]]: success and every error a client can cause.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './support/publishing-stack.ts';
import { openApiHarness, type ApiHarness } from './support/publishing-api.ts';

let h: ApiHarness;
before(async () => {
  h = await openApiHarness();
});
after(() => h.close());

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Runs `fn`, and checks that nothing was written to any table. */
async function writesNothing(fn: () => Promise<void>): Promise<void> {
  const before = await h.counts();
  const calls = h.calls.length;
  await fn();
  assert.deepEqual(await h.counts(), before, 'a failed request wrote nothing');
  assert.equal(h.calls.length, calls, 'and sent nothing downstream');
}

describe('PUT /v2/content/:content_id', () => {
  test('creates a draft, presents it, and sends it to the draft content store only', async () => {
    h.calls.length = 0;
    const res = await h.call('PUT', `/v2/content/${id(1)}`, answer('/vehicle-tax'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.content_id, id(1));
    assert.equal(res.body.publication_state, 'draft');
    assert.equal(res.body.user_facing_version, 1);
    assert.equal(res.body.lock_version, 1);
    assert.equal(res.body.locale, 'en');
    assert.deepEqual(res.body.state_history, { 1: 'draft' });
    assert.deepEqual(res.body.details, { body: '## Who needs one\n\nAnyone over 13 fishing with a rod.' });
    assert.deepEqual(h.calls.map((c) => [c.stack, c.method, c.basePath]), [['draft', 'PUT', '/vehicle-tax']]);
    const sent = h.calls[0]!.payload!;
    assert.equal(sent.rendering_app, 'frontend');
    assert.ok(sent.payload_version > 0);
  });

  test('a second PUT replaces the draft: same version, lock_version moves on, omitted fields are cleared', async () => {
    const res = await h.call('PUT', `/v2/content/${id(1)}`, answer('/vehicle-tax', { description: undefined, previous_version: 1 }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user_facing_version, 1);
    assert.equal(res.body.lock_version, 2);
    assert.equal(res.body.description, undefined);
  });

  test('a stale previous_version gets 409 with the current lock_version, and changes nothing', async () => {
    await writesNothing(async () => {
      const res = await h.call('PUT', `/v2/content/${id(1)}`, answer('/vehicle-tax', { title: 'Lost update', previous_version: 1 }));
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'conflict');
      assert.equal(res.body.error.lock_version, 2);
      assert.deepEqual(res.body.error.fields, { previous_version: ['does not match'] });
    });
    assert.notEqual((await h.call('GET', `/v2/content/${id(1)}`)).body.title, 'Lost update');
  });

  test('concurrent writes with one previous_version: exactly one wins', async () => {
    const current = (await h.call('GET', `/v2/content/${id(1)}`)).body.lock_version;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => h.call('PUT', `/v2/content/${id(1)}`, answer('/vehicle-tax', { title: `Writer ${i}`, previous_version: current }))),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.body.title;
    assert.equal((await h.call('GET', `/v2/content/${id(1)}`)).body.title, winner);
  });

  test('an answer whose body is Markdown is valid', async () => {
    const res = await h.call('PUT', `/v2/content/${id(2)}`, answer('/markdown', { details: { body: '# Heading\n\n* one\n* two\n\n[A link](/somewhere)' } }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  const BAD: [string, unknown, number, string, string | RegExp][] = [
    ['malformed JSON', '{"title": ', 400, 'malformed_json', /JSON/i],
    ['a body that is not an object', '[1, 2]', 422, 'body_invalid', '(body)'],
    ['no schema_name', { ...answer('/x'), schema_name: undefined }, 422, 'schema_validation_failed', 'schema_name'],
    ['an unknown schema', { ...answer('/x'), schema_name: 'pamphlet' }, 422, 'schema_validation_failed', 'schema_name'],
    ['a missing title', { ...answer('/x'), title: undefined }, 422, 'schema_validation_failed', 'title'],
    ['a title of the wrong type', { ...answer('/x'), title: 42 }, 422, 'schema_validation_failed', 'title'],
    ['an unknown top-level field', { ...answer('/x'), colour: 'blue' }, 422, 'schema_validation_failed', 'colour'],
    ['a base_path that is not an absolute path', answer('relative/path'), 422, 'schema_validation_failed', 'base_path'],
    ['a bad update_type', { ...answer('/x'), update_type: 'huge' }, 422, 'schema_validation_failed', 'update_type'],
    ['a route outside the base_path', answer('/x', { routes: [{ path: '/x', type: 'exact' }, { path: '/elsewhere', type: 'exact' }] }), 422, 'routes_invalid', 'routes[1].path'],
    ['routes without the base_path', answer('/x', { routes: [{ path: '/x/part', type: 'exact' }] }), 422, 'routes_invalid', 'routes'],
    ['a previous_version that is not an integer', answer('/x', { previous_version: 'one' }), 422, 'schema_validation_failed', 'previous_version'],
    ['a content_id in the body that differs from the path', answer('/x', { content_id: id(99) }), 422, 'content_id_mismatch', 'content_id'],
  ];
  for (const [what, body, status, code, field] of BAD) {
    test(`${what}: ${status} ${code} naming ${field}, nothing written`, async () => {
      await writesNothing(async () => {
        const res = await h.call('PUT', `/v2/content/${id(3)}`, body);
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(res.body.error.code, code);
        assert.ok(res.body.error.message);
        if (typeof field === 'string') assert.ok(field in res.body.error.fields, `fields ${JSON.stringify(res.body.error.fields)} name ${field}`);
        else assert.match(res.body.error.message, field);
      });
    });
  }

  test('every failing field is reported at once', async () => {
    const res = await h.call('PUT', `/v2/content/${id(3)}`, { ...answer('/x'), title: 5, rendering_app: undefined, routes: 'none' });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.body.error.fields).sort(), ['rendering_app', 'routes', 'title']);
  });

  test('a content_id that is not a UUID is not found', async () => {
    const res = await h.call('PUT', '/v2/content/not-a-uuid', answer('/x'));
    assert.equal(res.status, 404);
  });

  test('a path reserved by another publishing app is refused, naming the owner', async () => {
    assert.equal((await h.call('PUT', '/paths/reserved-by-whitehall', { publishing_app: 'whitehall' })).status, 200);
    await writesNothing(async () => {
      const res = await h.call('PUT', `/v2/content/${id(4)}`, answer('/reserved-by-whitehall'));
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'base_path_already_in_use');
      assert.equal(res.body.error.owner, 'whitehall');
      assert.match(res.body.error.fields.base_path[0], /already reserved by whitehall/);
    });
  });

  test("a path held by another document's draft is refused, naming that document", async () => {
    await writesNothing(async () => {
      const res = await h.call('PUT', `/v2/content/${id(5)}`, answer('/vehicle-tax'));
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'conflict');
      assert.match(res.body.error.message, new RegExp(`content_id=${id(1)}`));
    });
  });

  test('no token: 401; unknown token: 401; a read-only token cannot write: 403; nothing written', async () => {
    await writesNothing(async () => {
      const none = await h.call('PUT', `/v2/content/${id(6)}`, answer('/auth'), null);
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'unauthenticated');
      assert.equal((await h.call('PUT', `/v2/content/${id(6)}`, answer('/auth'), 'portico_wrong')).status, 401);
      const ro = await h.call('PUT', `/v2/content/${id(6)}`, answer('/auth'), h.readOnlyToken);
      assert.equal(ro.status, 403);
      assert.equal(ro.body.error.code, 'forbidden');
    });
    assert.equal((await h.call('GET', `/v2/content/${id(1)}`, undefined, h.readOnlyToken)).status, 200, 'but it can read');
    assert.equal((await h.call('GET', `/v2/content/${id(1)}`, undefined, null)).status, 401, 'reading needs a token too');
  });
});

describe('GET /v2/content/:content_id and its editions', () => {
  test('an unknown document is 404', async () => {
    const res = await h.call('GET', `/v2/content/${id(404)}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
  });

  test('?version=N returns that edition; editions lists the history', async () => {
    const doc = id(7);
    await h.call('PUT', `/v2/content/${doc}`, answer('/history', { title: 'One' }));
    await h.call('POST', `/v2/content/${doc}/publish`, {});
    await h.call('PUT', `/v2/content/${doc}`, answer('/history', { title: 'Two', update_type: 'minor' }));
    assert.equal((await h.call('GET', `/v2/content/${doc}`)).body.title, 'Two');
    const v1 = await h.call('GET', `/v2/content/${doc}?version=1`);
    assert.equal(v1.body.title, 'One');
    assert.equal(v1.body.publication_state, 'published');
    assert.deepEqual(v1.body.state_history, { 1: 'published', 2: 'draft' });
    assert.equal((await h.call('GET', `/v2/content/${doc}?version=9`)).status, 404);
    assert.equal((await h.call('GET', `/v2/content/${doc}?version=zero`)).status, 422);
    const history = await h.call('GET', `/v2/content/${doc}/editions`);
    assert.deepEqual(history.body.editions.map((e: any) => [e.user_facing_version, e.publication_state, e.title]), [
      [1, 'published', 'One'],
      [2, 'draft', 'Two'],
    ]);
  });
});

describe('GET /v2/content', () => {
  before(async () => {
    for (let i = 0; i < 5; i++) {
      await h.call('PUT', `/v2/content/${id(100 + i)}`, answer(`/listing-${i}`, { title: `Listing page ${i}`, publishing_app: i % 2 ? 'whitehall' : 'publisher' }));
    }
    await h.call('POST', `/v2/content/${id(100)}/publish`, {});
  });

  test('filters by publishing_app and searches titles, one row per document', async () => {
    const res = await h.call('GET', '/v2/content?publishing_app=whitehall&q=listing');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 2);
    assert.deepEqual(res.body.results.map((r: any) => r.base_path).sort(), ['/listing-1', '/listing-3']);
  });

  test('filters by state and document_type', async () => {
    const res = await h.call('GET', '/v2/content?states=published&q=listing&document_type=answer');
    assert.deepEqual(res.body.results.map((r: any) => r.base_path), ['/listing-0']);
    assert.equal((await h.call('GET', '/v2/content?document_type=guide&q=listing')).body.total, 0);
  });

  test('paginates with links to the neighbouring pages', async () => {
    const res = await h.call('GET', '/v2/content?q=listing&per_page=2&page=2&order=base_path');
    assert.equal(res.body.total, 5);
    assert.equal(res.body.pages, 3);
    assert.equal(res.body.current_page, 2);
    assert.deepEqual(res.body.results.map((r: any) => r.base_path), ['/listing-2', '/listing-3']);
    assert.deepEqual(res.body.links.map((l: any) => l.rel), ['next', 'previous', 'self']);
    assert.match(res.body.links[0].href, /page=3/);
  });

  test('bad parameters are 422 naming the parameter', async () => {
    for (const [qs, field] of [['order=colour', 'order'], ['per_page=0', 'per_page'], ['states=lost', 'states'], ['page=-1', 'page']]) {
      const res = await h.call('GET', `/v2/content?${qs}`);
      assert.equal(res.status, 422, qs);
      assert.ok(field! in res.body.error.fields, qs);
    }
  });
});
