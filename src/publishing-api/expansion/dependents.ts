/**
 * Dependency resolution: which documents show a given one in their expanded
 * links, and so must be sent to the content stores again when it changes.
 * It is link expansion walked backwards over the same rules (reference §4.2),
 * one set-based query per level of the longest chain.
 */
import type { Queryable } from '../../platform/db/index.ts';
import type { Edition } from '../types.ts';
import {
  allExpansionFields,
  backwardStates,
  isLinkable,
  isReverseLinkType,
  directLinkTypes,
  MAX_DEPTH,
  pickFields,
  reverseLinkType,
  REVERSIBLE_LINK_TYPES,
  typesIntoState,
  type PathState,
} from './rules.ts';

interface EdgeRow {
  /** d: `other` links to `node` with `link_type`; r: `node` links to `other` with `link_type`. */
  kind: 'd' | 'r';
  node: string;
  link_type: string;
  other: string;
  /** Whether `other` is known to have an edition in a content store (otherwise it is checked at the end). */
  stored: boolean;
}

/** Keeps link-set edges to content_ids with an edition in a store: no other can show a link, or be sent. */
const STORED = (column: string) => `EXISTS (SELECT 1 FROM publishing_api.documents sd JOIN publishing_api.editions se ON se.document_id = sd.id
     WHERE sd.content_id = ${column} AND se.content_store IS NOT NULL)`;

/** A row of the step queries: a link-set edge, or an edition whose links the caller reads. */
interface StepRow {
  /** d/r: a link-set edge as EdgeRow; e: an edition that links to a node; o: an edition of a node. */
  kind: 'd' | 'r' | 'e' | 'o';
  node: string | null;
  link_type: string | null;
  other: string;
  edition_links: Record<string, unknown> | null;
}

function linksOf(row: StepRow): [string, string[]][] {
  return Object.entries(row.edition_links ?? {})
    .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]))
    .map(([type, ids]) => [type, ids.map((id) => String(id).toLowerCase())]);
}

/** Edges out of step rows, without duplicates. `into` and `outOf` say which (node, type) pairs were asked about ('*' for any type). */
function edges(rows: StepRow[], into: (node: string, type: string) => boolean, outOf: (node: string, type: string) => boolean): EdgeRow[] {
  const out = new Map<string, EdgeRow>();
  const add = (e: EdgeRow) => out.set(`${e.kind} ${e.node} ${e.link_type} ${e.other}`, e);
  for (const r of rows) {
    if (r.kind === 'd') {
      if (into(r.node!, r.link_type!)) add({ kind: 'd', node: r.node!, link_type: r.link_type!, other: r.other, stored: true });
    } else if (r.kind === 'r') {
      if (outOf(r.node!, r.link_type!)) add({ kind: 'r', node: r.node!, link_type: r.link_type!, other: r.other, stored: true });
    } else if (r.kind === 'e') {
      // An edition of `other` (so stored) linking to nodes.
      for (const [type, ids] of linksOf(r)) {
        for (const id of ids) if (into(id, type)) add({ kind: 'd', node: id, link_type: type, other: r.other, stored: true });
      }
    } else {
      // An edition of the node `other`, linking out to documents that may not exist.
      for (const [type, ids] of linksOf(r)) {
        if (outOf(r.other, type)) for (const id of ids) add({ kind: 'r', node: r.other, link_type: type, other: id, stored: false });
      }
    }
  }
  return [...out.values()];
}

/**
 * Everything one step from the changed document: who links to it (any type,
 * link sets and the edition links of draft and live editions), and whom it
 * links to with a type that has a reverse (they show it as children,
 * document_collections, ...).
 */
