// The editors' app against a real Publishing API (PGlite, content stores, workers):
// forms in, Publishing API requests out, as editors and managing editors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PreviewLinkUnavailable, type PreviewLinks } from '../src/publisher/preview-links.ts';
import { httpPublishingApi } from '../src/publisher/publishing-api-client.ts';
import { browser, EDITOR, MANAGING_EDITOR, NOBODY, testPublisher, type Page } from '../src/publisher/testing.ts';
import type { PublisherService } from '../src/publisher/index.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';

let stack: PublishingStack;
let publisher: PublisherService;
const previewRequests: { auth_bypass_id: string; base_path: string; token?: string }[] = [];
let previewProxyUp = true;
const previewLinks: PreviewLinks = {
  async create(req, _requestId, token) {
    if (!previewProxyUp) throw new PreviewLinkUnavailable('the proxy answered 502');
    previewRequests.push({ ...req, token });
    return { url: `http://draft-origin.test${req.base_path}?token=t0k3n`, expires_at: '2030-01-01T00:00:00Z' };
  },
};

before(async () => {
  stack = await openPublishingStack();
  publisher = testPublisher(httpPublishingApi(`http://127.0.0.1:${stack.apiPort}`, stack.token), previewLinks);
});

after(async () => {
  await publisher.stop();
  await stack.close();
});

