// Link sets and path reservations.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './support/publishing-stack.ts';
import { openApiHarness, type ApiHarness } from './support/publishing-api.ts';

let h: ApiHarness;
before(async () => {
  h = await openApiHarness();
});
after(() => h.close());

const DOC = '20000000-0000-4000-8000-000000000001';
const ORG_A = '20000000-0000-4000-8000-0000000000aa';
const ORG_B = '20000000-0000-4000-8000-0000000000bb';
const TAXON = '20000000-0000-4000-8000-0000000000cc';

describe('link sets', () => {
  test('an unknown content_id has no link set: 404', async () => {
    const res = await h.call('GET', `/v2/links/${DOC}`);
    assert.equal(res.status, 404);
    assert.match(res.body.error.message, /Could not find link set/);
  });

  test('a document without links has an empty set at version 0', async () => {
    const id = '20000000-0000-4000-8000-000000000002';
    await h.call('PUT', `/v2/content/${id}`, answer('/links-empty'));
    assert.deepEqual((await h.call('GET', `/v2/links/${id}`)).body, { content_id: id, links: {}, version: 0 });
  });

  test('PATCH sets the types it names, keeps order, drops duplicates, and leaves other types alone', async () => {
    const first = await h.call('PATCH', `/v2/links/${DOC}`, { links: { organisations: [ORG_B, ORG_A, ORG_B], taxons: [TAXON] } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { content_id: DOC, links: { organisations: [ORG_B, ORG_A], taxons: [TAXON] }, version: 1 });
    const second = await h.call('PATCH', `/v2/links/${DOC}`, { links: { organisations: [ORG_A] }, previous_version: 1 });
    assert.deepEqual(second.body.links, { organisations: [ORG_A], taxons: [TAXON] });
    const third = await h.call('PATCH', `/v2/links/${DOC}`, { links: { taxons: [] } });
    assert.deepEqual(third.body.links, { organisations: [ORG_A] }, 'an empty list removes the type');
    assert.deepEqual((await h.call('GET', `/v2/links/${DOC}`)).body, third.body);
  });

  test('a stale previous_version: 409, nothing written', async () => {
    const before = await h.counts();
    const res = await h.call('PATCH', `/v2/links/${DOC}`, { links: { organisations: [ORG_B] }, previous_version: 1 });
    assert.equal(res.status, 409);
    assert.deepEqual(await h.counts(), before);
  });

  const BAD: [string, unknown, string, string][] = [
    ['no links object', { links: ['x'] }, 'links_missing', 'links'],
    ['a link type with capitals', { links: { Organisations: [ORG_A] } }, 'links_invalid', 'links.Organisations'],
    ['a reserved link type', { links: { available_translations: [ORG_A] } }, 'links_invalid', 'links.available_translations'],
    ['a target that is not a content_id', { links: { organisations: ['hmrc'] } }, 'links_invalid', 'links.organisations'],
    ['targets that are not a list', { links: { organisations: ORG_A } }, 'links_invalid', 'links.organisations'],
  ];
  for (const [what, body, code, field] of BAD) {
    test(`${what}: 422 ${code} naming ${field}, nothing written`, async () => {
      const before = await h.counts();
      const res = await h.call('PATCH', `/v2/links/${DOC}`, body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      assert.ok(field in res.body.error.fields, JSON.stringify(res.body.error.fields));
      assert.deepEqual(await h.counts(), before);
    });
  }
});

describe('path reservations', () => {
  test('reserve, reserve again (no-op), refuse another app, override, release', async () => {
    const mine = await h.call('PUT', '/paths/government/reserved', { publishing_app: 'publisher' });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.deepEqual(mine.body, { base_path: '/government/reserved', publishing_app: 'publisher' });
    assert.equal((await h.call('PUT', '/paths/government/reserved', { publishing_app: 'publisher' })).status, 200);
    const theirs = await h.call('PUT', '/paths/government/reserved', { publishing_app: 'whitehall' });
    assert.equal(theirs.status, 422);
    assert.equal(theirs.body.error.code, 'base_path_already_in_use');
    assert.match(theirs.body.error.message, /reserved by publisher/);
    assert.equal((await h.call('PUT', '/paths/government/reserved', { publishing_app: 'whitehall', override_existing: true })).status, 200);
    assert.equal((await h.call('DELETE', '/paths/government/reserved', { publishing_app: 'publisher' })).status, 422, 'only the owner releases');
    assert.equal((await h.call('DELETE', '/paths/government/reserved', { publishing_app: 'whitehall' })).status, 200);
    assert.equal((await h.call('DELETE', '/paths/government/reserved', { publishing_app: 'whitehall' })).status, 404);
  });

  test('a content PUT reserves its path for its app', async () => {
    await h.call('PUT', '/v2/content/20000000-0000-4000-8000-000000000003', answer('/reserved-by-content'));
    const res = await h.call('PUT', '/paths/reserved-by-content', { publishing_app: 'whitehall' });
    assert.equal(res.status, 422);
  });

  for (const [what, path, body, field] of [
    ['no publishing_app', '/paths/ok', {}, 'publishing_app'],
    ['a bad publishing_app', '/paths/ok', { publishing_app: 'Not An App' }, 'publishing_app'],
    ['a path in capitals, which the router would lower-case', '/paths/SHOUTING', { publishing_app: 'publisher' }, 'base_path'],
    ['a path with a trailing slash', '/paths/a/', { publishing_app: 'publisher' }, 'base_path'],
  ] as const) {
    test(`${what}: 422 naming ${field}`, async () => {
      const res = await h.call('PUT', path, body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.ok(field in res.body.error.fields);
    });
  }
});
