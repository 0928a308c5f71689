/**
 * Test fixtures for expansion and dependency resolution: small worlds of
 * documents named by short names, seeded through the repository functions
 * the commands use (link sets by SQL, as PATCH /v2/links stores them).
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../../platform/db/index.ts';
import { insertEdition, lockDocument, updateEdition, upsertUnpublishing } from '../repository.ts';
import type { UnpublishingType } from '../types.ts';
import type { ExpandedLink } from './expand.ts';

/** A stable content_id for a short name. */
export function uuidOf(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface DocSpec {
  /** document_type (and schema_name); default guide. */
  type?: string;
  locale?: string;
  /** Default: the name. A draft is titled `<title> (draft)` unless draftTitle says otherwise. */
  title?: string;
  description?: string | null;
  details?: Record<string, unknown>;
  /** The live edition: published (default), withdrawn or another unpublishing, or none (null). */
  live?: 'published' | Exclude<UnpublishingType, 'substitute'> | null;
  /** Whether there is a draft (alone, or over the live edition). */
  draft?: boolean;
  draftTitle?: string;
  /** Edition links (by short name) of the live edition, and of the draft unless draftLinks is given. */
  links?: Record<string, string[]>;
  draftLinks?: Record<string, string[]>;
  /** No base_path (e.g. a contact). */
  pathless?: boolean;
}

export type World = Record<string, DocSpec>;
export type LinkSets = Record<string, Record<string, string[]>>;

const ids = (links: Record<string, string[]>) => Object.fromEntries(Object.entries(links).map(([t, names]) => [t, names.map(uuidOf)]));
const PUBLIC_UPDATED_AT = new Date('2026-03-01T12:00:00Z');

/** Seeds documents (name `x` or, for another locale, `x@cy`) and link sets. */
export async function seed(db: Db, world: World, linkSets: LinkSets = {}): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [key, spec] of Object.entries(world)) await seedDocument(tx, key, spec);
    for (const [name, links] of Object.entries(linkSets)) await setLinks(tx, name, links);
  });
}

async function seedDocument(tx: Queryable, key: string, spec: DocSpec): Promise<void> {
  const [name, keyLocale] = key.split('@') as [string, string | undefined];
  const locale = spec.locale ?? keyLocale ?? 'en';
  const doc = (await lockDocument(tx, uuidOf(name), locale, true))!;
  const type = spec.type ?? 'guide';
  const title = spec.title ?? name;
  const fields = {
    base_path: spec.pathless ? null : `/${name}${locale === 'en' ? '' : `.${locale}`}`,
    title,
    description: spec.description ?? null,
    details: spec.details ?? {},
    document_type: type,
    schema_name: type,
    publishing_app: 'test',
    rendering_app: 'frontend',
    edition_links: ids(spec.links ?? {}),
    public_updated_at: PUBLIC_UPDATED_AT,
  };
  const live = spec.live === undefined ? 'published' : spec.live;
  let version = 1;
  if (live) {
    const id = await insertEdition(tx, doc.id, version++, fields);
    if (live === 'published') {
      await updateEdition(tx, id, { state: 'published', content_store: 'live' });
    } else {
      await updateEdition(tx, id, { state: 'unpublished', content_store: 'live' });
      await upsertUnpublishing(tx, id, {
        type: live,
        explanation: live === 'withdrawal' ? 'No longer current' : null,
        alternative_path: null,
        redirects: live === 'redirect' ? [{ path: fields.base_path ?? '/', type: 'exact', destination: '/elsewhere' }] : [],
        unpublished_at: PUBLIC_UPDATED_AT,
      });
    }
  }
  if (spec.draft) {
    await insertEdition(tx, doc.id, version, {
      ...fields,
      title: spec.draftTitle ?? `${title} (draft)`,
      edition_links: ids(spec.draftLinks ?? spec.links ?? {}),
    });
  }
}

/** Replaces the given link types of a link set, as PATCH /v2/links does. */
export async function setLinks(db: Queryable, name: string, links: Record<string, string[]>): Promise<void> {
  const id = uuidOf(name);
  await db.query('INSERT INTO publishing_api.link_sets (content_id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
  for (const [type, names] of Object.entries(links)) {
    await db.query('DELETE FROM publishing_api.links WHERE link_set_content_id = $1 AND link_type = $2', [id, type]);
    for (const [position, target] of names.entries()) {
      await db.query(
        'INSERT INTO publishing_api.links (link_set_content_id, link_type, target_content_id, position) VALUES ($1, $2, $3, $4)',
        [id, type, uuidOf(target), position],
      );
    }
  }
}

/**
 * A compact view of expanded links for table-driven expectations: each item
 * is its title (with ` [withdrawn]` when withdrawn, and `@locale` when not
 * English), or `{title: {...its links}}` when it has links of its own.
 * available_translations is left out.
 */
export type Shape = Record<string, (string | Record<string, Shape>)[]>;

export function shape(links: Record<string, ExpandedLink[]>): Shape {
  const out: Shape = {};
  for (const [type, items] of Object.entries(links)) {
    if (type === 'available_translations') continue;
    out[type] = items.map((i) => {
      const label = `${i.title}${i.locale === 'en' ? '' : `@${i.locale}`}${i.withdrawn ? ' [withdrawn]' : ''}`;
      return Object.keys(i.links).length ? { [label]: shape(i.links) } : label;
    });
  }
  return out;
}

/** A Queryable that counts the statements run through it. */
export function counting(db: Queryable): Queryable & { count: number } {
  const c = {
    count: 0,
    query<R>(sql: string, params?: readonly unknown[]) {
      c.count++;
      return db.query<R>(sql, params);
    },
    exec(sql: string) {
      c.count++;
      return db.exec(sql);
    },
  };
  return c;
}
