/**
 * Link expansion: a document's links, as the content stores and
 * `GET /v2/expanded-links/:content_id` show them. Each level of the tree costs
 * two queries whatever its width (one for the links, one for the linked
 * editions), so a document linking to one organisation costs three.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { EDITION_SELECT, toEdition } from '../repository.ts';
import type { Edition } from '../types.ts';
import {
  DEFAULT_FIELDS,
  directLinkTypes,
  expansionFields,
  isLinkable,
  isReverseLinkType,
  localePreference,
  MAX_DEPTH,
  nextLinkTypes,
  pickFields,
  REVERSIBLE_LINK_TYPES,
  reverseLinkType,
  shouldLink,
  statePreference,
  webUrl,
} from './rules.ts';

/**
 * One linked item. Which fields it carries depends on the target's
 * document_type and the link type (see `expansionFields`): most carry all of
 * these, an organisation has no public_updated_at, a taxon adds description,
 * details and phase, and so on.
 */
export interface ExpandedLink {
  content_id: string;
  title: string | null;
  locale: string;
  analytics_identifier?: string | null;
  api_path?: string | null;
  base_path?: string | null;
  document_type?: string;
  schema_name?: string;
  public_updated_at?: string | null;
  withdrawn?: boolean;
  description?: string | null;
  phase?: string;
  details?: Record<string, unknown>;
  /** `<origin>/api/content<base_path>`, when the item has a base_path (the content store's deprecated field). */
  api_url?: string;
  /** `<origin><base_path>`, when the item has a base_path. */
  web_url?: string;
  /** The item's own links, where a multi-level path continues through it; `{}` otherwise. */
  links: Record<string, ExpandedLink[]>;
}

export interface ExpandOptions {
  /** true for the draft content store (drafts preferred), false for live (published and withdrawn only). */
  withDrafts: boolean;
  /** The public site's origin, for `web_url` and `api_url` (rules.DEFAULT_ORIGIN in development). */
  origin: string;
  /** Add `available_translations` (every locale of the document, itself included). Default true. */
  availableTranslations?: boolean;
}

type Stores = readonly ('draft' | 'live')[];

/** A row from the links query. */
interface LinkRow {
  /** d: the node's link-set link; r: a link-set link to the node; e: an edition link to the node. */
  kind: 'd' | 'r' | 'e';
  node: string;
  link_type: string;
  other: string;
  position: number;
  edition_id: string | number | null;
}

/** An item waiting to be placed: a target content_id, in order, and for reverse edition links the edition that must be the one shown. */
interface Candidate {
  id: string;
  position: number;
  /** For a reverse edition link: the source editions that hold the link. */
  editionIds?: Set<number>;
  /** For a reverse link: the direct type that links the item to the node. */
  via?: string;
}

/** A place in the tree being built. */
interface TreeNode {
  id: string;
  edition: Edition;
  path: string[];
  /** The content_ids from the root down to this node, itself included: never shown again below it. */
  ancestors: ReadonlySet<string>;
  out: ExpandedLink;
}

class Expansion {
  private readonly cache = new Map<string, Edition | null>();
  private readonly locales: string[];
  private readonly stores: Stores;

  constructor(
    private readonly db: Queryable,
    locale: string,
    private readonly opts: ExpandOptions,
  ) {
    this.locales = localePreference(locale);
    this.stores = statePreference(opts.withDrafts);
  }

  /** Chooses the edition a link shows for each content_id: own locale before English, draft before live; null when none can be shown. */
  choose(editions: Edition[]): Map<string, Edition> {
    const best = new Map<string, Edition>();
    const rank = (e: Edition) => this.locales.indexOf(e.locale) * 10 + this.stores.indexOf(e.content_store as 'draft' | 'live');
    for (const e of editions) {
      if (!isLinkable(e) || !e.content_store || !this.stores.includes(e.content_store)) continue;
      if (!this.locales.includes(e.locale)) continue;
      const current = best.get(e.content_id);
      if (!current || rank(e) < rank(current)) best.set(e.content_id, e);
    }
    return best;
  }