async function firstStep(db: Queryable, id: string): Promise<EdgeRow[]> {
  const { rows } = await db.query<StepRow>(
    `SELECT 'd' AS kind, $1::text AS node, l.link_type, l.link_set_content_id::text AS other, NULL::jsonb AS edition_links
     FROM publishing_api.links l WHERE l.target_content_id = $1::uuid AND ${STORED('l.link_set_content_id')}
     UNION ALL
     SELECT 'r', $1::text, l.link_type, l.target_content_id::text, NULL
     FROM publishing_api.links l WHERE l.link_set_content_id = $1::uuid AND l.link_type = ANY($2::text[]) AND ${STORED('l.target_content_id')}
     UNION ALL
     SELECT 'e', NULL, NULL, (SELECT d.content_id::text FROM publishing_api.documents d WHERE d.id = e.document_id), e.edition_links
     FROM publishing_api.editions e
     WHERE e.content_store IS NOT NULL AND publishing_api.edition_link_keys(e.edition_links) && ARRAY[$1::text]
     UNION ALL
     SELECT 'o', NULL, NULL, d.content_id::text, e.edition_links
     FROM publishing_api.editions e JOIN publishing_api.documents d ON d.id = e.document_id
     WHERE d.content_id = $1::uuid AND e.content_store IS NOT NULL`,
    [id, REVERSIBLE_LINK_TYPES],
  );
  return edges(
    rows,
    (node) => node === id,
    (_, type) => REVERSIBLE_LINK_TYPES.includes(type),
  );
}

/**
 * One step back for many (node, direct link type) pairs at once: for `into`,
 * the documents that link to the node with that type; for `outOf`, the
 * documents the node links to with that type (the node showed in their
 * reverse links).
 */
async function step(db: Queryable, into: [string, string][], outOf: [string, string][]): Promise<EdgeRow[]> {
  const parts: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const intoKeys = new Set(into.map(([node, type]) => `${type}:${node}`));
  const outOfKeys = new Set(outOf.map(([node, type]) => `${type}:${node}`));
  if (into.length) {
    // Plain `= ANY` filters the indexes serve whatever the statistics say; `edges` matches the exact pairs.
    parts.push(`
      SELECT 'd' AS kind, l.target_content_id::text AS node, l.link_type, l.link_set_content_id::text AS other, NULL::jsonb AS edition_links
      FROM publishing_api.links l
      WHERE l.target_content_id = ANY(${p(into.map((x) => x[0]))}::uuid[]) AND l.link_type = ANY(${p(into.map((x) => x[1]))}::text[])
        AND ${STORED('l.link_set_content_id')}`);
    parts.push(`
      SELECT 'e' AS kind, NULL AS node, NULL AS link_type, (SELECT d.content_id::text FROM publishing_api.documents d WHERE d.id = e.document_id) AS other, e.edition_links
      FROM publishing_api.editions e
      WHERE e.content_store IS NOT NULL AND publishing_api.edition_link_keys(e.edition_links) && ${p([...intoKeys])}::text[]`);
  }
  if (outOf.length) {
    const nodes = p(outOf.map((x) => x[0]));
    parts.push(`
      SELECT 'r' AS kind, l.link_set_content_id::text AS node, l.link_type, l.target_content_id::text AS other, NULL::jsonb AS edition_links
      FROM publishing_api.links l
      WHERE l.link_set_content_id = ANY(${nodes}::uuid[]) AND l.link_type = ANY(${p(outOf.map((x) => x[1]))}::text[])
        AND ${STORED('l.target_content_id')}`);
    parts.push(`
      SELECT 'o' AS kind, NULL AS node, NULL AS link_type, d.content_id::text AS other, e.edition_links
      FROM publishing_api.documents d JOIN publishing_api.editions e ON e.document_id = d.id
      WHERE d.content_id = ANY(${nodes}::uuid[]) AND e.content_store IS NOT NULL`);
  }
  if (parts.length === 0) return [];
  const { rows } = await db.query<StepRow>(parts.join('\nUNION ALL'), params);
  return edges(
    rows,
    (node, type) => intoKeys.has(`${type}:${node}`),
    (node, type) => outOfKeys.has(`${type}:${node}`),
  );
}

