import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/index.ts';
import { openTestDb, type TestDb } from '../../platform/db/testing.ts';
import { migratePublishingApi } from '../schema.ts';
import { expandLinks, expandLinksOfMany } from './expand.ts';
import { counting, seed, shape, uuidOf, type LinkSets, type Shape, type World } from './fixtures.ts';
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

const expand = (name: string, withDrafts: boolean, locale = 'en') =>
  expandLinks(db, uuidOf(name), locale, { withDrafts, origin: DEFAULT_ORIGIN });

interface Case {
  what: string;
  world: World;
  linkSets?: LinkSets;
  /** The document to expand, and the expected shape in the draft and live stores. */
  expect: [root: string, draft: Shape, live?: Shape, locale?: string][];
}

const org = (title?: string) => ({ type: 'organisation', ...(title ? { title } : {}) });
const chain = { a: {}, b: {}, c: {}, d: {} };

const cases: Case[] = [
  {
    what: 'organisations (link set) and primary_publishing_organisation (edition link)',
    world: { doc: { links: { primary_publishing_organisation: ['hmrc'] } }, hmrc: org('HMRC'), dwp: org('DWP') },
    linkSets: { doc: { organisations: ['dwp', 'hmrc'] } },
    expect: [['doc', { organisations: ['DWP', 'HMRC'], primary_publishing_organisation: ['HMRC'] }]],
  },
  {
    what: 'a link type keeps the order given',
    world: { doc: {}, o1: org(), o2: org(), o3: org() },
    linkSets: { doc: { organisations: ['o3', 'o1', 'o2'] } },
    expect: [['doc', { organisations: ['o3', 'o1', 'o2'] }]],
  },
  {
    what: "edition links replace the link set's links of the same type, and only that type",
    world: { doc: { links: { organisations: ['o2'] } }, o1: org(), o2: org(), r: {} },
    linkSets: { doc: { organisations: ['o1'], related: ['r'] } },
    expect: [['doc', { organisations: ['o2'], related: ['r'] }]],
  },
  {
    what: 'a 3-level parent chain expands all the way up; each parent shows its children, linking back',
    world: chain,
    linkSets: { d: { parent: ['c'] }, c: { parent: ['b'] }, b: { parent: ['a'] } },
    expect: [
      ['d', { parent: [{ c: { parent: [{ b: { parent: ['a'] } }] } }] }],
      ['b', { children: [{ c: { parent: ['b'] } }], parent: ['a'] }],
      ['a', { children: [{ b: { parent: ['a'] } }] }],
    ],
  },
  {
    what: 'the same parent chain held in edition links',
    world: { a: {}, b: { links: { parent: ['a'] } }, c: { links: { parent: ['b'] } }, d: { links: { parent: ['c'] } } },
    expect: [
      ['d', { parent: [{ c: { parent: [{ b: { parent: ['a'] } }] } }] }],
      ['a', { children: [{ b: { parent: ['a'] } }] }],
    ],
  },
  {
    what: 'a taxon tree: taxons > parent_taxons* upwards, child_taxons* downwards',
    world: { t0: { type: 'taxon' }, t1: { type: 'taxon' }, t2: { type: 'taxon' }, t1b: { type: 'taxon' }, doc: {} },
    linkSets: { t1: { parent_taxons: ['t0'] }, t1b: { parent_taxons: ['t0'] }, t2: { parent_taxons: ['t1'] }, doc: { taxons: ['t2'] } },
    expect: [
      ['doc', { taxons: [{ t2: { parent_taxons: [{ t1: { parent_taxons: ['t0'] } }] } }] }],
      ['t0', { child_taxons: [{ t1: { child_taxons: ['t2'], parent_taxons: ['t0'] } }, { t1b: { parent_taxons: ['t0'] } }] }],
      ['t2', { parent_taxons: [{ t1: { parent_taxons: ['t0'] } }] }],
    ],
  },
  {
    what: 'root_taxon: under taxons and parent_taxons, and level_one_taxons as its reverse',
    world: { home: { type: 'taxon' }, t1: { type: 'taxon' }, t2: { type: 'taxon' }, doc: {} },
    linkSets: { t1: { root_taxon: ['home'] }, t2: { parent_taxons: ['t1'] }, doc: { taxons: ['t1'] } },
    expect: [
      ['t2', { parent_taxons: [{ t1: { root_taxon: ['home'] } }] }],
      ['doc', { taxons: [{ t1: { root_taxon: ['home'] } }] }],
      ['home', { level_one_taxons: [{ t1: { root_taxon: ['home'] } }] }],
    ],
  },
  {
    what: 'mainstream_browse_pages is one level; ordered_related_items > mainstream_browse_pages > parent* goes deeper',
    world: { doc: {}, x: {}, m: { type: 'mainstream_browse_page' }, m0: { type: 'mainstream_browse_page' } },
    linkSets: { doc: { mainstream_browse_pages: ['m'], ordered_related_items: ['x'] }, x: { mainstream_browse_pages: ['m'] }, m: { parent: ['m0'] } },
    expect: [['doc', { mainstream_browse_pages: ['m'], ordered_related_items: [{ x: { mainstream_browse_pages: [{ m: { parent: ['m0'] } }] } }] }]],
  },
  {
    what: 'related and people expand one level only',
    world: { doc: {}, r1: {}, r2: {}, p: { type: 'person' } },
    linkSets: { doc: { related: ['r1'], people: ['p'] }, r1: { related: ['r2'] }, p: { related: ['r2'] } },
    expect: [['doc', { people: ['p'], related: ['r1'] }]],
  },
  {
    what: 'documents and their reverse, document_collections',
    world: { coll: { type: 'document_collection' }, d1: {}, d2: {} },
    linkSets: { coll: { documents: ['d1', 'd2'] } },
    expect: [
      ['coll', { documents: ['d1', 'd2'] }],
      ['d1', { document_collections: [{ coll: { documents: ['d1'] } }] }],
    ],
  },
  {
    what: 'role_appointments is the reverse of both person and role, and continues to the role',
    world: { p: { type: 'person' }, r: { type: 'ministerial_role' }, ra: { type: 'role_appointment' }, dept: org() },
    linkSets: { ra: { person: ['p'], role: ['r'] }, r: { ordered_parent_organisations: ['dept'] } },
    expect: [
      ['p', { role_appointments: [{ ra: { person: ['p'], role: [{ r: { ordered_parent_organisations: ['dept'] } }] } }] }],
      ['r', { ordered_parent_organisations: ['dept'], role_appointments: [{ ra: { person: ['p'], role: ['r'] } }] }],
    ],
  },
  {
    what: 'drafts are preferred with drafts; live sees only published targets',
    world: { doc: {}, pub: org('P'), both: { ...org('B'), draft: true }, new: { ...org('N'), draft: true, live: null } },
    linkSets: { doc: { organisations: ['pub', 'both', 'new'] } },
    expect: [['doc', { organisations: ['P', 'B (draft)', 'N (draft)'] }, { organisations: ['P', 'B'] }]],
  },
  {
    what: "the document's draft links go to the draft store, its live links to live",
    world: { doc: { links: { organisations: ['o1'] }, draft: true, draftLinks: { organisations: ['o2'] } }, o1: org(), o2: org() },
    expect: [['doc', { organisations: ['o2'] }, { organisations: ['o1'] }]],
  },
  {
    what: 'unpublished targets: withdrawn shows only as parent, children or related_statistical_data_sets; gone, redirect, vanish never',
    world: {
      doc: {},
      w: { live: 'withdrawal' },
      g: { live: 'gone' },
      r: { live: 'redirect' },
      v: { live: 'vanish' },
      wd: { live: 'withdrawal', draft: true },
      kid: { live: 'withdrawal' },
      gonekid: { live: 'gone' },
      stats: { live: 'withdrawal' },
    },
    linkSets: {
      doc: { organisations: ['w', 'g', 'r', 'v', 'wd'], parent: ['w'], related: ['g', 'r', 'v'], related_statistical_data_sets: ['stats'] },
      kid: { parent: ['doc'] },
      gonekid: { parent: ['doc'] },
    },
    expect: [
      [
        'doc',
        {
          children: [{ 'kid [withdrawn]': { parent: ['doc'] } }],
          organisations: ['wd (draft)'],
          parent: ['w [withdrawn]'],
          related_statistical_data_sets: ['stats [withdrawn]'],
        },
        {
          children: [{ 'kid [withdrawn]': { parent: ['doc'] } }],
          parent: ['w [withdrawn]'],
          related_statistical_data_sets: ['stats [withdrawn]'],
        },
      ],
    ],
  },
  {
    what: 'targets with no edition drop out (links may point at documents not yet made)',
    world: { doc: {}, o: org('O') },
    linkSets: { doc: { organisations: ['nobody', 'o'], parent: ['nobody'] } },
    expect: [['doc', { organisations: ['O'] }]],
  },
  {
    what: 'a parent cycle terminates: no document appears below itself',
    world: { a: {}, b: {}, c: {} },
    linkSets: { a: { parent: ['b'], related: ['a'] }, b: { parent: ['c'] }, c: { parent: ['a'] } },
    expect: [
      ['a', { children: [{ c: { parent: ['a'] } }], parent: [{ b: { parent: ['c'] } }] }],
      ['b', { children: [{ a: { parent: ['b'] } }], parent: [{ c: { parent: ['a'] } }] }],
    ],
  },
  {
    what: 'a taxon cycle terminates both ways',
    world: { t1: { type: 'taxon' }, t2: { type: 'taxon' } },
    linkSets: { t1: { parent_taxons: ['t2'] }, t2: { parent_taxons: ['t1'] } },
    expect: [['t1', { child_taxons: [{ t2: { parent_taxons: ['t1'] } }], parent_taxons: ['t2'] }]],
  },
  {
    what: 'a Welsh document sees Welsh targets, else English ones',
    world: { 'doc@cy': {}, o1: org(), o2: org(), 'o2@cy': org() },
    linkSets: { doc: { organisations: ['o1', 'o2'] } },
    expect: [
      ['doc', { organisations: ['o1', 'o2@cy'] }, undefined, 'cy'],
      ['doc', { organisations: ['o1', 'o2'] }, undefined, 'en'],
    ],
  },
  {
    what: 'a reverse edition link follows the edition each store shows',
    world: { p: {}, q: {}, kid: { links: { parent: ['p'] }, draft: true, draftLinks: { parent: ['q'] } } },
    expect: [
      ['p', {}, { children: [{ kid: { parent: ['p'] } }] }],
      ['q', { children: [{ 'kid (draft)': { parent: ['q'] } }] }, {}],
    ],
  },
  {
    what: 'a draft-only child shows in the draft store only',
    world: { p: {}, kid: { draft: true, live: null } },
    linkSets: { kid: { parent: ['p'] } },
    expect: [['p', { children: [{ 'kid (draft)': { parent: ['p'] } }] }, {}]],
  },
];