  /** Loads, in one query, the editions to show for any of these content_ids not seen yet. */
  async load(ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)].filter((id) => !this.cache.has(id));
    if (wanted.length === 0) return;
    const { rows } = await this.db.query(
      `${EDITION_SELECT}
       WHERE d.content_id = ANY($1::uuid[]) AND d.locale = ANY($2::text[]) AND e.content_store = ANY($3::text[])
         AND (e.state <> 'unpublished' OR u.type = 'withdrawal')`,
      [wanted, this.locales, this.stores],
    );
    const best = this.choose(rows.map(toEdition));
    for (const id of wanted) this.cache.set(id, best.get(id) ?? null);
  }

  edition(id: string): Edition | null {
    return this.cache.get(id) ?? null;
  }

  /** Seeds the cache with editions already in hand (the document's own). */
  prime(id: string, editions: Edition[]): void {
    this.cache.set(id, this.choose(editions).get(id) ?? null);
  }

  /**
   * One query for a whole level: the nodes' own link-set links of the given
   * types ('*' for any), link-set links to the nodes of the given direct
   * types, and edition links to the nodes of those types held by editions in
   * the stores expanded. Editions are found by the edition_link_keys index and
   * their links read here, which keeps the query's plan small.
   *
   * The keys go in as a sub-select so the planner cannot see them: shown a
   * batch's thousands of keys, it costs the index lookup as dear and scans
   * every edition instead, testing each against every key (250 ms for 3,000
   * editions, against 10 ms through the index).
   */
  async links(direct: [string, string][], reverse: [string, string][]): Promise<LinkRow[]> {
    const parts: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    // Plain `= ANY` filters the indexes serve whatever the statistics say; the
    // exact (node, type) pairs are matched below.
    const wanted = new Set(direct.map(([node, type]) => `${type}:${node}`));
    const anyType = direct.some(([, type]) => type === '*');
    if (direct.length) {
      parts.push(`
        SELECT 'd' AS kind, l.link_set_content_id::text AS node, l.link_type, l.target_content_id::text AS other, l.position,
               NULL::bigint AS edition_id, NULL::jsonb AS edition_links
        FROM publishing_api.links l
        WHERE l.link_set_content_id = ANY(${p(direct.map((d) => d[0]))}::uuid[])
          ${anyType ? '' : `AND l.link_type = ANY(${p(direct.map((d) => d[1]))}::text[])`}`);
    }
    const keys = new Set(reverse.map(([node, type]) => `${type}:${node}`));
    if (reverse.length) {
      parts.push(`
        SELECT 'r' AS kind, l.target_content_id::text AS node, l.link_type, l.link_set_content_id::text AS other, l.position,
               NULL::bigint AS edition_id, NULL::jsonb AS edition_links
        FROM publishing_api.links l
        WHERE l.target_content_id = ANY(${p([...new Set(reverse.map((r) => r[0]))])}::uuid[])
          AND l.link_type = ANY(${p([...new Set(reverse.map((r) => r[1]))])}::text[])`);
      parts.push(`
        SELECT 'e' AS kind, NULL AS node, NULL AS link_type,
               (SELECT d.content_id::text FROM publishing_api.documents d WHERE d.id = e.document_id) AS other,
               NULL AS position, e.id AS edition_id, e.edition_links
        FROM publishing_api.editions e
        WHERE e.content_store IS NOT NULL AND e.content_store = ANY(${p(this.stores)}::text[])
          AND publishing_api.edition_link_keys(e.edition_links) && (SELECT ${p([...keys])}::text[])`);
    }
    if (parts.length === 0) return [];
    const { rows } = await this.db.query<LinkRow & { edition_links: Record<string, unknown> | null }>(parts.join('\nUNION ALL'), params);
    const out: LinkRow[] = [];
    for (const r of rows) {
      if (r.kind === 'd') {
        if (anyType || wanted.has(`${r.link_type}:${r.node}`)) out.push(r);
        continue;
      }
      if (r.kind === 'r') {
        if (keys.has(`${r.link_type}:${r.node}`)) out.push(r);
        continue;
      }
      // The edition's links to the nodes asked about, with their positions.
      for (const [type, ids] of Object.entries(r.edition_links ?? {})) {
        if (!Array.isArray(ids)) continue;
        ids.forEach((id, position) => {
          const node = String(id).toLowerCase();
          if (keys.has(`${type}:${node}`)) out.push({ kind: 'e', node, link_type: type, other: r.other, position, edition_id: r.edition_id });
        });
      }
    }
    return out;
  }

  /** The item for a target edition under a link type, without its own links yet; null when the rules give it no fields. */
  present(e: Edition, linkType: string): ExpandedLink | null {
    const fields = expansionFields(e.document_type, linkType);
    if (fields.length === 0) return null;
    const item = pickFields(e, fields) as unknown as ExpandedLink;
    if (e.base_path) {
      item.api_url = webUrl(this.opts.origin, `/api/content${e.base_path}`);
      item.web_url = webUrl(this.opts.origin, e.base_path);
    }
    item.links = {};
    return item;
  }

  /**
   * Turns candidates into shown items: missing, hidden, ancestor and duplicate
   * targets drop out. Direct links keep their order; reverse links, which have
   * no order of their own, go by position and then title.
   */
  place(candidates: Candidate[], linkType: string, ancestors: ReadonlySet<string>, isReverse: boolean): Placed[] {
    const out: Placed[] = [];
    const seen = new Set<string>();
    for (const c of [...candidates].sort(byPosition)) {
      if (seen.has(c.id) || ancestors.has(c.id)) continue;
      const e = this.edition(c.id);
      if (!e || !shouldLink(linkType, e)) continue;
      // A reverse edition link counts only if the source's shown edition is one that holds it.
      if (c.editionIds && !c.editionIds.has(e.id)) continue;
      const item = this.present(e, linkType);
      if (!item) continue;
      seen.add(c.id);
      out.push({ id: c.id, position: c.position, edition: e, item, ...(c.via ? { via: c.via } : {}) });
    }
    if (isReverse) {
      const title = (p: Placed) => p.edition.title ?? '';
      out.sort((a, b) => a.position - b.position || (title(a) < title(b) ? -1 : title(a) > title(b) ? 1 : 0) || (a.id < b.id ? -1 : 1));
    }
    return out;
  }
}

