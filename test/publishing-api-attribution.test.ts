// Who a write was for: the Portico-Authenticated-User headers, stored on events
// and editions, and shown by GET /v2/content[/:id[/editions|/events]].
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { downstreamBacklog } from '../src/publishing-api/jobs.ts';
import { answer } from './support/publishing-stack.ts';
import { openApiHarness, type ApiHarness } from './support/publishing-api.ts';

let h: ApiHarness;
before(async () => {
  h = await openApiHarness();
});
after(() => h.close());

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ZOE = { uid: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Zoë O’Brien 李' };
const MEG = { uid: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'Meg Managing' };

/** A request with the given headers; a write waits for its content-store jobs, as the harness's own calls do. */
async function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await h.api.app.inject({
    method: method as 'PUT',
    url: path,
    headers: { authorization: `Bearer ${h.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  while ((await downstreamBacklog(h.queue)) > 0) await new Promise((r) => setTimeout(r, 10));
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const as = (user: { uid: string; name: string }) => ({
  'portico-authenticated-user': user.uid,
  'portico-authenticated-user-name': encodeURIComponent(user.name),
});

describe('a write made for a user', () => {
  test('PUT stores the user on the edition and the event; every read shows them', async () => {
    const put = await send('PUT', `/v2/content/${id(1)}`, answer('/attributed'), { ...as(ZOE), 'portico-request-id': 'req-zoe-1' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.last_edited_by, ZOE);

    assert.deepEqual((await h.call('GET', `/v2/content/${id(1)}`)).body.last_edited_by, ZOE);
    const listed = (await h.call('GET', '/v2/content?q=attributed')).body.results;
    assert.deepEqual(listed.map((r: { last_edited_by: unknown }) => r.last_edited_by), [ZOE]);
    const editions = (await h.call('GET', `/v2/content/${id(1)}/editions`)).body.editions;
    assert.deepEqual(editions.map((e: { last_edited_by: unknown }) => e.last_edited_by), [ZOE]);

    const events = await h.call('GET', `/v2/content/${id(1)}/events`);
    assert.equal(events.status, 200, JSON.stringify(events.body));
    const [event] = events.body.results;
    assert.equal(event.action, 'PutContent');
    assert.deepEqual(event.user, ZOE);
    assert.equal(event.actor, 'editor');
    assert.equal(event.request_id, 'req-zoe-1');
    assert.match(event.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('publishing records the publisher on its event; the edition still names who edited it', async () => {
    const published = await send('POST', `/v2/content/${id(1)}/publish`, {}, as(MEG));
    assert.equal(published.status, 200, JSON.stringify(published.body));
    const events = (await h.call('GET', `/v2/content/${id(1)}/events`)).body.results;
    assert.deepEqual(events.map((e: { action: string; user: unknown }) => [e.action, e.user]), [['Publish', MEG], ['PutContent', ZOE]]);
    assert.deepEqual((await h.call('GET', `/v2/content/${id(1)}`)).body.last_edited_by, ZOE);
  });

  test('link changes record their user on the event', async () => {
    const patched = await send('PATCH', `/v2/links/${id(1)}`, { links: { organisations: [id(99)] } }, as(MEG));
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const [latest] = (await h.call('GET', `/v2/content/${id(1)}/events`)).body.results;
    assert.equal(latest.action, 'PatchLinkSet');
    assert.deepEqual(latest.user, MEG);
  });

  test('no headers: no user, but the token that called is still recorded', async () => {
    const put = await send('PUT', `/v2/content/${id(1)}`, answer('/attributed', { title: 'Changed by an app' }));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.last_edited_by, null, 'the draft is no longer the last editor’s work');
    const [latest] = (await h.call('GET', `/v2/content/${id(1)}/events`)).body.results;
    assert.equal(latest.user, null);
    assert.equal(latest.actor, 'editor');
    const editions = (await h.call('GET', `/v2/content/${id(1)}/editions`)).body.editions;
    assert.deepEqual(editions.map((e: { last_edited_by: unknown }) => e.last_edited_by), [ZOE, null]);
  });

  test('a uid without a name is kept, with a null name', async () => {
    const put = await send('PUT', `/v2/content/${id(2)}`, answer('/uid-only'), { 'portico-authenticated-user': 'app-user-7' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.last_edited_by, { uid: 'app-user-7', name: null });
  });
});

describe('malformed user headers', () => {
  const NAME = 'Portico-Authenticated-User-Name';
  const BAD: [string, Record<string, string>, string][] = [
    ['a broken percent-escape', { 'portico-authenticated-user': ZOE.uid, 'portico-authenticated-user-name': 'Zo%ZZ' }, NAME],
    ['percent-encoding that is not UTF-8', { 'portico-authenticated-user': ZOE.uid, 'portico-authenticated-user-name': 'Zo%EB' }, NAME],
    ['an empty name', { 'portico-authenticated-user': ZOE.uid, 'portico-authenticated-user-name': '%20' }, NAME],
    ['a control character in the name', { 'portico-authenticated-user': ZOE.uid, 'portico-authenticated-user-name': 'Zo%0Ae' }, NAME],
    ['a name without a uid', { 'portico-authenticated-user-name': 'Zoe' }, NAME],
    ['a uid with a space', { 'portico-authenticated-user': 'zoe smith', 'portico-authenticated-user-name': 'Zoe' }, 'Portico-Authenticated-User'],
  ];
  for (const [what, headers, header] of BAD) {
    test(`${what}: 400 naming ${header}, and nothing written`, async () => {
      const before = await h.counts();
      const res = await send('PUT', `/v2/content/${id(3)}`, answer('/refused'), headers);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'header_invalid');
      assert.match(res.body.error.message, new RegExp(header, 'i'));
      assert.deepEqual(Object.keys(res.body.error.fields), [header]);
      assert.deepEqual(await h.counts(), before);
    });
  }

  test('every write checks them, not only PUT', async () => {
    const bad = { 'portico-authenticated-user': ZOE.uid, 'portico-authenticated-user-name': '%' };
    for (const [method, path, body] of [
      ['POST', `/v2/content/${id(1)}/publish`, {}],
      ['POST', `/v2/content/${id(1)}/unpublish`, { type: 'gone' }],
      ['POST', `/v2/content/${id(1)}/discard-draft`, {}],
      ['PATCH', `/v2/links/${id(1)}`, { links: {} }],
      ['PUT', '/paths/refused', { publishing_app: 'publisher' }],
    ] as const) {
      assert.equal((await send(method, path, body, bad)).status, 400, `${method} ${path}`);
    }
  });
});

describe('GET /v2/content/:content_id/events', () => {
  test('newest first, paginated as GET /v2/content is', async () => {
    const all = (await h.call('GET', `/v2/content/${id(1)}/events`)).body;
    assert.equal(all.total, 4);
    assert.deepEqual(all.results.map((e: { action: string }) => e.action), ['PutContent', 'PatchLinkSet', 'Publish', 'PutContent']);

    const first = (await h.call('GET', `/v2/content/${id(1)}/events?per_page=3`)).body;
    assert.equal(first.pages, 2);
    assert.equal(first.current_page, 1);
    assert.deepEqual(first.links.map((l: { rel: string }) => l.rel), ['next', 'self']);
    const next = first.links.find((l: { rel: string }) => l.rel === 'next').href;
    const second = (await h.call('GET', next)).body;
    assert.deepEqual(second.results.map((e: { id: number }) => e.id), [all.results[3].id]);
  });

  test('a read-only token may read it; an unknown document is 404; a bad page is 422', async () => {
    assert.equal((await h.call('GET', `/v2/content/${id(1)}/events`, undefined, h.readOnlyToken)).status, 200);
    assert.equal((await h.call('GET', `/v2/content/${id(404)}/events`)).status, 404);
    assert.equal((await h.call('GET', `/v2/content/${id(1)}/events?per_page=0`)).status, 422);
  });
});
