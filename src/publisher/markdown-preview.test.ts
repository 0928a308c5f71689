import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PreviewLinks } from './preview-links.ts';
import type { PublishingApi } from './publishing-api-client.ts';
import { browser, EDITOR, testPublisher } from './testing.ts';

const UNUSED_API = {} as PublishingApi;
const NO_LINKS: PreviewLinks = { create: async () => { throw new Error('unused'); } };

test('the live preview renders Markdown as the site does, raw HTML escaped, only for a form from this app', async () => {
  const publisher = testPublisher(UNUSED_API, NO_LINKS);
  try {
    const editor = browser(publisher.app, EDITOR);
    await editor.get('/documents/new?document_type=answer');
    const page = await editor.post('/markdown-preview', { markdown: '## Who can apply\n\n<script>alert(1)</script>\n\n[Apply](/apply)' });
    assert.equal(page.status, 200);
    assert.match(page.body, /<h2[^>]*id="who-can-apply"[^>]*>Who can apply<\/h2>/);
    assert.match(page.body, /<a [^>]*href="\/apply"[^>]*>Apply<\/a>/);
    assert.doesNotMatch(page.body, /<script>/);

    // Without the form's token the request is refused, as any other post is.
    const forged = await publisher.app.inject({
      method: 'POST',
      url: '/markdown-preview',
      headers: { 'x-test-user': EDITOR.uid, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'markdown=hello',
    });
    assert.equal(forged.statusCode, 403);
  } finally {
    await publisher.stop();
  }
});