interface Placed {
  id: string;
  position: number;
  edition: Edition;
  item: ExpandedLink;
  via?: string;
}

const byPosition = (a: Candidate, b: Candidate) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** An edition's links of one type, when it has any. */
function editionLinksOf(e: Edition, type: string): string[] | undefined {
  const ids = e.edition_links[type];
  return Array.isArray(ids) && ids.length ? ids : undefined;
}

/** Edition links as candidates, in the order given. */
function editionCandidates(ids: readonly string[]): Candidate[] {
  return ids.map((id, position) => ({ id: id.toLowerCase(), position }));
}

/**
 * Reverse candidates for one node and reverse type, from the level's rows:
 * link-set links and edition links to the node, merged. A link set applies to
 * every edition of its document; an edition link only if that edition is the
 * one shown.
 */
function reverseCandidates(rows: LinkRow[], directTypes: readonly string[]): Candidate[] {
  const byId = new Map<string, { position: number; via: string; linkSet: boolean; editions: Set<number> }>();
  for (const r of rows) {
    if (!directTypes.includes(r.link_type)) continue;
    let entry = byId.get(r.other);
    if (!entry) {
      entry = { position: r.position, via: r.link_type, linkSet: false, editions: new Set() };
      byId.set(r.other, entry);
    }
    entry.position = Math.min(entry.position, r.position);
    if (r.kind === 'r') entry.linkSet = true;
    else entry.editions.add(Number(r.edition_id));
  }
  return [...byId.entries()]
    .map(([id, e]) => ({ id, position: e.position, via: e.via, ...(e.linkSet ? {} : { editionIds: e.editions }) }))
    .sort(byPosition);
}

function sortKeys<V>(o: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}

/**
 * The expanded links of one document in one locale, for the draft content
 * store (`withDrafts`) or the live one.
 *
 * - Links come from the document's link set and from the edition being sent
 *   (draft store: the draft, else the live edition; live store: the live
 *   edition); an edition's links replace the link set's for the same type,
 *   and both replace reverse links of that name.
 * - Reverse links (`children`, `document_collections`, `child_taxons`, ...)
 *   show the documents that link here; each carries a link back to this
 *   document under the direct type (GOV.UK's auto-reverse link).
 * - Items expand further only along the multi-level paths (`parent` chains,
 *   `taxons > parent_taxons*`, ...), through both link-set and edition links,
 *   never showing a document above itself again, and at most MAX_DEPTH deep.
 * - Each target shows its draft (with drafts) or live edition, in this
 *   locale or else English; gone, redirected and vanished targets and
 *   targets with no edition drop out, and withdrawn ones show only as
 *   `parent`, `children` or `related_statistical_data_sets`.
 */
