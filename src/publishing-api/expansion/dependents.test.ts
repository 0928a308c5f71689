import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/index.ts';
import { openTestDb, type TestDb } from '../../platform/db/testing.ts';
import { migratePublishingApi } from '../schema.ts';
import type { Edition } from '../types.ts';
import { dependentDocuments, expansionFieldsChanged, findDependents, removedLinkTargets } from './dependents.ts';
import { expandLinks, type ExpandedLink } from './expand.ts';
import { counting, seed, uuidOf, type LinkSets, type World } from './fixtures.ts';
import { DEFAULT_ORIGIN } from './rules.ts';

let t: TestDb;
let db: Db;
before(async () => {
  t = await openTestDb();
  db = t.db;
  await migratePublishingApi(db);
});
after(() => t.close());
beforeEach(() => db.exec('TRUNCATE publishing_api.documents, publishing_api.link_sets CASCADE'));

/**
 * One world with a parent chain (a < b < c < d), a taxon tree
 * (t0 < t1 < t2, t0 < t1b) with documents tagged to it, an organisation
 * linked by link sets and by an edition link, and bystanders.
 */
const world: World = {
  a: {}, b: {}, c: {}, d: { links: { primary_publishing_organisation: ['org'] } },
  t0: { type: 'taxon' }, t1: { type: 'taxon' }, t1b: { type: 'taxon' }, t2: { type: 'taxon' },
  g1: {}, g2: {},
  org: { type: 'organisation' },
  u: {}, v: {}, lonely: {},
};
const linkSets: LinkSets = {
  b: { parent: ['a'] }, c: { parent: ['b'] }, d: { parent: ['c'] },
  t1: { parent_taxons: ['t0'] }, t1b: { parent_taxons: ['t0'] }, t2: { parent_taxons: ['t1'] },
  g1: { taxons: ['t2'], organisations: ['org'] }, g2: { taxons: ['t1b'], organisations: ['org'] },
  u: { related: ['v'] },
};

/** Who shows the renamed document, worked out by hand from the rules. */
const expected: Record<string, string[]> = {
  a: ['b', 'c', 'd'], // b's parent; c and d through their parent chains
  b: ['a', 'c', 'd'], // a's children; c's parent; d's chain
  c: ['b', 'd'], // b's children; d's parent (a's children stop at b)
  d: ['c'], // c's children
  t0: ['g1', 'g2', 't1', 't1b', 't2'], // children's parent_taxons; t2's chain; g1, g2 via taxons > parent_taxons*
  t1: ['g1', 't0', 't2'], // t0's child_taxons; t2's parent_taxons; g1 via taxons > parent_taxons
  t1b: ['g2', 't0'],
  t2: ['g1', 't0', 't1'], // t1's child_taxons, t0's child_taxons > child_taxons; g1's taxons
  org: ['d', 'g1', 'g2'], // link sets and d's edition link
  g1: [], // links out, but none with a reverse
  v: ['u'],
  u: [],
  lonely: [],
};

let names = Object.keys(world);
const nameOf = new Map<string, string>();
const remember = (w: World) => {
  names = Object.keys(w).filter((k) => !k.includes('@'));
  for (const n of names) nameOf.set(uuidOf(n), n);
};
remember(world);
const seedWorld = (w: World, l?: LinkSets) => {
  remember(w);
  return seed(db, w, l);
};
const named = (ids: string[]) => ids.map((id) => nameOf.get(id) ?? id).sort();

/** The documents whose expansion, in either store, holds `name` anywhere (every document expanded once per call of `expandAll`). */
async function expandAll(): Promise<(name: string) => string[]> {
  const expansions = new Map<string, Record<string, ExpandedLink[]>[]>();
  for (const other of names) {
    expansions.set(other, [
      await expandLinks(db, uuidOf(other), 'en', { withDrafts: true, origin: DEFAULT_ORIGIN }),
      await expandLinks(db, uuidOf(other), 'en', { withDrafts: false, origin: DEFAULT_ORIGIN }),
    ]);
  }
  return (name) => {
    const id = uuidOf(name);
    const holds = (links: Record<string, ExpandedLink[]>): boolean =>
      Object.entries(links).some(([type, items]) => type !== 'available_translations' && items.some((i) => i.content_id === id || holds(i.links)));
    return names.filter((other) => other !== name && expansions.get(other)!.some(holds)).sort();
  };
}

async function showing(name: string): Promise<string[]> {
  return (await expandAll())(name);
}