describe('expandLinks: link types, reverse links, recursion, visibility', () => {
  for (const c of cases) {
    test(c.what, async () => {
      await seed(db, c.world, c.linkSets);
      for (const [root, draft, live, locale] of c.expect) {
        assert.deepEqual(shape(await expand(root, true, locale)), draft, `${root} with drafts`);
        assert.deepEqual(shape(await expand(root, false, locale)), live ?? draft, `${root} live`);
      }
    });
  }
});

describe('expandLinksOfMany: documents expanded together', () => {
  for (const c of cases) {
    test(`each as if alone: ${c.what}`, async () => {
      await seed(db, c.world, c.linkSets);
      // Every document of the world at once, so trees that share nodes, and documents that link to each other, are built together.
      const names = Object.keys(c.world);
      for (const locale of new Set(c.expect.map((e) => e[3] ?? 'en'))) {
        for (const withDrafts of [true, false]) {
          const together = await expandLinksOfMany(db, names.map(uuidOf), locale, { withDrafts, origin: DEFAULT_ORIGIN });
          for (const name of names) {
            const alone = await expandLinks(db, uuidOf(name), locale, { withDrafts, origin: DEFAULT_ORIGIN });
            assert.deepEqual(together.get(uuidOf(name)), alone, `${name} ${locale} ${withDrafts ? 'with drafts' : 'live'}`);
          }
        }
      }
    });
  }
});