/** The link type an edge shows under in the forward direction: the type itself, or its reverse name. */
function shownAs(row: EdgeRow): string {
  return row.kind === 'd' ? row.link_type : reverseLinkType(row.link_type)!;
}

const stateKey = (s: PathState) => `${s.rule}.${s.step}`;

/**
 * Every content_id reachable backwards from the document, whether or not it
 * has an edition. Visibility is not checked along the way (a changed document
 * that was just unpublished must still leave its dependents), so this can
 * name a document whose chain is broken by a hidden item in between: a few
 * extra re-sends, never a missed one.
 */
async function walk(db: Queryable, contentId: string): Promise<{ dependents: Set<string>; unstored: Set<string> }> {
  const self = contentId.toLowerCase();
  const dependents = new Set<string>();
  /** Dependents reached only through edition links, not yet known to have an edition. */
  const unstored = new Set<string>();
  const stored = new Set<string>();
  const note = (row: EdgeRow) => {
    if (row.stored) {
      stored.add(row.other);
      unstored.delete(row.other);
    } else if (!stored.has(row.other)) unstored.add(row.other);
  };
  const visited = new Map<string, Set<string>>();
  let frontier = new Map<string, PathState[]>();
  const arrive = (node: string, states: PathState[], next: Map<string, PathState[]>) => {
    if (node === self || states.length === 0) return;
    let seen = visited.get(node);
    if (!seen) {
      seen = new Set<string>();
      visited.set(node, seen);
    }
    for (const s of states) {
      // Step 0: the node can be the document being expanded, with the changed one somewhere below it.
      if (s.step === 0) dependents.add(node);
      else if (!seen.has(stateKey(s))) {
        seen.add(stateKey(s));
        const list = next.get(node) ?? [];
        list.push(s);
        next.set(node, list);
      }
    }
  };

  // Depth 1: every kind of link, of every type.
  for (const row of await firstStep(db, self)) {
    if (row.other === self) continue;
    dependents.add(row.other);
    note(row);
    arrive(row.other, backwardStates(shownAs(row)), frontier);
  }

  // Deeper: only along the multi-level paths.
  for (let depth = 2; depth <= MAX_DEPTH && frontier.size; depth++) {
    const into = new Map<string, [string, string]>();
    const outOf = new Map<string, [string, string]>();
    for (const [node, states] of frontier) {
      for (const s of states) {
        for (const t of typesIntoState(s)) {
          if (isReverseLinkType(t)) for (const d of directLinkTypes(t)) outOf.set(`${node} ${d}`, [node, d]);
          else into.set(`${node} ${t}`, [node, t]);
        }
      }
    }
    const rows = await step(db, [...into.values()], [...outOf.values()]);
    const next = new Map<string, PathState[]>();
    for (const row of rows) {
      const states = frontier.get(row.node);
      if (!states || row.other === self) continue;
      note(row);
      arrive(row.other, backwardStates(shownAs(row), states), next);
    }
    frontier = next;
  }
  for (const id of unstored) if (!dependents.has(id)) unstored.delete(id);
  return { dependents, unstored };
}

/**
 * The content_ids, other than the document's own, whose expanded links in the
 * draft or live content store include this document: directly, through a
 * multi-level path (a grandchild's parent chain shows the grandparent), or as
 * a reverse link (a parent's `children` shows its child). Only content_ids
 * with an edition in a content store are returned. `locale` is accepted for
 * symmetry with expandLinks: link sets hold for every locale and a linked
 * item falls back to English, so the answer covers every locale and the
 * caller re-sends each dependent in each locale it has (see
 * `dependentDocuments`).
 */