describe('findDependents: a rename reaches every dependent and nothing else', () => {
  beforeEach(() => seedWorld(world, linkSets));
  for (const [renamed, dependents] of Object.entries(expected)) {
    test(`${renamed}: ${dependents.join(', ') || 'none'}`, async () => {
      assert.deepEqual(named(await findDependents(db, uuidOf(renamed), 'en')), dependents);
    });
  }
  test('each answer is exactly the set of documents whose expansion shows the renamed one', async () => {
    const shows = await expandAll();
    for (const [renamed, dependents] of Object.entries(expected)) assert.deepEqual(shows(renamed), dependents, renamed);
  });
});

describe('findDependents: edges and edge cases', () => {
  test('edition links count in both directions, from draft and live editions', async () => {
    await seedWorld({
      p: {},
      kid: { links: { parent: ['p'] }, draft: true, draftLinks: { parent: ['q'] } },
      q: {},
      grandkid: { draft: true, live: null, links: { parent: ['kid'] } },
    });
    // kid is in p's children (live) and q's (draft); grandkid's draft parent chain shows it.
    assert.deepEqual(named(await findDependents(db, uuidOf('kid'), 'en')), ['grandkid', 'p', 'q']);
    assert.deepEqual(await showing('kid'), ['grandkid', 'p', 'q']);
    // grandkid (draft only) reaches q through kid's draft.
    assert.deepEqual(named(await findDependents(db, uuidOf('q'), 'en')), ['grandkid', 'kid']);
    assert.deepEqual(await showing('q'), ['grandkid', 'kid']);
    // Chains are walked through every edition in a store, not per store: grandkid's draft chain goes
    // through kid's draft to q, never to p, but is reported for p too. An extra re-send, never a missed one.
    assert.deepEqual(named(await findDependents(db, uuidOf('p'), 'en')), ['grandkid', 'kid']);
    assert.deepEqual(await showing('p'), ['kid']);
  });

  test('a document that was unpublished still reaches those that showed it', async () => {
    await seedWorld({ doc: {}, gone: { live: 'gone' } }, { doc: { related: ['gone'] } });
    assert.deepEqual(named(await findDependents(db, uuidOf('gone'), 'en')), ['doc']);
  });

  test('a link set, or a link target, with no document behind it is no dependent', async () => {
    await seedWorld({ o: { type: 'organisation' }, kid: { links: { parent: ['nobody'] } } }, { ghost: { organisations: ['o'] }, o: { parent: ['nobody'] } });
    assert.deepEqual(await findDependents(db, uuidOf('o'), 'en'), []);
    assert.deepEqual(await findDependents(db, uuidOf('kid'), 'en'), []);
  });

  test('cycles terminate', async () => {
    await seedWorld({ a: {}, b: {}, c: {}, t1: { type: 'taxon' }, t2: { type: 'taxon' } }, {
      a: { parent: ['b'] }, b: { parent: ['c'] }, c: { parent: ['a'] },
      t1: { parent_taxons: ['t2'] }, t2: { parent_taxons: ['t1'] },
    });
    assert.deepEqual(named(await findDependents(db, uuidOf('a'), 'en')), ['b', 'c']);
    assert.deepEqual(named(await findDependents(db, uuidOf('t1'), 'en')), ['t2']);
  });

  test('ordered_related_items > mainstream_browse_pages > parent*: the page that lists the item, not the browse page in between', async () => {
    await seedWorld({ doc: {}, x: {}, m: { type: 'mainstream_browse_page' }, m0: { type: 'mainstream_browse_page' } }, {
      doc: { ordered_related_items: ['x'] }, x: { mainstream_browse_pages: ['m'] }, m: { parent: ['m0'] },
    });
    // m0 appears under doc (three levels down) and under m (its parent); x's expansion stops at m.
    assert.deepEqual(named(await findDependents(db, uuidOf('m0'), 'en')), ['doc', 'm']);
    assert.deepEqual(await showing('m0'), ['doc', 'm']);
  });

  test('dependentDocuments: every locale of each dependent, and the document\'s own other locales', async () => {
    await seedWorld({ doc: {}, 'doc@cy': {}, o: { type: 'organisation' }, 'o@cy': { type: 'organisation', draft: true, live: null } }, {
      doc: { organisations: ['o'] },
    });
    const key = (x: { content_id: string; locale: string }) => `${nameOf.get(x.content_id)}@${x.locale}`;
    const got = (await dependentDocuments(db, uuidOf('o'), 'en')).map((x) => [key(x), x.stores]).sort();
    assert.deepEqual(got, [['doc@cy', ['draft', 'live']], ['doc@en', ['draft', 'live']], ['o@cy', ['draft']]]);
  });

  test('many documents linking to one organisation: one query', async () => {
    const many: World = { org: { type: 'organisation' } };
    const sets: LinkSets = {};
    for (let i = 0; i < 300; i++) {
      if (i % 2) many[`doc${i}`] = { links: { organisations: ['org'] } };
      else {
        many[`doc${i}`] = {};
        sets[`doc${i}`] = { organisations: ['org'] };
      }
    }
    await seedWorld(many, sets);
    const q = counting(db);
    assert.equal((await findDependents(q, uuidOf('org'), 'en')).length, 300);
    assert.equal(q.count, 1);
  });
});

