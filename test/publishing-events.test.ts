// Every write to the live content store is announced on published_documents,
// routed by <schema_name>.<update_type>; drafts and stale writes are not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PUBLISHED_DOCUMENTS, type BusMessage } from '../src/platform/bus/index.ts';
import { eventually } from './support/ports.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';

let s: PublishingStack;
const events: BusMessage[] = [];
let stopConsumer: () => Promise<void>;
before(async () => {
  s = await openPublishingStack();
  stopConsumer = await s.bus.consume(PUBLISHED_DOCUMENTS, 'test-events', ['#'], async (msg) => void events.push(msg));
});
after(async () => {
  await stopConsumer();
  await s.close();
});

const ID = '50000000-0000-4000-8000-000000000001';
const ORG = '50000000-0000-4000-8000-000000000002';

async function nextEvent(routingKey: string, basePath?: string): Promise<BusMessage & { body: any }> {
  const match = (e: BusMessage) => e.routingKey === routingKey && (!basePath || (e.body as { base_path?: string }).base_path === basePath);
  return eventually(() => events.find(match) as (BusMessage & { body: any }) | undefined, 5000, `an event ${routingKey} ${basePath ?? ''}`);
}

test('a draft announces nothing; publishing announces the item with its links expanded', async () => {
  assert.equal((await s.call('PUT', `/v2/content/${ORG}`, {
    base_path: '/government/organisations/fisheries', title: 'Fisheries Agency', schema_name: 'organisation', document_type: 'organisation',
    publishing_app: 'publisher', rendering_app: 'frontend', update_type: 'major', routes: [{ path: '/government/organisations/fisheries', type: 'exact' }],
    details: { body: 'Fish.', organisation_type: 'executive_agency', organisation_govuk_status: { status: 'live' } },
  })).status, 200);
  assert.equal((await s.call('POST', `/v2/content/${ORG}/publish`, {})).status, 200);
  await nextEvent('organisation.major');
  events.length = 0;

  assert.equal((await s.call('PUT', `/v2/content/${ID}`, answer('/fish-quotas', { title: 'Fish quotas' }))).status, 200);
  assert.equal((await s.call('PATCH', `/v2/links/${ID}`, { links: { organisations: [ORG] } })).status, 200);
  await eventually(async () => ((await s.visit('draft', '/fish-quotas')).status === 200 ? true : undefined), 5000, 'the draft');
  assert.deepEqual(events, [], 'a draft is not announced');

  assert.equal((await s.call('POST', `/v2/content/${ID}/publish`, { update_type: 'minor' })).status, 200);
  const published = await nextEvent('answer.minor', '/fish-quotas');
  assert.equal(published.body.title, 'Fish quotas');
  assert.equal(published.body.base_path, '/fish-quotas');
  assert.equal(published.body.update_type, 'minor');
  assert.equal(published.body.links.organisations[0].title, 'Fisheries Agency');
  assert.deepEqual(published.body.routes, [{ path: '/fish-quotas', type: 'exact' }], 'consumers such as the edge purge every route');
  assert.deepEqual(published.body.redirects, []);
  assert.ok(published.id, 'each event has an id consumers de-duplicate by');
});

test('a links change, an unpublish and a vanish each announce themselves', async () => {
  events.length = 0;
  assert.equal((await s.call('PATCH', `/v2/links/${ID}`, { links: { organisations: [] } })).status, 200);
  const links = await nextEvent('answer.links', '/fish-quotas');
  assert.equal(links.body.links.organisations, undefined);

  assert.equal((await s.call('POST', `/v2/content/${ID}/unpublish`, { type: 'gone' })).status, 200);
  const gone = await nextEvent('gone.unpublish');
  assert.equal(gone.body.base_path, '/fish-quotas');
  assert.deepEqual(gone.body.routes, [{ path: '/fish-quotas', type: 'exact' }], 'the gone route is announced too');

  assert.equal((await s.call('POST', `/v2/content/${ID}/unpublish`, { type: 'vanish' })).status, 200);
  const vanish = await nextEvent('vanish.unpublish');
  assert.deepEqual([vanish.body.base_path, vanish.body.content_id], ['/fish-quotas', ID]);
});

test('the organisation rename reaches a tagged document, announced as a links change', async () => {
  const other = '50000000-0000-4000-8000-000000000003';
  await s.call('PUT', `/v2/content/${other}`, answer('/fishing-rules', { title: 'Fishing rules', links: { organisations: [ORG] } }));
  await s.call('POST', `/v2/content/${other}/publish`, {});
  await nextEvent('answer.major', '/fishing-rules');
  await s.call('PUT', `/v2/content/${ORG}`, {
    base_path: '/government/organisations/fisheries', title: 'Marine and Fisheries Agency', schema_name: 'organisation', document_type: 'organisation',
    publishing_app: 'publisher', rendering_app: 'frontend', update_type: 'major', routes: [{ path: '/government/organisations/fisheries', type: 'exact' }],
    details: { body: 'Fish.', organisation_type: 'executive_agency', organisation_govuk_status: { status: 'live' } },
  });
  await s.call('POST', `/v2/content/${ORG}/publish`, {});
  const dependent = await nextEvent('answer.links', '/fishing-rules');
  assert.equal(dependent.body.links.organisations[0].title, 'Marine and Fisheries Agency');
});