describe('expandLinks: the fields of each item', () => {
  const base = (name: string, extra: Record<string, unknown> = {}) => ({
    content_id: uuidOf(name),
    title: name,
    locale: 'en',
    analytics_identifier: null,
    api_path: `/api/content/${name}`,
    base_path: `/${name}`,
    document_type: 'guide',
    schema_name: 'guide',
    public_updated_at: '2026-03-01T12:00:00Z',
    withdrawn: false,
    api_url: `${DEFAULT_ORIGIN}/api/content/${name}`,
    web_url: `${DEFAULT_ORIGIN}/${name}`,
    links: {},
    ...extra,
  });

  test('a guide carries the default fields, web_url and api_url, and no description', async () => {
    await seed(db, { doc: {}, g: { description: 'not embedded', details: { body: 'x' } } }, { doc: { related: ['g'] } });
    const links = await expand('doc', false);
    assert.deepEqual(links.related, [base('g')]);
  });

  test("an organisation adds its logo, brand and acronym, but not public_updated_at", async () => {
    const logo = { formatted_title: 'HM Revenue\n& Customs', crest: 'hmrc' };
    await seed(db, { doc: {}, hmrc: { type: 'organisation', details: { acronym: 'HMRC', brand: 'hm-revenue-customs', logo, body: 'long' } } }, {
      doc: { organisations: ['hmrc'] },
    });
    const [item] = (await expand('doc', false)).organisations!;
    const expected: Record<string, unknown> = base('hmrc', {
      document_type: 'organisation',
      schema_name: 'organisation',
      details: { acronym: 'HMRC', logo, brand: 'hm-revenue-customs' },
    });
    delete expected.public_updated_at;
    assert.deepEqual(item, expected);
  });

  test('a taxon adds description, all its details and phase', async () => {
    const details = { internal_name: 'Tax > VAT', visible_to_departmental_editors: true };
    await seed(db, { doc: {}, vat: { type: 'taxon', description: 'All about VAT', details } }, { doc: { taxons: ['vat'] } });
    const [item] = (await expand('doc', false)).taxons!;
    assert.deepEqual(item, base('vat', { document_type: 'taxon', schema_name: 'taxon', description: 'All about VAT', details, phase: 'live' }));
  });

  test('a person under `person` adds body and image; under `people`, the defaults', async () => {
    const details = { body: 'Biography', image: { url: '/p.jpg', alt_text: 'P' }, privy_counsellor: true };
    await seed(db, { ra: { type: 'role_appointment' }, doc: {}, p: { type: 'person', details } }, { ra: { person: ['p'] }, doc: { people: ['p'] } });
    const [underPerson] = (await expand('ra', false)).person!;
    assert.deepEqual(underPerson!.details, { body: 'Biography', image: details.image });
    const [underPeople] = (await expand('doc', false)).people!;
    assert.equal(underPeople!.details, undefined);
  });

  test('web_url and api_url use the origin given; an item with no base_path has neither', async () => {
    await seed(db, { doc: {}, g: {}, c: { type: 'contact', pathless: true } }, { doc: { related: ['g'], contact: ['c'] } });
    const links = await expandLinks(db, uuidOf('doc'), 'en', { withDrafts: false, origin: 'https://www.example.gov/' });
    assert.equal(links.related![0]!.web_url, 'https://www.example.gov/g');
    assert.equal(links.related![0]!.api_url, 'https://www.example.gov/api/content/g');
    assert.equal(links.contact![0]!.base_path, null);
    assert.equal(links.contact![0]!.api_path, null);
    assert.equal('web_url' in links.contact![0]!, false);
  });

  test('a withdrawn parent is marked withdrawn', async () => {
    await seed(db, { doc: {}, p: { live: 'withdrawal' } }, { doc: { parent: ['p'] } });
    assert.equal((await expand('doc', false)).parent![0]!.withdrawn, true);
  });

  test('available_translations lists every locale the store shows, itself included, gone ones left out', async () => {
    await seed(db, { doc: {}, 'doc@cy': {}, 'doc@fr': { draft: true, live: null }, 'doc@de': { live: 'gone' } });
    const titles = (links: Awaited<ReturnType<typeof expand>>) => links.available_translations!.map((i) => `${i.locale}:${i.title}`);
    assert.deepEqual(titles(await expand('doc', true)), ['cy:doc', 'en:doc', 'fr:doc (draft)']);
    assert.deepEqual(titles(await expand('doc', false)), ['cy:doc', 'en:doc']);
    assert.equal((await expand('doc', false, 'cy')).available_translations!.length, 2);
    const noTranslations = await expandLinks(db, uuidOf('doc'), 'en', { withDrafts: false, origin: DEFAULT_ORIGIN, availableTranslations: false });
    assert.deepEqual(noTranslations, {});
  });

  test('a link set with no document behind it still expands', async () => {
    await seed(db, { o: org() }, { ghost: { organisations: ['o'] } });
    assert.deepEqual(shape(await expand('ghost', false)), { organisations: ['o'] });
  });
});