export async function findDependents(db: Queryable, contentId: string, locale: string): Promise<string[]> {
  void locale;
  const { dependents, unstored } = await walk(db, contentId);
  if (unstored.size) {
    // Targets of the document's own edition links: keep those that exist.
    const { rows } = await db.query<{ content_id: string }>(
      `SELECT DISTINCT d.content_id::text AS content_id
       FROM publishing_api.documents d JOIN publishing_api.editions e ON e.document_id = d.id
       WHERE d.content_id = ANY($1::uuid[]) AND e.content_store IS NOT NULL`,
      [[...unstored]],
    );
    const found = new Set(rows.map((r) => r.content_id));
    for (const id of unstored) if (!found.has(id)) dependents.delete(id);
  }
  return [...dependents].sort();
}

/** A document to send again, and to which stores (the draft store mirrors live where there is no draft). */
export interface DependentDocument {
  content_id: string;
  locale: string;
  stores: ('draft' | 'live')[];
}

/**
 * What to re-send after a change to one document: every locale of every
 * dependent, plus the document's own other locales (their
 * available_translations show this one), each to the stores that hold it.
 */
export async function dependentDocuments(db: Queryable, contentId: string, locale: string): Promise<DependentDocument[]> {
  const self = contentId.toLowerCase();
  const ids = [...(await walk(db, self)).dependents, self];
  const { rows } = await db.query<{ content_id: string; locale: string; live: boolean }>(
    `SELECT d.content_id::text AS content_id, d.locale, bool_or(e.content_store = 'live') AS live
     FROM publishing_api.documents d JOIN publishing_api.editions e ON e.document_id = d.id
     WHERE d.content_id = ANY($1::uuid[]) AND e.content_store IS NOT NULL
     GROUP BY d.content_id, d.locale
     ORDER BY 1, 2`,
    [ids],
  );
  return rows
    .filter((r) => !(r.content_id === self && r.locale === locale))
    .map((r) => ({ content_id: r.content_id, locale: r.locale, stores: r.live ? ['draft', 'live'] : ['draft'] }));
}

/**
 * The content_ids a change of links stopped pointing at (any type). They no
 * longer appear as dependents of the document, but those that showed it as a
 * reverse link (a former parent's `children`) must be sent again: pass them
 * to findDependents too, or compute findDependents before and after the change.
 */
export function removedLinkTargets(before: Record<string, readonly string[]>, after: Record<string, readonly string[]>): string[] {
  const out = new Set<string>();
  for (const [type, ids] of Object.entries(before)) {
    const kept = new Set((after[type] ?? []).map((id) => id.toLowerCase()));
    for (const id of ids) if (!kept.has(id.toLowerCase())) out.add(id.toLowerCase());
  }
  return [...out].sort();
}

function normaliseLinks(links: Record<string, readonly string[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.keys(links)
      .filter((k) => Array.isArray(links[k]) && links[k]!.length)
      .sort()
      .map((k) => [k, links[k]!.map((id) => id.toLowerCase())]),
  );
}

/** How an edition can be seen as a linked item: in which store, and whether at all. */
function visibility(e: Edition): string {
  return `${e.content_store ?? '-'}/${isLinkable(e) ? e.state : 'hidden'}/${e.unpublishing?.type ?? ''}`;
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/**
 * Whether other documents' expanded links could show a difference between two
 * versions of a document: any field an item of its document type carries
 * (title, base_path, description, document_type, schema_name,
 * public_updated_at, the per-type details such as an organisation's logo),
 * whether and where it can be seen (state, store, withdrawal), and its edition
 * links (they extend chains and reverse links). Either side missing (created,
 * discarded) counts as a change.
 */
export function expansionFieldsChanged(before: Edition | undefined, after: Edition | undefined): boolean {
  if (!before || !after) return before !== after;
  if (visibility(before) !== visibility(after)) return true;
  const fields = [...new Set([...allExpansionFields(before.document_type), ...allExpansionFields(after.document_type)])];
  if (stable(pickFields(before, fields)) !== stable(pickFields(after, fields))) return true;
  return stable(normaliseLinks(before.edition_links)) !== stable(normaliseLinks(after.edition_links));
}
