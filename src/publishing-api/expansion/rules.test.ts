import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Edition } from '../types.ts';
import {
  allExpansionFields,
  backwardStates,
  DEFAULT_FIELDS,
  directLinkTypes,
  expansionFields,
  isLinkable,
  isReverseLinkType,
  MAX_DEPTH,
  MULTI_LEVEL_LINK_PATHS,
  nextLinkTypes,
  pickFields,
  reverseLinkType,
  shouldLink,
} from './rules.ts';

describe('reverse links', () => {
  const cases: [string, string][] = [
    ['parent', 'children'],
    ['documents', 'document_collections'],
    ['parent_taxons', 'child_taxons'],
    ['root_taxon', 'level_one_taxons'],
    ['person', 'role_appointments'],
    ['role', 'role_appointments'],
    ['ministerial', 'ministers'],
  ];
  for (const [direct, reverse] of cases) {
    test(`${direct} -> ${reverse}`, () => {
      assert.equal(reverseLinkType(direct), reverse);
      assert.ok(isReverseLinkType(reverse));
      assert.ok(directLinkTypes(reverse).includes(direct));
    });
  }
  test('types without a reverse', () => {
    for (const t of ['organisations', 'taxons', 'related', 'constructor', 'toString']) assert.equal(reverseLinkType(t), undefined, t);
    assert.equal(isReverseLinkType('parent'), false);
  });
});

describe('multi-level paths: what expands below an item', () => {
  const cases: [string[], string[]][] = [
    [['parent'], ['parent']],
    [['parent', 'parent', 'parent'], ['parent']],
    [['taxons'], ['parent_taxons', 'root_taxon']],
    [['taxons', 'parent_taxons'], ['parent_taxons', 'root_taxon']],
    [['taxons', 'parent_taxons', 'root_taxon'], []],
    [['taxons', 'root_taxon'], []],
    [['child_taxons'], ['associated_taxons', 'child_taxons']],
    [['child_taxons', 'child_taxons'], ['child_taxons']],
    [['mainstream_browse_pages'], []],
    [['ordered_related_items'], ['mainstream_browse_pages']],
    [['ordered_related_items', 'mainstream_browse_pages'], ['parent']],
    [['ordered_related_items', 'mainstream_browse_pages', 'parent', 'parent'], ['parent']],
    [['role_appointments'], ['person', 'role']],
    [['role_appointments', 'role'], ['ordered_parent_organisations']],
    [['ordered_ministers'], ['role_appointments']],
    [['ordered_ministers', 'role_appointments'], ['role']],
    [['organisations'], []],
    [['related'], []],
    [['children'], []],
    [['document_collections'], []],
  ];
  for (const [path, next] of cases) {
    test(`${path.join(' > ')}: ${next.join(', ') || 'nothing'}`, () => assert.deepEqual(nextLinkTypes(path), next));
  }
  test(`nothing expands ${MAX_DEPTH} levels down`, () => assert.deepEqual(nextLinkTypes(Array(MAX_DEPTH).fill('parent')), []));
});

describe('multi-level paths walked backwards', () => {
  /** Whether a path read backwards from its last step reaches a start: the inverse of nextLinkTypes. */
  const matches = (path: string[]) => {
    let states = backwardStates(path[path.length - 1]!);
    for (const t of path.slice(0, -1).reverse()) states = backwardStates(t, states.filter((s) => s.step > 0));
    return states.some((s) => s.step === 0);
  };
  const valid = (path: string[]) => path.every((_, i) => i === 0 || nextLinkTypes(path.slice(0, i)).includes(path[i]!)) && path.length > 1;
  const paths: string[][] = [
    ['parent', 'parent'],
    ['parent', 'parent', 'parent', 'parent'],
    ['taxons', 'parent_taxons', 'parent_taxons', 'root_taxon'],
    ['taxons', 'root_taxon'],
    ['root_taxon', 'taxons'],
    ['child_taxons', 'child_taxons', 'child_taxons'],
    ['ordered_related_items', 'mainstream_browse_pages', 'parent'],
    ['mainstream_browse_pages', 'parent'],
    ['role_appointments', 'role', 'ordered_parent_organisations'],
    ['organisations', 'parent'],
    ['parent', 'children'],
  ];
  for (const path of paths) {
    test(`${path.join(' > ')}: ${valid(path) ? 'a path' : 'not a path'} both ways`, () => assert.equal(matches(path), valid(path)));
  }
  test('every rule is well formed', () => {
    for (const rule of MULTI_LEVEL_LINK_PATHS) {
      assert.ok(rule.length >= 1);
      assert.ok(rule.filter((e) => e.recurring).length <= 1, 'at most one recurring element');
    }
  });
});

