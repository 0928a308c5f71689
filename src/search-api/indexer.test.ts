import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDb } from '../platform/db/testing.ts';
import { actionFor } from './document.ts';
import { applyEvent, eventBody, openSearchDb, org } from './fixtures.ts';
import { applyAction } from './indexer.ts';

let t: TestDb;
before(async () => {
  t = await openSearchDb();
});
after(() => t.close());

const row = async (basePath: string) =>
  (await t.db.query<Record<string, any>>('SELECT title, payload_version::int AS v, organisation_slugs, is_withdrawn, search_vector::text AS tsv FROM search.documents WHERE base_path = $1', [basePath])).rows[0];

test('an event indexes the document, weighted title A, description B, body C', async () => {
  assert.equal(await applyEvent(t, eventBody('/bees', { title: 'Keeping bees', description: 'Hives', details: { body: 'Honey' }, links: { organisations: [org('dra', 'Rural Affairs')] }, payload_version: 10 })), 'indexed');
  const r = await row('/bees');
  assert.equal(r?.v, 10);
  assert.deepEqual(r?.organisation_slugs, ['dra']);
  assert.match(r?.tsv, /'bee':2A/);
  assert.match(r?.tsv, /'hive':3B/);
  assert.match(r?.tsv, /'honey':4C/);
});

test('a newer version replaces it; an older or equal one is ignored', async () => {
  assert.equal(await applyEvent(t, eventBody('/bees', { title: 'Keeping honey bees', payload_version: 12 })), 'indexed');
  assert.equal(await applyEvent(t, eventBody('/bees', { title: 'Stale', payload_version: 11 })), 'stale');
  assert.equal(await applyEvent(t, eventBody('/bees', { title: 'Same', payload_version: 12 })), 'stale');
  assert.equal((await row('/bees'))?.title, 'Keeping honey bees');
});

test('a reindex may rewrite the stored version, never an older one', async () => {
  const same = actionFor('answer.republish', eventBody('/bees', { title: 'Rebuilt', payload_version: 12 }));
  assert.equal(await t.db.transaction((tx) => applyAction(tx, same, { replaceEqual: true })), 'indexed');
  const older = actionFor('answer.republish', eventBody('/bees', { title: 'Older', payload_version: 11 }));
  assert.equal(await t.db.transaction((tx) => applyAction(tx, older, { replaceEqual: true })), 'stale');
  assert.equal((await row('/bees'))?.title, 'Rebuilt');
});

test('an unpublish deletes, and an older event arriving after it does not bring the document back', async () => {
  assert.equal(await applyEvent(t, eventBody('/bees', { document_type: 'gone', schema_name: 'gone', update_type: 'unpublish', payload_version: 13 })), 'deleted');
  assert.equal(await row('/bees'), undefined);
  assert.equal(await applyEvent(t, eventBody('/bees', { payload_version: 12 })), 'stale');
  assert.equal(await row('/bees'), undefined);
  assert.equal(await applyEvent(t, eventBody('/bees', { title: 'Back again', payload_version: 14 })), 'indexed');
  assert.equal((await row('/bees'))?.title, 'Back again');
  assert.equal((await t.db.query('SELECT 1 FROM search.deletions WHERE base_path = $1', ['/bees'])).rows.length, 0);
});

test('an unpublish older than what is indexed is ignored', async () => {
  assert.equal(await applyEvent(t, eventBody('/bees', { document_type: 'redirect', schema_name: 'redirect', update_type: 'unpublish', payload_version: 13 })), 'stale');
  assert.equal((await row('/bees'))?.title, 'Back again');
});

test('a vanish removes whatever is there and remembers its version', async () => {
  const vanish = { base_path: '/bees', content_id: 'x', locale: 'en', document_type: 'vanish', schema_name: 'vanish', update_type: 'unpublish' };
  assert.equal(await applyEvent(t, vanish), 'deleted');
  assert.equal(await row('/bees'), undefined);
  assert.equal(await applyEvent(t, eventBody('/bees', { payload_version: 14 })), 'stale');
  assert.equal(await applyEvent(t, vanish), 'deleted', 'a vanish of nothing is harmless');
});

test('a withdrawal keeps the document, marked withdrawn', async () => {
  await applyEvent(t, eventBody('/old-scheme', { payload_version: 20 }));
  await applyEvent(t, eventBody('/old-scheme', { update_type: 'unpublish', withdrawn_notice: { explanation: 'Closed', withdrawn_at: '2024-05-01T00:00:00Z' }, payload_version: 21 }));
  assert.equal((await row('/old-scheme'))?.is_withdrawn, true);
});
