import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapApiErrors } from './errors.ts';
import { guideForm } from './forms/guide.ts';
import { newsArticleForm } from './forms/news-article.ts';
import { genericForm } from './forms/generic.ts';
import { blankValues } from './forms/values.ts';

const values = { ...blankValues('5e1f0000-0000-4000-8000-000000000001', 'guide', 'guide'), base_path: '/taken', parts: [{ title: '', slug: 'x', body: '' }, { title: 'b', slug: 'B', body: '' }] };

test('API field errors land on the form control they are about, in form order, one message each', () => {
  const errors = mapApiErrors(guideForm, values, {
    'details.parts[1].slug': ['must be lower-case letters, digits and hyphens, such as how-to-claim'],
    title: ['must not be blank', 'is too short'],
    'routes[0].path': ['must be an absolute path'],
    base_path: ['base path=/taken conflicts with content_id=abc and locale=en'],
    previous_version: ['does not match'],
  }, 'The content does not match its schema');
  assert.deepEqual(errors.summary, [
    { text: 'Title must not be blank', href: '#title' },
    // The route error arrives first but the base path's own message is the one shown.
    { text: 'Base path is already used by another document (/taken)', href: '#base_path' },
    { text: 'Part 2 slug must be lower-case letters, digits and hyphens, such as how-to-claim', href: '#part-1-slug' },
    { text: 'previous_version does not match' },
  ]);
  assert.equal(errors.fields['part-1-slug'], 'Part 2 slug must be lower-case letters, digits and hyphens, such as how-to-claim');
});

test("another document's path is named in the editor's terms", () => {
  const errors = mapApiErrors(guideForm, values, { base_path: ['base path=/taken conflicts with content_id=abc and locale=en'] }, '');
  assert.deepEqual(errors.summary, [{ text: 'Base path is already used by another document (/taken)', href: '#base_path' }]);
});

test('schema-specific keys: a news image, a generic schema’s details, and a parts list with none', () => {
  const news = blankValues('5e1f0000-0000-4000-8000-000000000001', 'news_article', 'press_release');
  assert.equal(mapApiErrors(newsArticleForm, news, { 'details.image.url': ['must be a path starting with / or an http(s) URL'] }, '').fields.image_url,
    'Image URL must be a path starting with / or an http(s) URL');
  const org = genericForm('organisation', 'Organisation', ['organisation']);
  assert.equal(mapApiErrors(org, news, { 'details.logo': ['is required'] }, '').fields.details_json, 'Details (JSON) is required');
  assert.equal(mapApiErrors(guideForm, { ...values, parts: [] }, { 'details.parts': ['must have at least 1 item'] }, '').fields.parts, 'Parts must have at least 1 item');
});

test('a refusal without field errors still reaches the summary', () => {
  assert.deepEqual(mapApiErrors(guideForm, values, {}, 'Cannot publish').summary, [{ text: 'Cannot publish' }]);
});