describe('expandLinks: queries', () => {
  test('one organisation: three queries; a chain: two per level', async () => {
    await seed(db, { ...chain, o: org() }, { d: { parent: ['c'], organisations: ['o'] }, c: { parent: ['b'] }, b: { parent: ['a'] } });
    const q = counting(db);
    await seed(db, { doc: {} }, { doc: { organisations: ['o'] } });
    await expandLinks(q, uuidOf('doc'), 'en', { withDrafts: true, origin: DEFAULT_ORIGIN });
    assert.equal(q.count, 3);
    q.count = 0;
    await expandLinks(q, uuidOf('d'), 'en', { withDrafts: true, origin: DEFAULT_ORIGIN });
    // The document, then links + editions for levels 1-3, then the links of level 4 (none).
    assert.equal(q.count, 8);
  });

  test('three hundred children cost no more queries than one', async () => {
    const world: World = { p: {} };
    const linkSets: LinkSets = {};
    // Half through edition links, half through link sets.
    for (let i = 0; i < 300; i++) {
      if (i % 2) world[`k${i}`] = { links: { parent: ['p'] } };
      else {
        world[`k${i}`] = {};
        linkSets[`k${i}`] = { parent: ['p'] };
      }
    }
    await seed(db, world, linkSets);
    const q = counting(db);
    const links = await expandLinks(q, uuidOf('p'), 'en', { withDrafts: false, origin: DEFAULT_ORIGIN });
    assert.equal(links.children!.length, 300);
    assert.equal(q.count, 3);
  });

  test('two hundred documents tagged to one organisation, in a parent chain, cost what one does', async () => {
    const world: World = { ...chain, o: org('O') };
    const linkSets: LinkSets = { c: { parent: ['b'] }, b: { parent: ['a'] } };
    for (let i = 0; i < 200; i++) {
      world[`t${i}`] = i % 2 ? { links: { organisations: ['o'] } } : {};
      linkSets[`t${i}`] = { parent: ['c'], ...(i % 2 ? {} : { organisations: ['o'] }) };
    }
    await seed(db, world, linkSets);
    const ids = Array.from({ length: 200 }, (_, i) => uuidOf(`t${i}`));
    const q = counting(db);
    const all = await expandLinksOfMany(q, ids, 'en', { withDrafts: false, origin: DEFAULT_ORIGIN });
    const one = q.count;
    q.count = 0;
    await expandLinks(q, ids[0]!, 'en', { withDrafts: false, origin: DEFAULT_ORIGIN });
    assert.equal(one, q.count);
    assert.equal(all.size, 200);
    for (const id of ids) assert.deepEqual(shape(all.get(id)!), { organisations: ['O'], parent: [{ c: { parent: [{ b: { parent: ['a'] } }] } }] });
  });
});