describe('removedLinkTargets', () => {
  test('targets no longer linked by any type', () => {
    assert.deepEqual(removedLinkTargets({ parent: ['A'], organisations: ['b', 'c'] }, { organisations: ['c'], related: ['a'] }), ['a', 'b']);
    assert.deepEqual(removedLinkTargets({}, { parent: ['a'] }), []);
  });
});

describe('expansionFieldsChanged', () => {
  const T = new Date('2026-01-01T00:00:00Z');
  const e = (extra: Partial<Edition> = {}): Edition => ({
    id: 1, document_id: 1, content_id: 'c', locale: 'en', lock_version: 1, user_facing_version: 1, state: 'published', content_store: 'live',
    base_path: '/p', title: 'Title', description: 'About', details: { body: 'text' }, document_type: 'guide', schema_name: 'guide',
    publishing_app: 'publisher', rendering_app: 'frontend', phase: 'live', analytics_identifier: null, routes: [], redirects: [],
    edition_links: { organisations: ['o'] }, update_type: 'major', change_note: null, auth_bypass_ids: [], first_published_at: T,
    public_updated_at: T, major_published_at: T, published_at: T, last_edited_at: T, last_edited_by_uid: null, last_edited_by_name: null, publishing_request_id: null, created_at: T,
    updated_at: T, unpublishing: null, ...extra,
  });
  const org = (details: Record<string, unknown>, extra: Partial<Edition> = {}) => e({ document_type: 'organisation', schema_name: 'organisation', details, ...extra });
  const withdrawn = { type: 'withdrawal' as const, explanation: 'x', alternative_path: null, redirects: [], unpublished_at: T };

  const cases: [string, Edition | undefined, Edition | undefined, boolean][] = [
    ['nothing changed', e(), e(), false],
    ['created', undefined, e(), true],
    ['discarded', e(), undefined, true],
    ['title', e(), e({ title: 'New' }), true],
    ['base_path', e(), e({ base_path: '/q' }), true],
    ['document_type', e(), e({ document_type: 'answer' }), true],
    ['schema_name', e(), e({ schema_name: 'answer' }), true],
    ['public_updated_at', e(), e({ public_updated_at: new Date('2026-02-01T00:00:00Z') }), true],
    ['analytics_identifier', e(), e({ analytics_identifier: 'X1' }), true],
    ['a guide\'s description: not embedded', e(), e({ description: 'New' }), false],
    ['a guide\'s body: not embedded', e(), e({ details: { body: 'new' } }), false],
    ['change_note, routes, timestamps nobody embeds', e(), e({ change_note: 'n', last_edited_at: new Date(), routes: [{ path: '/p', type: 'exact' }] }), false],
    ['a taxon\'s description', e({ document_type: 'taxon' }), e({ document_type: 'taxon', description: 'New' }), true],
    ['a taxon\'s details', e({ document_type: 'taxon' }), e({ document_type: 'taxon', details: { internal_name: 'x' } }), true],
    ['an organisation\'s logo', org({ logo: { formatted_title: 'A' } }), org({ logo: { formatted_title: 'B' } }), true],
    ['an organisation\'s body: not embedded', org({ body: 'a' }), org({ body: 'b' }), false],
    ['an organisation\'s public_updated_at: not embedded', org({}), org({}, { public_updated_at: new Date('2026-02-01T00:00:00Z') }), false],
    ['a person\'s image (embedded under person)', e({ document_type: 'person' }), e({ document_type: 'person', details: { image: { url: '/x' } } }), true],
    ['withdrawn', e(), e({ state: 'unpublished', unpublishing: withdrawn }), true],
    ['gone', e(), e({ state: 'unpublished', unpublishing: { ...withdrawn, type: 'gone' } }), true],
    ['a draft published', e({ state: 'draft', content_store: 'draft' }), e(), true],
    ['edition links', e(), e({ edition_links: { organisations: ['o', 'p'] } }), true],
    ['edition links in another case, or an empty type', e(), e({ edition_links: { organisations: ['O'], parent: [] } }), false],
  ];
  for (const [what, before, after, changed] of cases) {
    test(`${what}: ${changed ? 'changed' : 'unchanged'}`, () => assert.equal(expansionFieldsChanged(before, after), changed));
  }
});