function idFrom(page: Page): string {
  const m = /<form method="post" action="\/documents\/([0-9a-f-]{36})"/.exec(page.body);
  assert.ok(m, 'the edit form posts to /documents/<content_id>');
  return m[1]!;
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

async function newGuide(basePath: string) {
  const editor = browser(publisher.app, EDITOR);
  const form = await editor.get('/documents/new?document_type=guide');
  assert.equal(form.status, 200);
  const id = idFrom(form);
  const saved = await editor.post(`/documents/${id}`, {
    schema_name: 'guide',
    document_type: 'guide',
    auth_bypass_id: '11111111-2222-4333-8444-555555555555',
    title: 'Keeping hens',
    description: 'Looking after a small flock',
    base_path: basePath,
    part_title: ['Housing', 'Feeding'],
    part_slug: ['housing', 'feeding'],
    part_body: ['A dry **coop**.', 'Layers pellets.'],
    action: 'save',
  });
  return { editor, id, saved };
}

test('an editor creates a guide with parts: it is saved as a draft and listed', async () => {
  const { editor, id, saved } = await newGuide('/keeping-hens');
  assert.equal(saved.status, 303);
  assert.equal(saved.location, `/documents/${id}?done=saved`);

  const stored = await stack.call('GET', `/v2/content/${id}`);
  assert.equal(stored.body.publication_state, 'draft');
  assert.equal(stored.body.publishing_app, 'publisher');
  assert.deepEqual(stored.body.details.parts, [
    { title: 'Housing', slug: 'housing', body: 'A dry **coop**.' },
    { title: 'Feeding', slug: 'feeding', body: 'Layers pellets.' },
  ]);
  assert.deepEqual(stored.body.routes, [{ path: '/keeping-hens', type: 'prefix' }]);
  assert.deepEqual(stored.body.auth_bypass_ids, ['11111111-2222-4333-8444-555555555555']);

  const page = await editor.get(`/documents/${id}?done=saved`);
  assert.match(page.body, /The draft has been saved/);
  assert.match(page.body, /href="http:\/\/draft-origin.test\/keeping-hens"/);
  // An editor is not offered what only managing editors may do.
  assert.doesNotMatch(page.body, /\/publish"/);

  const list = await editor.get('/?q=hens');
  assert.match(text(list.body), /Keeping hens \/keeping-hens Guide Draft/);
  assert.doesNotMatch(list.body, /Crown copyright|govuk-footer__crown/, "the platform's footer, not GOV.UK's");
  assert.doesNotMatch((await editor.get('/?q=hens&state=published')).body, /Keeping hens/);
  assert.doesNotMatch((await editor.get('/?q=hens&document_type=answer')).body, /Keeping hens/);
});

test('the guide form adds, moves and removes parts and previews Markdown without saving', async () => {
  const editor = browser(publisher.app, EDITOR);
  const id = idFrom(await editor.get('/documents/new?document_type=guide'));
  const base = { schema_name: 'guide', document_type: 'guide', title: 'Bees', description: '', base_path: '/bees-parts' };
  const added = await editor.post(`/documents/${id}`, { ...base, part_title: ['One', 'Two'], part_slug: ['one', 'two'], part_body: ['1', '2'], action: 'add-part' });
  assert.equal(added.status, 200);
  assert.equal(editor.formOf(added, `/documents/${id}`).part_title!.length, 3);

  const moved = await editor.post(`/documents/${id}`, { ...base, part_title: ['One', 'Two'], part_slug: ['one', 'two'], part_body: ['1', '2'], action: 'down-part-0' });
  assert.deepEqual(editor.formOf(moved, `/documents/${id}`).part_title, ['Two', 'One']);

  const removed = await editor.post(`/documents/${id}`, { ...base, part_title: ['One', 'Two'], part_slug: ['one', 'two'], part_body: ['1', '2'], action: 'remove-part-0' });
  assert.deepEqual(editor.formOf(removed, `/documents/${id}`).part_title, ['Two']);

  const preview = await editor.post(`/documents/${id}`, { ...base, part_title: 'Intro', part_slug: 'intro', part_body: '## Swarms\n\n<script>x</script>', action: 'preview' });
  assert.equal(preview.status, 200);
  assert.match(preview.body, /<h2 id="swarms" class="govuk-heading-l">Swarms<\/h2>/);
  assert.doesNotMatch(preview.body, /<script>x<\/script>/);
  assert.equal((await stack.call('GET', `/v2/content/${id}`)).status, 404, 'nothing was saved');
});

test("the Publishing API's field errors appear in the error summary and beside their fields, and what was typed stays", async () => {
  const editor = browser(publisher.app, EDITOR);
  const id = idFrom(await editor.get('/documents/new?document_type=guide'));
  const page = await editor.post(`/documents/${id}`, {
    schema_name: 'guide', document_type: 'guide', title: ' ', description: 'Kept', base_path: '/bad-guide',
    part_title: 'Part', part_slug: 'Not A Slug', part_body: 'Body text I typed', action: 'save',
  });
  assert.equal(page.status, 422);
  assert.match(page.body, /govuk-error-summary/);
  assert.match(page.body, /<a href="#title">Title must not be blank<\/a>/);
  assert.match(page.body, /<a href="#part-0-slug">Part 1 slug must be lower-case letters/);
  assert.match(page.body, /id="part-0-slug-error"/);
  assert.match(page.body, /Body text I typed/);
  assert.match(page.body, /<title>Error: /);
});

test('only a managing editor publishes; an editor is refused', async () => {
  const { id } = await newGuide('/hens-to-publish');
  const editor = browser(publisher.app, EDITOR);
  assert.equal((await editor.get(`/documents/${id}/publish`)).status, 403);
  await editor.get(`/documents/${id}`);
  const refused = await editor.post(`/documents/${id}/publish`, { update_type: 'major', change_note: 'First' });
  assert.equal(refused.status, 403);
  assert.match(refused.body, /Only managing editors can publish/);
  assert.equal((await stack.call('GET', `/v2/content/${id}`)).body.publication_state, 'draft');

  const manager = browser(publisher.app, MANAGING_EDITOR);
  const form = await manager.get(`/documents/${id}/publish`);
  assert.equal(form.status, 200);
  const missingNote = await manager.post(`/documents/${id}/publish`, { ...manager.formOf(form, `/documents/${id}/publish`), update_type: 'major', change_note: '' });
  assert.equal(missingNote.status, 422);
  assert.match(missingNote.body, /<a href="#change_note">Enter a change note/);

  const done = await manager.post(`/documents/${id}/publish`, { ...manager.formOf(form, `/documents/${id}/publish`), update_type: 'major', change_note: 'First published.' });
  assert.equal(done.status, 303);
  const live = await stack.call('GET', `/v2/content/${id}?content_store=live`);
  assert.equal(live.body.publication_state, 'published');
  assert.equal(live.body.update_type, 'major');
  assert.equal(live.body.change_note, 'First published.');
  assert.equal(live.body.details.parts.length, 2);

  const history = await manager.get(`/documents/${id}/history`);
  assert.match(text(history.body), /1 Published Major: First published\./);
});

test('a managing editor unpublishes as a redirect; the live router then redirects', async () => {
  const { id } = await newGuide('/hens-to-redirect');
  const manager = browser(publisher.app, MANAGING_EDITOR);
  const form = await manager.get(`/documents/${id}/publish`);
  assert.equal((await manager.post(`/documents/${id}/publish`, { ...manager.formOf(form, `/documents/${id}/publish`), update_type: 'minor' })).status, 303);

  const unpublish = await manager.get(`/documents/${id}/unpublish`);
  const missing = await manager.post(`/documents/${id}/unpublish`, { ...manager.formOf(unpublish, `/documents/${id}/unpublish`), type: 'redirect' });
  assert.equal(missing.status, 422);
  assert.match(missing.body, /<a href="#alternative_path">/);
  const done = await manager.post(`/documents/${id}/unpublish`, { ...manager.formOf(unpublish, `/documents/${id}/unpublish`), type: 'redirect', alternative_path: '/keeping-hens' });
  assert.equal(done.status, 303);
  const stored = await stack.call('GET', `/v2/content/${id}`);
  assert.equal(stored.body.publication_state, 'unpublished');
  assert.equal(stored.body.unpublishing.type, 'redirect');
  assert.equal(stored.body.unpublishing.alternative_path, '/keeping-hens');
  let visit = await stack.visit('live', '/hens-to-redirect');
  for (let i = 0; i < 200 && visit.status !== 301; i++) {
    await new Promise((r) => setTimeout(r, 25));
    visit = await stack.visit('live', '/hens-to-redirect');
  }
  assert.equal(visit.status, 301);
  assert.equal(visit.headers.location, '/keeping-hens');
});

test('two editors save the same document: the second is shown what changed, keeps their text, and can save over it', async () => {
  const { id } = await newGuide('/hens-in-conflict');
  const alice = browser(publisher.app, EDITOR);
  const bob = browser(publisher.app, { ...EDITOR, uid: 'u-managing' });
  const aliceForm = await alice.get(`/documents/${id}`);
  const bobForm = await bob.get(`/documents/${id}`);

  const bobs = { ...bob.formOf(bobForm, `/documents/${id}`), title: 'Keeping hens (Bob)', action: 'save' };
  assert.equal((await bob.post(`/documents/${id}`, bobs)).status, 303);

  const alices = { ...alice.formOf(aliceForm, `/documents/${id}`), part_body: ['A dry coop.\nWith a perch.', 'Layers pellets.'], action: 'save' };
  const conflict = await alice.post(`/documents/${id}`, alices);
  assert.equal(conflict.status, 409);
  assert.match(conflict.body, /Someone else saved this document while you were editing it/);
  // The title Bob saved and the part Alice changed are both shown, line by line.
  assert.match(conflict.body, /<h3 class="govuk-heading-s">Title<\/h3>/);
  assert.match(conflict.body, /Saved version: <\/span>Keeping hens \(Bob\)/);
  assert.match(conflict.body, /<h3 class="govuk-heading-s">Part 1 body<\/h3>/);
  assert.match(conflict.body, /Your version: <\/span>With a perch\./);
  // Nothing Alice typed is lost, and the form now carries the current version.
  const kept = alice.formOf(conflict, `/documents/${id}`);
  assert.deepEqual(kept.part_body, ['A dry coop.\nWith a perch.', 'Layers pellets.']);
  assert.deepEqual(kept.title, ['Keeping hens']);
  const current = await stack.call('GET', `/v2/content/${id}`);
  assert.deepEqual(kept.lock_version, [String(current.body.lock_version)]);

  assert.equal((await alice.post(`/documents/${id}`, { ...kept, action: 'save' })).status, 303);
  const after = await stack.call('GET', `/v2/content/${id}`);
  assert.equal(after.body.title, 'Keeping hens');
  assert.equal(after.body.details.parts[0].body, 'A dry coop.\nWith a perch.');
});

test('tags are saved to the link set from lists of existing documents of the right type', async () => {
  const orgId = 'a1b2c3d4-0000-4000-8000-000000000001';
  const org = await stack.call('PUT', `/v2/content/${orgId}`, {
    base_path: '/government/organisations/poultry-office', title: 'Poultry Office', schema_name: 'organisation', document_type: 'organisation',
    publishing_app: 'publisher', rendering_app: 'frontend', routes: [{ path: '/government/organisations/poultry-office', type: 'exact' }], details: {},
  });
  assert.equal(org.status, 200, JSON.stringify(org.body));
  const { id } = await newGuide('/hens-tagged');
  const editor = browser(publisher.app, EDITOR);
  const page = await editor.get(`/documents/${id}/tags`);
  assert.equal(page.status, 200);
  assert.match(page.body, /Poultry Office \(\/government\/organisations\/poultry-office\)/);
  const saved = await editor.post(`/documents/${id}/tags`, { ...editor.formOf(page, `/documents/${id}/tags`), organisations: orgId });
  assert.equal(saved.status, 303);
  const links = await stack.call('GET', `/v2/links/${id}`);
  assert.deepEqual(links.body.links.organisations, [orgId]);
});

test('a shareable preview link is made from the draft’s preview key and base path', async () => {
  const { id } = await newGuide('/hens-shared');
  const editor = browser(publisher.app, EDITOR);
  await editor.get(`/documents/${id}`);
  const page = await editor.post(`/documents/${id}/preview-link`, {});
  assert.equal(page.status, 200);
  // The editor's own signon token goes with the request: the proxy checks they may edit.
  assert.deepEqual(previewRequests.at(-1), { auth_bypass_id: '11111111-2222-4333-8444-555555555555', base_path: '/hens-shared', token: `signon-token-of-${EDITOR.uid}` });
  assert.match(page.body, /value="http:\/\/draft-origin.test\/hens-shared\?token=t0k3n"/);

  previewProxyUp = false;
  const down = await editor.post(`/documents/${id}/preview-link`, {});
  previewProxyUp = true;
  assert.equal(down.status, 503);
  assert.match(down.body, /The preview link could not be made/);
});

test('a managing editor discards a draft that was never published: the document is gone', async () => {
  const { id } = await newGuide('/hens-discarded');
  const manager = browser(publisher.app, MANAGING_EDITOR);
  const form = await manager.get(`/documents/${id}/discard`);
  const done = await manager.post(`/documents/${id}/discard`, manager.formOf(form, `/documents/${id}/discard`));
  assert.equal(done.status, 303);
  assert.equal(done.location, '/?done=discarded');
  assert.equal((await stack.call('GET', `/v2/content/${id}`)).status, 404);
});

test('forms without the CSRF token are refused, and so are people who are not editors', async () => {
  const { id } = await newGuide('/hens-guarded');
  const forged = await publisher.app.inject({
    method: 'POST', url: `/documents/${id}`, headers: { 'x-test-user': EDITOR.uid, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'schema_name=guide&document_type=guide&title=Forged',
  });
  assert.equal(forged.statusCode, 403);
  assert.match(forged.body, /The form has expired/);
  assert.notEqual((await stack.call('GET', `/v2/content/${id}`)).body.title, 'Forged');

  assert.equal((await browser(publisher.app, null).get('/')).status, 401);
  assert.equal((await browser(publisher.app, NOBODY).get('/')).status, 403);
});

test('a news article is made from the type chooser, with its lead paragraph, body and image', async () => {
  const editor = browser(publisher.app, EDITOR);
  const chooser = await editor.get('/documents/new');
  assert.equal(chooser.status, 200);
  assert.match(chooser.body, /value="press_release"/);
  assert.equal((await editor.get('/documents/new?document_type=nonsense')).status, 400);

  const form = await editor.get('/documents/new?document_type=news_story');
  assert.match(form.body, /Lead paragraph/);
  const id = idFrom(form);
  const saved = await editor.post(`/documents/${id}`, {
    ...editor.formOf(form, `/documents/${id}`),
    title: 'Hens lay more in spring', description: 'Longer days mean more eggs.', base_path: '/government/news/hens-spring',
    body: 'Farmers report **more eggs**.', image_url: '/media/hens.jpg', image_alt: 'Hens in a field', action: 'save',
  });
  assert.equal(saved.status, 303);
  const stored = await stack.call('GET', `/v2/content/${id}`);
  assert.equal(stored.body.document_type, 'news_story');
  assert.equal(stored.body.description, 'Longer days mean more eggs.');
  assert.deepEqual(stored.body.details, { body: 'Farmers report **more eggs**.', image: { url: '/media/hens.jpg', alt_text: 'Hens in a field' } });

  const edit = await editor.get(`/documents/${id}`);
  assert.match(edit.body, /value="\/media\/hens.jpg"/);
  const history = await editor.get(`/documents/${id}/history`);
  assert.match(text(history.body), /1 Draft Major/);
});

test('the list, the document page and the history name who edited, published and tagged', async () => {
  // A name beyond ASCII, as the header carries it percent-encoded.
  const zoe = { ...EDITOR, uid: 'u-zoe', name: 'Zoë O’Brien' };
  const app = testPublisher(httpPublishingApi(`http://127.0.0.1:${stack.apiPort}`, stack.token), previewLinks, [zoe, MANAGING_EDITOR]);
  try {
    const editor = browser(app.app, zoe);
    const form = await editor.get('/documents/new?document_type=answer');
    const id = idFrom(form);
    const saved = await editor.post(`/documents/${id}`, {
      ...editor.formOf(form, `/documents/${id}`), title: 'Ducks in gardens', description: 'Keeping ducks', base_path: '/ducks-in-gardens', body: 'A pond.', action: 'save',
    });
    assert.equal(saved.status, 303, saved.body);

    assert.match(text((await editor.get('/?q=ducks')).body), /Ducks in gardens .* by Zoë O’Brien/);
    assert.match(text((await editor.get(`/documents/${id}`)).body), /Last edited by Zoë O’Brien/);

    const manager = browser(app.app, MANAGING_EDITOR);
    const publish = await manager.get(`/documents/${id}/publish`);
    assert.equal((await manager.post(`/documents/${id}/publish`, { ...manager.formOf(publish, `/documents/${id}/publish`), update_type: 'minor' })).status, 303);
    const tags = await editor.get(`/documents/${id}/tags`);
    assert.equal((await editor.post(`/documents/${id}/tags`, editor.formOf(tags, `/documents/${id}/tags`))).status, 303);
    // Publishing saves the draft first, with the update type: the managing editor made that edit.
    assert.match(text((await editor.get('/?q=ducks')).body), /by Meg Managing/);

    const history = text((await editor.get(`/documents/${id}/history`)).body);
    assert.match(history, /Last edited by Meg Managing/);
    const activity = history.slice(history.indexOf('Activity'));
    const rows = [...activity.matchAll(/(Saved the draft|Published|Changed the tags) (Zoë O’Brien|Meg Managing)/g)].map((m) => `${m[1]}: ${m[2]}`);
    assert.deepEqual(rows, ['Changed the tags: Zoë O’Brien', 'Published: Meg Managing', 'Saved the draft: Meg Managing', 'Saved the draft: Zoë O’Brien']);

    // A write by an app acting for nobody names the app instead.
    const put = await stack.call('PUT', `/v2/content/${id}`, answer('/ducks-in-gardens', { title: 'Ducks in gardens', update_type: 'minor' }));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = text((await editor.get(`/documents/${id}/history`)).body);
    assert.match(after.slice(after.indexOf('Activity')), /Saved the draft the editor application, for no named user/);
    assert.doesNotMatch(text((await editor.get(`/documents/${id}`)).body), /Last edited by/);
  } finally {
    await app.stop();
  }
});
