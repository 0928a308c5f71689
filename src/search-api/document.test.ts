import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor, UnreadableEventError } from './document.ts';
import { eventBody, org } from './fixtures.ts';
import { bodyToText, htmlToText } from './text.ts';

describe('body text', () => {
  test('Markdown loses its syntax and keeps its words, link text included', () => {
    assert.equal(
      bodyToText('## Who needs one\n\nAnyone **over 13** fishing with a [rod](/rods).\n\n- one\n- two\n\n> quoted `code`'),
      'Who needs one Anyone over 13 fishing with a rod . one two quoted code',
    );
  });

  test('HTML loses its tags, scripts and comments, and its entities are decoded', () => {
    assert.equal(htmlToText('<p>Fish&amp;chips&nbsp;&#163;5 &#x2014;</p><script>alert(1)</script><!-- no --><h2>Next</h2>'), 'Fish&chips £5 — Next');
    assert.equal(bodyToText('  <div><p>One</p><p>Two</p></div>'), 'One Two');
  });
});

describe('what an event does to the index', () => {
  test('a published item is indexed with its words, organisations and timestamp', () => {
    const action = actionFor('answer.major', eventBody('/fishing', {
      title: 'Fishing',
      details: { body: [{ content_type: 'text/markdown', content: 'Rods *and* reels' }], parts: [{ title: 'Part one', body: '<p>Bait</p>' }] },
      links: { organisations: [org('fisheries', 'Fisheries Agency'), org('fisheries', 'Fisheries Agency (again)')] },
      public_updated_at: '2024-03-01T10:00:00+01:00',
      payload_version: 7,
    }));
    assert.equal(action.action, 'index');
    if (action.action !== 'index') return;
    const d = action.document;
    assert.equal(d.indexable_content, 'Rods and reels\nPart one\nBait');
    assert.deepEqual(d.organisations.map((o) => [o.slug, o.title, o.link, o.acronym]), [['fisheries', 'Fisheries Agency', '/government/organisations/fisheries', 'FA']]);
    assert.equal(d.public_timestamp, '2024-03-01T09:00:00.000Z');
    assert.equal(d.payload_version, 7);
    assert.equal(d.text_config, 'english');
    assert.equal(d.is_withdrawn, false);
  });

  test('the taxonomy tree is every tagged taxon and its ancestors, once each', () => {
    const taxon = (id: string, parents: unknown[] = []) => ({ content_id: id, title: id, base_path: `/${id}`, links: { parent_taxons: parents } });
    const root = taxon('root');
    const action = actionFor('answer.major', eventBody('/tagged', { links: { taxons: [taxon('leaf', [taxon('middle', [root])]), taxon('other', [root])] } }));
    assert.ok(action.action === 'index');
    assert.deepEqual(action.document.part_of_taxonomy_tree, ['leaf', 'middle', 'root', 'other']);
  });

  test('first_published_at stands in for a missing public_updated_at; other locales are indexed word for word', () => {
    const action = actionFor('answer.major', eventBody('/pysgota', { locale: 'cy', public_updated_at: null, first_published_at: '2023-05-05T00:00:00Z' }));
    assert.ok(action.action === 'index');
    assert.equal(action.document.public_timestamp, '2023-05-05T00:00:00.000Z');
    assert.equal(action.document.text_config, 'simple');
  });

  test('unpublishing types, navigation pages and unpublish events delete; a withdrawal stays, marked', () => {
    for (const type of ['gone', 'redirect', 'substitute', 'vanish']) {
      assert.deepEqual(actionFor(`${type}.unpublish`, eventBody('/x', { document_type: type, payload_version: 3 })), { action: 'delete', base_path: '/x', payload_version: 3, reason: type });
    }
    assert.equal(actionFor('special_route.major', eventBody('/search', { document_type: 'special_route' })).action, 'delete');
    assert.equal(actionFor('answer.unpublish', eventBody('/x')).action, 'delete');
    const withdrawn = actionFor('answer.unpublish', eventBody('/x', { withdrawn_notice: { explanation: 'Old', withdrawn_at: '2024-01-01T00:00:00Z' } }));
    assert.ok(withdrawn.action === 'index' && withdrawn.document.is_withdrawn);
  });

  test('a vanish carries no payload_version and still deletes', () => {
    assert.deepEqual(actionFor('vanish.unpublish', { base_path: '/x', content_id: 'c', locale: 'en', document_type: 'vanish', schema_name: 'vanish' }), {
      action: 'delete', base_path: '/x', payload_version: null, reason: 'vanish',
    });
  });

  test('an event that cannot be read is an error, to be retried and then dead-lettered', () => {
    assert.throws(() => actionFor('answer.major', { title: 'no path' }), UnreadableEventError);
    assert.throws(() => actionFor('answer.major', eventBody('/x', { payload_version: 'seven' })), UnreadableEventError);
    assert.throws(() => actionFor('answer.major', eventBody('/x', { content_id: undefined })), UnreadableEventError);
  });
});
