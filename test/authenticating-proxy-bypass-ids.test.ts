// Every draft can be previewed: the Publishing API gives a draft an auth
// bypass id when the client sends none, keeps it across edits, and sends it
// to the draft content store only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from './support/publishing-stack.ts';
import { openApiHarness, type ApiHarness } from './support/publishing-api.ts';

let h: ApiHarness;
before(async () => {
  h = await openApiHarness();
});
after(() => h.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a draft without auth_bypass_ids gets one, keeps it when edited, and the draft store is sent it', async () => {
  const id = 'b0000000-0000-4000-8000-000000000001';
  h.calls.length = 0;
  const first = await h.call('PUT', `/v2/content/${id}`, answer('/preview-me'));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const [bypass] = first.body.auth_bypass_ids as string[];
  assert.match(bypass!, UUID);
  assert.deepEqual(h.calls.at(-1)!.payload!.auth_bypass_ids, [bypass]);

  const second = await h.call('PUT', `/v2/content/${id}`, answer('/preview-me', { title: 'Edited' }));
  assert.deepEqual(second.body.auth_bypass_ids, [bypass]);

  assert.equal((await h.call('POST', `/v2/content/${id}/publish`, {})).status, 200);
  const live = h.calls.filter((c) => c.stack === 'live').at(-1)!;
  assert.equal(live.payload!.auth_bypass_ids, undefined, 'the live store never sees them');
});

test('auth_bypass_ids the client sends are kept as sent', async () => {
  const id = 'b0000000-0000-4000-8000-000000000002';
  const mine = 'c0000000-0000-4000-8000-00000000000a';
  const res = await h.call('PUT', `/v2/content/${id}`, answer('/preview-mine', { auth_bypass_ids: [mine] }));
  assert.deepEqual(res.body.auth_bypass_ids, [mine]);
  const none = await h.call('PUT', `/v2/content/${id}`, answer('/preview-mine', { auth_bypass_ids: [] }));
  assert.deepEqual(none.body.auth_bypass_ids, []);
});