describe('fields', () => {
  const cases: [string, string, string[]][] = [
    ['guide', 'related', [...DEFAULT_FIELDS]],
    ['organisation', 'organisations', [...DEFAULT_FIELDS.filter((f) => f !== 'public_updated_at'), 'details.acronym', 'details.logo', 'details.brand', 'details.default_news_image', 'details.organisation_govuk_status']],
    ['taxon', 'taxons', [...DEFAULT_FIELDS, 'description', 'details', 'phase']],
    ['mainstream_browse_page', 'mainstream_browse_pages', [...DEFAULT_FIELDS, 'description']],
    ['person', 'person', [...DEFAULT_FIELDS, 'details.body', 'details.image']],
    ['person', 'ordered_ministers', [...DEFAULT_FIELDS, 'details.image', 'details.privy_counsellor']],
    ['person', 'people', [...DEFAULT_FIELDS]],
    ['finder', 'finder', [...DEFAULT_FIELDS, 'details.facets', 'details.show_metadata_block', 'details.show_table_of_contents', 'details.index_documents_in_search_engines']],
    ['finder', 'related', [...DEFAULT_FIELDS]],
    ['redirect', 'related', []],
    ['gone', 'parent', []],
  ];
  for (const [documentType, linkType, fields] of cases) {
    test(`${documentType} under ${linkType}`, () => assert.deepEqual([...expansionFields(documentType, linkType)], fields));
  }
  test('everything an organisation can show, under any link type', () => {
    assert.ok(allExpansionFields('organisation').includes('details.logo'));
    assert.ok(!allExpansionFields('organisation').includes('public_updated_at'));
    assert.ok(allExpansionFields('person').includes('details.privy_counsellor'));
    assert.ok(allExpansionFields('person').includes('public_updated_at'));
  });

  test('pickFields: top-level fields always, nested ones when present, computed api_path and withdrawn', () => {
    const e = {
      content_id: 'c', locale: 'en', title: 'T', base_path: '/t', document_type: 'step_by_step_nav', schema_name: 'step_by_step_nav',
      analytics_identifier: null, public_updated_at: new Date('2026-01-02T03:04:05.678Z'), state: 'published', unpublishing: null,
      details: { step_by_step_nav: { title: 'Steps', steps: [1], intro: 'no' }, body: 'no' },
    } as unknown as Edition;
    assert.deepEqual(pickFields(e, ['content_id', 'api_path', 'withdrawn', 'public_updated_at', 'description', 'details.step_by_step_nav.title', 'details.step_by_step_nav.steps', 'details.missing']), {
      content_id: 'c', api_path: '/api/content/t', withdrawn: false, public_updated_at: '2026-01-02T03:04:05Z', description: null,
      details: { step_by_step_nav: { title: 'Steps', steps: [1] } },
    });
  });
});

describe('visibility', () => {
  const e = (state: Edition['state'], type?: string) => ({ state, unpublishing: type ? { type } : null }) as Edition;
  const cases: [string, Edition, boolean, string[]][] = [
    ['draft', e('draft'), true, ['organisations', 'parent']],
    ['published', e('published'), true, ['organisations', 'parent']],
    ['withdrawn', e('unpublished', 'withdrawal'), true, ['parent', 'children', 'related_statistical_data_sets']],
    ['gone', e('unpublished', 'gone'), false, []],
    ['redirect', e('unpublished', 'redirect'), false, []],
    ['superseded', e('superseded'), false, []],
  ];
  for (const [what, edition, linkable, shownUnder] of cases) {
    test(`${what}: ${linkable ? `shown under ${shownUnder.join(', ')}` : 'never shown'}`, () => {
      assert.equal(isLinkable(edition), linkable);
      if (linkable) {
        for (const t of shownUnder) assert.ok(shouldLink(t, edition), t);
        if (edition.state === 'unpublished') assert.equal(shouldLink('organisations', edition), false);
      }
    });
  }
});