export async function expandLinks(
  db: Queryable,
  contentId: string,
  locale: string,
  opts: ExpandOptions,
): Promise<Record<string, ExpandedLink[]>> {
  return (await expandLinksOfMany(db, [contentId], locale, opts)).get(contentId.toLowerCase())!;
}

/**
 * `expandLinks` for many documents in one locale at once, keyed by lower-case
 * content_id. Each level of all their trees together costs the same few
 * queries as one document's, and a target they share (an organisation they
 * are all tagged to) is read once: a fan-out re-sends hundreds of documents
 * for about the price of one.
 */
export async function expandLinksOfMany(
  db: Queryable,
  contentIds: readonly string[],
  locale: string,
  opts: ExpandOptions,
): Promise<Map<string, Record<string, ExpandedLink[]>>> {
  const roots = [...new Set(contentIds.map((id) => id.toLowerCase()))];
  const x = new Expansion(db, locale, opts);

  // Each document's own editions in every locale: the one being expanded, the
  // one others would see (for the auto-reverse links), and its translations.
  const ownRows = roots.length
    ? (await db.query(`${EDITION_SELECT} WHERE d.content_id = ANY($1::uuid[]) AND e.content_store IS NOT NULL`, [roots])).rows.map(toEdition)
    : [];
  const ownOf = new Map<string, Edition[]>(roots.map((r) => [r, []]));
  for (const e of ownRows) ownOf.get(e.content_id.toLowerCase())?.push(e);
  for (const root of roots) x.prime(root, ownOf.get(root)!);

  // Level 1: every link type of each document, and every reverse type.
  const rows = await x.links(
    roots.map((r) => [r, '*']),
    roots.flatMap((r) => REVERSIBLE_LINK_TYPES.map((t): [string, string] => [r, t])),
  );
  const rowsOf = new Map<string, LinkRow[]>();
  for (const r of rows) push(rowsOf, r.node, r);
  const firstLevel = roots.map((root) => {
    const inLocale = ownOf.get(root)!.filter((e) => e.locale === locale);
    const rootEdition = opts.withDrafts
      ? inLocale.find((e) => e.content_store === 'draft') ?? inLocale.find((e) => e.content_store === 'live')
      : inLocale.find((e) => e.content_store === 'live');
    const own = rowsOf.get(root) ?? [];
    const direct = new Map<string, Candidate[]>();
    for (const r of own) if (r.kind === 'd') push(direct, r.link_type, { id: r.other, position: r.position });
    for (const [type, ids] of Object.entries(rootEdition?.edition_links ?? {})) {
      // An edition's links replace the link set's of the same type; an empty list is no links of that type.
      if (Array.isArray(ids) && ids.length) direct.set(type, editionCandidates(ids));
    }
    const reverse = new Map<string, Candidate[]>();
    const reverseRows = own.filter((r) => r.kind !== 'd');
    for (const t of new Set(reverseRows.map((r) => reverseLinkType(r.link_type)!))) {
      reverse.set(t, reverseCandidates(reverseRows, directLinkTypes(t)));
    }
    return { root, direct, reverse };
  });
  await x.load(firstLevel.flatMap(({ direct, reverse }) => [...direct.values(), ...reverse.values()].flatMap((cs) => cs.map((c) => c.id))));

  const results = new Map<string, Record<string, ExpandedLink[]>>();
  let level: TreeNode[] = [];
  for (const { root, direct, reverse } of firstLevel) {
    const rootAncestors = new Set([root]);
    const result: Record<string, ExpandedLink[]> = {};
    const addType = (type: string, candidates: Candidate[], isReverse: boolean) => {
      const placed = x.place(candidates, type, rootAncestors, isReverse);
      if (placed.length === 0) return;
      result[type] = placed.map((p) => {
        if (isReverse && p.via) {
          // Auto-reverse: the item links back to this document, with nothing below.
          const back = x.edition(root);
          const backItem = back && shouldLink(p.via, back) ? x.present(back, p.via) : null;
          if (backItem) p.item.links[p.via] = [backItem];
        }
        level.push({ id: p.id, edition: p.edition, path: [type], ancestors: new Set([root, p.id]), out: p.item });
        return p.item;
      });
    };
    for (const [type, candidates] of reverse) if (!direct.has(type)) addType(type, candidates, true);
    for (const [type, candidates] of direct) addType(type, candidates, false);
    results.set(root, result);
  }

  // Deeper levels, along the multi-level paths only; every tree's nodes of a level together.
  for (let depth = 1; depth < MAX_DEPTH && level.length; depth++) {
    const plans = level.map((node) => ({ node, types: nextLinkTypes(node.path) })).filter((p) => p.types.length);
    if (plans.length === 0) break;
    const directRequests = new Map<string, [string, string]>();
    const reverseRequests = new Map<string, [string, string]>();
    const wanted: string[] = [];
    for (const { node, types } of plans) {
      for (const t of types) {
        if (isReverseLinkType(t)) {
          for (const d of directLinkTypes(t)) reverseRequests.set(`${node.id} ${d}`, [node.id, d]);
        } else {
          const own = editionLinksOf(node.edition, t);
          if (own) wanted.push(...own.map((id) => id.toLowerCase()));
          else directRequests.set(`${node.id} ${t}`, [node.id, t]);
        }
      }
    }
    const levelRows = await x.links([...directRequests.values()], [...reverseRequests.values()]);
    const byNode = new Map<string, LinkRow[]>();
    for (const r of levelRows) push(byNode, r.node, r);
    await x.load([...wanted, ...levelRows.map((r) => r.other)]);

    const next: TreeNode[] = [];
    for (const { node, types } of plans) {
      const nodeRows = byNode.get(node.id) ?? [];
      for (const t of types) {
        let candidates: Candidate[];
        if (isReverseLinkType(t)) {
          candidates = reverseCandidates(nodeRows.filter((r) => r.kind !== 'd'), directLinkTypes(t));
        } else {
          const own = editionLinksOf(node.edition, t);
          candidates = own
            ? editionCandidates(own)
            : nodeRows.filter((r) => r.kind === 'd' && r.link_type === t).map((r) => ({ id: r.other, position: r.position }));
        }
        const placed = x.place(candidates, t, node.ancestors, isReverseLinkType(t));
        if (placed.length === 0) continue;
        node.out.links[t] = placed.map((p) => {
          next.push({ id: p.id, edition: p.edition, path: [...node.path, t], ancestors: new Set([...node.ancestors, p.id]), out: p.item });
          return p.item;
        });
      }
      node.out.links = sortKeys(node.out.links);
    }
    level = next;
  }

  for (const [root, result] of results) {
    if (opts.availableTranslations !== false) {
      const translations = availableTranslations(ownOf.get(root)!, opts);
      if (translations.length) result.available_translations = translations;
    }
    results.set(root, sortKeys(result));
  }
  return results;
}

/**
 * One item per locale of the document, itself included (`AvailableTranslations`):
 * the draft (with drafts), else the published or withdrawn edition; a locale
 * whose edition is gone or redirected is left out.
 */
function availableTranslations(own: Edition[], opts: ExpandOptions): ExpandedLink[] {
  const stores = statePreference(opts.withDrafts);
  const byLocale = new Map<string, Edition>();
  for (const e of own) {
    if (!isLinkable(e) || !e.content_store || !stores.includes(e.content_store)) continue;
    const current = byLocale.get(e.locale);
    if (!current || stores.indexOf(e.content_store) < stores.indexOf(current.content_store!)) byLocale.set(e.locale, e);
  }
  return [...byLocale.keys()].sort().map((l) => {
    const e = byLocale.get(l)!;
    const item = pickFields(e, DEFAULT_FIELDS) as unknown as ExpandedLink;
    if (e.base_path) {
      item.api_url = webUrl(opts.origin, `/api/content${e.base_path}`);
      item.web_url = webUrl(opts.origin, e.base_path);
    }
    item.links = {};
    return item;
  });
}
