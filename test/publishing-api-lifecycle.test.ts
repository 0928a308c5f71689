// Publish, unpublish and discard-draft through the API: the edition states, the
// timestamps, what reaches each content store, and every refusal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './support/publishing-stack.ts';
import { openApiHarness, type ApiHarness } from './support/publishing-api.ts';

let h: ApiHarness;
let clock = new Date('2026-03-01T09:00:00Z');
before(async () => {
  h = await openApiHarness({ now: () => clock });
});
after(() => h.close());

let n = 0;
const freshId = () => `10000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const at = (iso: string) => (clock = new Date(iso));

async function published(path: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = freshId();
  const put = await h.call('PUT', `/v2/content/${id}`, answer(path, overrides));
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const pub = await h.call('POST', `/v2/content/${id}/publish`, {});
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
  return id;
}

describe('publish', () => {
  test('the draft becomes live, reaching both content stores; the last live edition is superseded', async () => {
    at('2026-03-01T09:00:00Z');
    const id = await published('/pub-one', { change_note: 'First version' });
    const v1 = (await h.call('GET', `/v2/content/${id}`)).body;
    assert.equal(v1.publication_state, 'published');
    assert.equal(v1.first_published_at, '2026-03-01T09:00:00Z');
    assert.equal(v1.public_updated_at, '2026-03-01T09:00:00Z');
    assert.equal(v1.change_note, 'First version');

    at('2026-03-02T10:00:00Z');
    h.calls.length = 0;
    await h.call('PUT', `/v2/content/${id}`, answer('/pub-one', { title: 'Typo fixed', update_type: 'minor' }));
    assert.equal((await h.call('POST', `/v2/content/${id}/publish`, {})).status, 200);
    // Two workers take the draft and live jobs at once: the order between stores is not fixed.
    assert.deepEqual(h.calls.map((c) => `${c.stack} ${c.method} ${c.basePath}`).sort(), ['draft PUT /pub-one', 'draft PUT /pub-one', 'live PUT /pub-one']);
    const v2 = (await h.call('GET', `/v2/content/${id}`)).body;
    assert.equal(v2.user_facing_version, 2);
    assert.deepEqual(v2.state_history, { 1: 'superseded', 2: 'published' });
    assert.equal(v2.first_published_at, '2026-03-01T09:00:00Z', 'first publication is remembered');
    assert.equal(v2.public_updated_at, '2026-03-01T09:00:00Z', 'a minor change does not move the public date');
    assert.equal(v2.change_note, undefined, 'minor updates keep no change note');

    at('2026-03-03T11:00:00Z');
    await h.call('PUT', `/v2/content/${id}`, answer('/pub-one', { title: 'New rules', update_type: 'major', change_note: 'Rules changed' }));
    await h.call('POST', `/v2/content/${id}/publish`, {});
    const v3 = (await h.call('GET', `/v2/content/${id}`)).body;
    assert.equal(v3.public_updated_at, '2026-03-03T11:00:00Z', 'a major change does');
    assert.equal(v3.change_note, 'Rules changed');
    const live = h.calls.filter((c) => c.stack === 'live').at(-1)!.payload!;
    assert.equal(live.title, 'New rules');
    assert.equal((live as { update_type?: string }).update_type, undefined, 'update_type is not sent to the store');
  });

  test('publishing with no draft: 409 if already published, 404 if unknown', async () => {
    const id = await published('/pub-twice');
    const again = await h.call('POST', `/v2/content/${id}/publish`, {});
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'already_published');
    assert.equal((await h.call('POST', `/v2/content/${freshId()}/publish`, {})).status, 404);
  });

  test('update_type is required, and must be major, minor or republish', async () => {
    const id = freshId();
    await h.call('PUT', `/v2/content/${id}`, answer('/pub-type', { update_type: undefined }));
    const missing = await h.call('POST', `/v2/content/${id}/publish`, {});
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error.code, 'update_type_missing');
    const bad = await h.call('POST', `/v2/content/${id}/publish`, { update_type: 'enormous' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'update_type_invalid');
    assert.equal((await h.call('GET', `/v2/content/${id}`)).body.publication_state, 'draft', 'still a draft');
  });

  test('a stale previous_version is refused', async () => {
    const id = freshId();
    await h.call('PUT', `/v2/content/${id}`, answer('/pub-lock'));
    const res = await h.call('POST', `/v2/content/${id}/publish`, { previous_version: 7 });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.lock_version, 1);
  });

  test('a path live for another document cannot be published over, unless one of them may give way', async () => {
    const first = await published('/pub-taken');
    const other = freshId();
    assert.equal((await h.call('PUT', `/v2/content/${other}`, answer('/pub-taken'))).status, 200, 'a draft may share a live path');
    const blocked = await h.call('POST', `/v2/content/${other}/publish`, {});
    assert.equal(blocked.status, 422);
    assert.equal(blocked.body.error.code, 'conflict');
    assert.match(blocked.body.error.message, new RegExp(first));

    const gone = freshId();
    const goneBody = { base_path: '/pub-gone', document_type: 'gone', schema_name: 'gone', publishing_app: 'publisher', update_type: 'major', details: {} };
    assert.equal((await h.call('PUT', `/v2/content/${gone}`, goneBody)).status, 200);
    assert.equal((await h.call('POST', `/v2/content/${gone}/publish`, {})).status, 200);
    const replacement = freshId();
    assert.equal((await h.call('PUT', `/v2/content/${replacement}`, answer('/pub-gone'))).status, 200);
    assert.equal((await h.call('POST', `/v2/content/${replacement}/publish`, {})).status, 200, 'a gone item gives way');
    const old = (await h.call('GET', `/v2/content/${gone}`)).body;
    assert.equal(old.publication_state, 'superseded');
    assert.equal(old.unpublishing.type, 'substitute');
  });
});

describe('unpublish', () => {
  const cases: [string, Record<string, unknown>, (payload: any) => void][] = [
    ['gone', { type: 'gone' }, (p) => assert.equal(p.schema_name, 'gone')],
    ['gone with an explanation', { type: 'gone', explanation: 'Replaced by a new scheme', alternative_path: '/new-scheme' }, (p) => {
      assert.deepEqual(p.details, { explanation: 'Replaced by a new scheme', alternative_path: '/new-scheme' });
      assert.equal(p.rendering_app, 'frontend');
    }],
    ['redirect', { type: 'redirect', alternative_path: '/elsewhere' }, (p) => {
      assert.equal(p.schema_name, 'redirect');
      assert.equal(p.redirects[0].destination, '/elsewhere');
    }],
    ['withdrawal', { type: 'withdrawal', explanation: 'No longer current' }, (p) => {
      assert.equal(p.withdrawn_notice.explanation, 'No longer current');
      assert.equal(p.schema_name, 'answer');
    }],
  ];
  for (const [what, body, check] of cases) {
    test(`as ${what}: the live store gets the replacement item`, async () => {
      const id = await published(`/unpub-${what.replace(/\W+/g, '-')}`);
      h.calls.length = 0;
      const res = await h.call('POST', `/v2/content/${id}/unpublish`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const live = h.calls.find((c) => c.stack === 'live')!;
      assert.equal(live.method, 'PUT');
      check(live.payload);
      const item = (await h.call('GET', `/v2/content/${id}`)).body;
      assert.equal(item.publication_state, 'unpublished');
      assert.equal(item.unpublishing.type, body.type);
    });
  }

  test('as vanish: both stores are told to forget the path', async () => {
    const id = await published('/unpub-vanish');
    h.calls.length = 0;
    assert.equal((await h.call('POST', `/v2/content/${id}/unpublish`, { type: 'vanish' })).status, 200);
    assert.deepEqual(h.calls.map((c) => `${c.stack} ${c.method} ${c.basePath}`).sort(), ['draft DELETE /unpub-vanish', 'live DELETE /unpub-vanish']);
  });

  test('publishing a new draft brings an unpublished document back', async () => {
    const id = await published('/unpub-back');
    await h.call('POST', `/v2/content/${id}/unpublish`, { type: 'gone' });
    await h.call('PUT', `/v2/content/${id}`, answer('/unpub-back', { title: 'Back again' }));
    assert.equal((await h.call('POST', `/v2/content/${id}/publish`, {})).status, 200);
    const item = (await h.call('GET', `/v2/content/${id}`)).body;
    assert.equal(item.publication_state, 'published');
    assert.equal(item.unpublishing, undefined);
    assert.deepEqual(item.state_history, { 1: 'superseded', 2: 'published' });
  });

  const refusals: [string, Record<string, unknown>, number, string][] = [
    ['an unknown type', { type: 'evaporate' }, 422, 'type_invalid'],
    ['a withdrawal without an explanation', { type: 'withdrawal' }, 422, 'explanation_missing_for_withdrawal'],
    ['a redirect without a destination', { type: 'redirect' }, 422, 'redirects_missing_for_redirect'],
    ['a redirect to a bad path', { type: 'redirect', alternative_path: 'no-slash' }, 422, 'alternative_path_invalid'],
    ['both draft flags', { type: 'gone', allow_draft: true, discard_drafts: true }, 422, 'conflicting_unpublishing_flags'],
    ['a stale previous_version', { type: 'gone', previous_version: 99 }, 409, 'conflict'],
  ];
  for (const [what, body, status, code] of refusals) {
    test(`${what}: ${status} ${code}, nothing changes`, async () => {
      const id = await published(`/unpub-refused-${code}`);
      const before = await h.counts();
      const res = await h.call('POST', `/v2/content/${id}/unpublish`, body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      assert.deepEqual(await h.counts(), before);
      assert.equal((await h.call('GET', `/v2/content/${id}`)).body.publication_state, 'published');
    });
  }

  test('with a draft present: refused, unless discard_drafts', async () => {
    const id = await published('/unpub-draft');
    await h.call('PUT', `/v2/content/${id}`, answer('/unpub-draft', { title: 'Work in progress' }));
    const refused = await h.call('POST', `/v2/content/${id}/unpublish`, { type: 'gone' });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'cannot_unpublish_with_draft');
    assert.equal((await h.call('POST', `/v2/content/${id}/unpublish`, { type: 'gone', discard_drafts: true })).status, 200);
    const history = (await h.call('GET', `/v2/content/${id}/editions`)).body.editions;
    assert.deepEqual(history.map((e: any) => e.publication_state), ['unpublished'], 'the draft is gone');
  });

  test('an unknown document: 404', async () => {
    assert.equal((await h.call('POST', `/v2/content/${freshId()}/unpublish`, { type: 'gone' })).status, 404);
  });
});

describe('discard-draft', () => {
  test('with no live edition the draft store forgets the path, and the path is free again', async () => {
    const id = freshId();
    await h.call('PUT', `/v2/content/${id}`, answer('/discard-new'));
    h.calls.length = 0;
    assert.equal((await h.call('POST', `/v2/content/${id}/discard-draft`, {})).status, 200);
    assert.deepEqual(h.calls.map((c) => `${c.stack} ${c.method} ${c.basePath}`), ['draft DELETE /discard-new']);
    assert.equal((await h.call('GET', `/v2/content/${id}`)).status, 404);
    assert.equal((await h.call('PUT', `/v2/content/${freshId()}`, answer('/discard-new', { publishing_app: 'whitehall' }))).status, 200);
  });

  test('no draft: 422 when published, 404 when unknown', async () => {
    const id = await published('/discard-none');
    const res = await h.call('POST', `/v2/content/${id}/discard-draft`, {});
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'no_draft_to_discard');
    assert.equal((await h.call('POST', `/v2/content/${freshId()}/discard-draft`, {})).status, 404);
  });
});
