// "What happens when a publisher hits Publish", end to end: the Publishing API,
// both content stores and both routers on one database, over real HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createContentStore } from '../src/content-store/index.ts';
import { silentLogger } from '../src/platform/log.ts';
import { tokenAuthenticator } from '../src/signon/tokens.ts';
import { eventually } from './support/ports.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';

let s: PublishingStack;
before(async () => {
  s = await openPublishingStack();
});
after(() => s.close());

const ID = '0b7c1e6a-3a52-4a57-9f3e-5b8f1f6d2c11';
const PATH = '/fishing-licence';

test('draft -> draft router; publish -> live router within a second; unpublish as redirect -> 301; as gone -> 410', async () => {
  const put = await s.call('PUT', `/v2/content/${ID}`, answer(PATH));
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.publication_state, 'draft');

  const draftPage = await eventually(async () => {
    const r = await s.visit('draft', PATH);
    return r.status === 200 ? r : undefined;
  }, 2000, 'the draft router to serve the draft');
  assert.equal(draftPage.body, `frontend ${PATH}`);
  assert.notEqual((await s.visit('live', PATH)).status, 200, 'a draft is not live');

  const draftItem = await fetch(`http://127.0.0.1:${s.stores.draft.port}/content${PATH}`);
  assert.equal(draftItem.status, 200);
  assert.equal(((await draftItem.json()) as { title: string }).title, 'How to apply for a fishing licence');

  const pub = await s.call('POST', `/v2/content/${ID}/publish`, { update_type: 'major' });
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
  assert.deepEqual(pub.body, { content_id: ID });
  await eventually(async () => ((await s.visit('live', PATH)).status === 200 ? true : undefined), 10_000, 'the live router to serve the published page');
  const liveItem = (await (await fetch(`http://127.0.0.1:${s.stores.live.port}/content${PATH}`)).json()) as Record<string, string>;
  assert.equal(liveItem.content_id, ID);
  assert.match(String(liveItem.public_updated_at), /^\d{4}-\d\d-\d\dT/);

  const redirect = await s.call('POST', `/v2/content/${ID}/unpublish`, { type: 'redirect', alternative_path: '/get-a-fishing-licence' });
  assert.equal(redirect.status, 200, JSON.stringify(redirect.body));
  const moved = await eventually(async () => {
    const r = await s.visit('live', PATH);
    return r.status === 301 ? r : undefined;
  }, 2000, 'the live router to redirect');
  assert.equal(moved.headers.location, '/get-a-fishing-licence');

  const gone = await s.call('POST', `/v2/content/${ID}/unpublish`, { type: 'gone' });
  assert.equal(gone.status, 200, JSON.stringify(gone.body));
  await eventually(async () => ((await s.visit('live', PATH)).status === 410 ? true : undefined), 2000, 'the live router to answer 410');
  const goneItem = await fetch(`http://127.0.0.1:${s.stores.live.port}/content${PATH}`);
  assert.equal(goneItem.status, 410);
});

test('vanish removes the page: the router answers 404 and the content store forgets it', async () => {
  const id = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const path = '/short-lived';
  assert.equal((await s.call('PUT', `/v2/content/${id}`, answer(path))).status, 200);
  assert.equal((await s.call('POST', `/v2/content/${id}/publish`, {})).status, 200);
  await eventually(async () => ((await s.visit('live', path)).status === 200 ? true : undefined), 2000, 'published');
  assert.equal((await s.call('POST', `/v2/content/${id}/unpublish`, { type: 'vanish' })).status, 200);
  await eventually(async () => ((await s.visit('live', path)).status === 404 ? true : undefined), 2000, 'vanished');
  assert.equal((await fetch(`http://127.0.0.1:${s.stores.live.port}/content${path}`)).status, 404);
});

test('discarding a draft puts the live edition back on the draft stack', async () => {
  const id = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60';
  const path = '/discard-me';
  await s.call('PUT', `/v2/content/${id}`, answer(path, { title: 'First' }));
  await s.call('POST', `/v2/content/${id}/publish`, {});
  await s.call('PUT', `/v2/content/${id}`, answer(path, { title: 'Second' }));
  const draftTitle = (title: string) => async () => {
    const res = await fetch(`http://127.0.0.1:${s.stores.draft.port}/content${path}`);
    return res.status === 200 && ((await res.json()) as { title: string }).title === title ? true : undefined;
  };
  await eventually(draftTitle('Second'), 5000, 'the new draft on the draft stack');
  const discard = await s.call('POST', `/v2/content/${id}/discard-draft`, {});
  assert.equal(discard.status, 200, JSON.stringify(discard.body));
  await eventually(draftTitle('First'), 5000, 'the live edition back on the draft stack');
});

test('a content store that is down: the edition is saved, and its job delivers it once the store is back', async () => {
  const id = '3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a70';
  const path = '/while-the-store-is-down';
  const port = s.stores.draft.port;
  await s.stores.draft.service.stop();
  const put = await s.call('PUT', `/v2/content/${id}`, answer(path, { title: 'Delivered late' }));
  assert.equal(put.status, 200, 'the edition is saved');
  // Let the first attempt fail against the closed port.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const service = createContentStore({ stack: 'draft', db: s.t.db, log: silentLogger(), authenticate: tokenAuthenticator(s.t.db) });
  await service.start(port, '127.0.0.1');
  s.stores.draft.service = service;
  const item = await eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/content${path}`);
    return res.status === 200 ? ((await res.json()) as { title: string }) : undefined;
  }, 15_000, 'the retried job to reach the restarted store');
  assert.equal(item.title, 'Delivered late');
});
