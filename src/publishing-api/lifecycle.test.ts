import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../platform/api.ts';
import { checkLock, discardPlan, nextUserFacingVersion, publishPlan, publishTimestamps, unpublishPlan } from './lifecycle.ts';
import type { Edition, EditionState } from './types.ts';

const T = (s: string) => new Date(`2026-01-${s}T00:00:00Z`);

function edition(version: number, state: EditionState, extra: Partial<Edition> = {}): Edition {
  const store = state === 'draft' ? 'draft' : state === 'superseded' ? null : 'live';
  return {
    id: version, document_id: 1, content_id: 'c', locale: 'en', lock_version: 1, user_facing_version: version, state, content_store: store,
    base_path: '/p', title: 't', description: null, details: {}, document_type: 'answer', schema_name: 'answer', publishing_app: 'publisher',
    rendering_app: 'frontend', phase: 'live', analytics_identifier: null, routes: [], redirects: [], edition_links: {}, update_type: 'major',
    change_note: null, auth_bypass_ids: [], first_published_at: null, public_updated_at: null, major_published_at: null, published_at: null,
    last_edited_at: null, last_edited_by_uid: null, last_edited_by_name: null, publishing_request_id: null, created_at: T('01'), updated_at: T('01'), unpublishing: null, ...extra,
  };
}

function refusal(fn: () => unknown): [number, string] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return [err.status, err.code];
  }
  assert.fail('expected a refusal');
}

describe('versions and locks', () => {
  test('a new draft takes the next version after every edition so far', () => {
    assert.equal(nextUserFacingVersion([]), 1);
    assert.equal(nextUserFacingVersion([edition(1, 'superseded'), edition(2, 'published')]), 3);
  });
  test('no previous_version, or the current one, passes; any other is a 409 naming the current', () => {
    checkLock(3, undefined);
    checkLock(3, 3);
    assert.deepEqual(refusal(() => checkLock(3, 2)), [409, 'conflict']);
  });
});

describe('publish', () => {
  const cases: [string, Edition[], string | undefined, [number, string] | null][] = [
    ['a draft with an update_type', [edition(1, 'draft')], undefined, null],
    ['a draft over a live edition', [edition(1, 'published'), edition(2, 'draft')], 'minor', null],
    ['nothing at all', [], 'major', [404, 'not_found']],
    ['only a published edition', [edition(1, 'published')], 'major', [409, 'already_published']],
    ['only an unpublished edition', [edition(1, 'unpublished')], 'major', [404, 'not_found']],
    ['a draft with no update_type anywhere', [edition(1, 'draft', { update_type: null })], undefined, [422, 'update_type_missing']],
    ['an unknown update_type', [edition(1, 'draft')], 'links', [422, 'update_type_invalid']],
  ];
  for (const [what, editions, updateType, expected] of cases) {
    test(`${what}: ${expected ? expected.join(' ') : 'allowed'}`, () => {
      if (expected) assert.deepEqual(refusal(() => publishPlan(editions, updateType, 'c', 'en')), expected);
      else assert.equal(publishPlan(editions, updateType, 'c', 'en').draft.state, 'draft');
    });
  }

  test('first publication: every date is now', () => {
    assert.deepEqual(publishTimestamps(edition(1, 'draft'), undefined, 'major', T('05')), {
      first_published_at: T('05'), published_at: T('05'), major_published_at: T('05'), public_updated_at: T('05'),
    });
  });
  test('a minor update keeps the public date and the last major one', () => {
    const live = edition(1, 'published', { first_published_at: T('01'), public_updated_at: T('02'), major_published_at: T('02') });
    assert.deepEqual(publishTimestamps(edition(2, 'draft'), live, 'minor', T('09')), {
      first_published_at: T('01'), published_at: T('09'), major_published_at: T('02'), public_updated_at: T('02'),
    });
  });
  test('a major update moves the public date, unless the editor set one', () => {
    const live = edition(1, 'published', { first_published_at: T('01') });
    assert.equal(publishTimestamps(edition(2, 'draft'), live, 'major', T('09')).public_updated_at.getTime(), T('09').getTime());
    assert.equal(publishTimestamps(edition(2, 'draft', { public_updated_at: T('07') }), live, 'major', T('09')).public_updated_at.getTime(), T('07').getTime());
  });
});

describe('unpublish and discard', () => {
  const live = edition(1, 'published');
  const draft = edition(2, 'draft');
  test('the live edition is the target; a draft blocks unless discarded or itself the target', () => {
    assert.equal(unpublishPlan([live], { type: 'gone' }).target, live);
    assert.deepEqual(refusal(() => unpublishPlan([live, draft], { type: 'gone' })), [422, 'cannot_unpublish_with_draft']);
    assert.deepEqual(unpublishPlan([live, draft], { type: 'gone', discard_drafts: true }), { target: live, discard: draft });
    assert.equal(unpublishPlan([live, draft], { type: 'gone', allow_draft: true }).target, draft);
  });
  test('refusals', () => {
    assert.deepEqual(refusal(() => unpublishPlan([live], { type: 'substitute' })), [422, 'type_invalid']);
    assert.deepEqual(refusal(() => unpublishPlan([live], { type: 'withdrawal', explanation: '  ' })), [422, 'explanation_missing_for_withdrawal']);
    assert.deepEqual(refusal(() => unpublishPlan([live], { type: 'redirect' })), [422, 'redirects_missing_for_redirect']);
    assert.deepEqual(refusal(() => unpublishPlan([draft], { type: 'gone' })), [404, 'not_found']);
  });
  test('discard needs a draft: 422 when something is live, else 404', () => {
    assert.deepEqual(discardPlan([live, draft]), { draft, live });
    assert.deepEqual(refusal(() => discardPlan([live])), [422, 'no_draft_to_discard']);
    assert.deepEqual(refusal(() => discardPlan([])), [404, 'no_draft_to_discard']);
  });
});
