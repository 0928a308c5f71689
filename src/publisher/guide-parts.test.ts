import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PreviewLinks } from './preview-links.ts';
import type { PublishingApi } from './publishing-api-client.ts';
import { browser, EDITOR, testPublisher } from './testing.ts';

const NOT_SAVED = { get: async () => ({ ok: false, error: { status: 404, code: 'not_found', message: 'not found', fields: {} } }) } as unknown as PublishingApi;
const NO_LINKS: PreviewLinks = { create: async () => { throw new Error('unused'); } };

const buttons = (html: string) =>
  [...html.matchAll(/<button[^>]*value="((?:up|down|remove)-part-\d)"[^>]*>([\s\S]*?)<\/button>/g)].map((m) => ({ value: m[1], text: m[2]!.replace(/\s+/g, ' ').trim(), tag: m[0] }));

test("a guide part's buttons say which part in hidden text after what the editor sees, so a speech user can say the visible label", async () => {
  const publisher = testPublisher(NOT_SAVED, NO_LINKS);
  try {
    const editor = browser(publisher.app, EDITOR);
    const form = await editor.get('/documents/new?document_type=guide');
    const id = /action="\/documents\/([^"]+)"/.exec(form.body)![1]!;
    const page = await editor.post(`/documents/${id}`, {
      ...editor.formOf(form, `/documents/${id}`), part_title: ['One', 'Two'], part_slug: ['one', 'two'], part_body: ['1', '2'], action: 'add-part',
    });
    assert.equal(page.status, 200);
    const found = buttons(page.body);
    assert.deepEqual(found.map((b) => [b.value, b.text]), [
      ['down-part-0', 'Move down<span class="govuk-visually-hidden"> part 1</span>'],
      ['remove-part-0', 'Remove<span class="govuk-visually-hidden"> part 1</span>'],
      ['up-part-1', 'Move up<span class="govuk-visually-hidden"> part 2</span>'],
      ['down-part-1', 'Move down<span class="govuk-visually-hidden"> part 2</span>'],
      ['remove-part-1', 'Remove<span class="govuk-visually-hidden"> part 2</span>'],
      ['up-part-2', 'Move up<span class="govuk-visually-hidden"> part 3</span>'],
      ['remove-part-2', 'Remove<span class="govuk-visually-hidden"> part 3</span>'],
    ]);
    // An aria-label would replace the visible text in the accessible name.
    for (const b of found) assert.doesNotMatch(b.tag, /aria-label/);
  } finally {
    await publisher.stop();
  }
});
