import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Content } from '../publishing-api-client.ts';
import { answerForm } from './body-schemas.ts';
import { genericForm } from './generic.ts';
import { newsArticleForm } from './news-article.ts';
import { buildPayload } from './payload.ts';
import { blankValues, valuesFromContent, valuesFromForm } from './values.ts';

const ID = '5e1f0000-0000-4000-8000-000000000001';

test('a posted answer form becomes the PUT body, CRLF line ends and all', () => {
  const values = valuesFromForm(ID, {
    schema_name: 'answer', document_type: 'answer', title: 'Fishing', description: '', base_path: ' /fishing ',
    body: 'Line one\r\nLine two', lock_version: '4', auth_bypass_id: 'a0000000-0000-4000-8000-000000000000',
  });
  const built = buildPayload(answerForm, values, null);
  assert.deepEqual(built, {
    payload: {
      schema_name: 'answer', document_type: 'answer', title: 'Fishing', description: null, base_path: '/fishing',
      details: { body: 'Line one\nLine two' }, routes: [{ path: '/fishing', type: 'exact' }],
      publishing_app: 'publisher', rendering_app: 'frontend', locale: 'en', update_type: 'major',
      auth_bypass_ids: ['a0000000-0000-4000-8000-000000000000'], previous_version: 4,
    },
  });
});

test('what the form does not show survives a save: other details, edition links, phase', () => {
  const saved = {
    content_id: ID, schema_name: 'news_article', document_type: 'press_release', publication_state: 'published', lock_version: 7, user_facing_version: 2,
    title: 'Grants', base_path: '/grants', phase: 'beta', links: { organisations: ['o1'] }, update_type: 'minor',
    details: { body: [{ content_type: 'text/markdown', content: 'Old' }], political: true, image: { url: '/a.jpg', alt_text: 'A', caption: 'Kept' } },
  } as Content;
  const values = { ...valuesFromContent(saved), body: 'New', image_alt: 'A hall' };
  assert.equal(valuesFromContent(saved).body, 'Old');
  const built = buildPayload(newsArticleForm, values, saved, { update_type: 'major', change_note: 'Rewritten' });
  assert.ok('payload' in built);
  const p = built.payload;
  assert.deepEqual(p.details, { body: 'New', political: true, image: { url: '/a.jpg', alt_text: 'A hall', caption: 'Kept' } });
  assert.equal(p.phase, 'beta');
  assert.deepEqual(p.links, { organisations: ['o1'] });
  assert.equal(p.update_type, 'major');
  assert.equal(p.change_note, 'Rewritten');
  assert.equal(p.previous_version, 7);

  const noImage = buildPayload(newsArticleForm, { ...values, image_url: '', image_alt: '' }, saved);
  assert.ok('payload' in noImage && !('image' in (noImage.payload.details as object)));
});

test("a generic schema's details are JSON; bad JSON is the editor's problem, found before the API is asked", () => {
  const org = genericForm('organisation', 'Organisation', ['organisation']);
  const values = { ...blankValues(ID, 'organisation', 'organisation'), details_json: '{"logo": ' };
  const built = buildPayload(org, values, null);
  assert.ok('problem' in built);
  assert.equal(built.problem.field, 'details_json');
  assert.match(built.problem.message, /^Details \(JSON\) is not valid JSON/);
  assert.deepEqual(buildPayload(org, { ...values, details_json: '[1]' }, null), {
    problem: { field: 'details_json', message: 'Details (JSON) must be a JSON object, such as {"body": "..."}' },
  });
});
