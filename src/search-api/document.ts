import { bodyToText } from './text.ts';

/** Document types that stand for an unpublished document (the reference's DocumentTypeMapper::UNPUBLISHING_TYPES). */
export const UNPUBLISHING_TYPES: ReadonlySet<string> = new Set(['gone', 'redirect', 'substitute', 'vanish']);

/** Pages that exist to navigate, not to be found: indexing them would put them above the content they point to. */
export const NOT_SEARCHABLE_TYPES: ReadonlySet<string> = new Set(['special_route', 'homepage']);

export interface Organisation {
  slug: string;
  title: string;
  link: string;
  content_id: string | null;
  acronym: string | null;
}

/** One row of `search.documents`, as it is written. */
export interface SearchDocument {
  base_path: string;
  content_id: string;
  locale: string;
  title: string;
  description: string;
  indexable_content: string;
  document_type: string;
  organisations: Organisation[];
  /** Content ids of the taxons tagged and their ancestors, so a taxon finds what is tagged anywhere beneath it. */
  part_of_taxonomy_tree: string[];
  public_timestamp: string | null;
  is_withdrawn: boolean;
  payload_version: number;
  text_config: 'english' | 'simple';
}

export type IndexAction =
  | { action: 'index'; document: SearchDocument }
  /** `payload_version` is null for a vanish, whose event carries none. */
  | { action: 'delete'; base_path: string; payload_version: number | null; reason: string };

/** A publishing event the indexer cannot read; no retry will mend it, so it ends in the dead-letter queue. */
export class UnreadableEventError extends Error {
  override name = 'UnreadableEventError';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A body as presented: a string (HTML or Markdown), or `{content_type, content}` alternatives with no HTML among them. */
function bodyText(body: unknown): string {
  if (typeof body === 'string') return bodyToText(body);
  if (Array.isArray(body)) {
    const entries = body.filter((e): e is { content_type: string; content: string } => isObject(e) && typeof e.content === 'string');
    const chosen = entries.find((e) => e.content_type === 'text/html') ?? entries.find((e) => e.content_type === 'text/markdown') ?? entries[0];
    return chosen ? bodyToText(chosen.content) : '';
  }
  return '';
}

function indexableContent(details: unknown): string {
  if (!isObject(details)) return '';
  const pieces = [bodyText(details.body)];
  if (Array.isArray(details.parts)) {
    for (const part of details.parts) if (isObject(part)) pieces.push(text(part.title), bodyText(part.body));
  }
  return pieces.filter(Boolean).join('\n');
}

/** The expanded organisation links, one per slug (the last segment of the organisation's path). */
function organisations(links: unknown): Organisation[] {
  const list = isObject(links) && Array.isArray(links.organisations) ? links.organisations : [];
  const bySlug = new Map<string, Organisation>();
  for (const o of list) {
    if (!isObject(o) || typeof o.base_path !== 'string') continue;
    const slug = o.base_path.split('/').filter(Boolean).at(-1);
    if (!slug || bySlug.has(slug)) continue;
    const acronym = isObject(o.details) && typeof o.details.acronym === 'string' ? o.details.acronym : null;
    bySlug.set(slug, { slug, title: text(o.title) || slug, link: o.base_path, content_id: typeof o.content_id === 'string' ? o.content_id : null, acronym });
  }
  return [...bySlug.values()];
}

/** Each taxon in `links.taxons` and, through `parent_taxons`, every ancestor (a cycle stops where it repeats). */
function taxonomyTree(links: unknown): string[] {
  const found = new Set<string>();
  const visit = (taxons: unknown) => {
    if (!Array.isArray(taxons)) return;
    for (const t of taxons) {
      if (!isObject(t) || typeof t.content_id !== 'string' || found.has(t.content_id)) continue;
      found.add(t.content_id);
      if (isObject(t.links)) visit(t.links.parent_taxons);
    }
  };
  if (isObject(links)) visit(links.taxons);
  return [...found];
}

/** When the document last changed for its readers: its public update, else its first publication. */
function publicTimestamp(body: Json): string | null {
  for (const v of [body.public_updated_at, body.first_published_at]) {
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  }
  return null;
}

/**
 * What a publishing event means for the index. The body is the live item as
 * readers get it (links expanded) plus `payload_version`. Unpublishing types
 * and navigation pages are removed; so is anything announced as an unpublish,
 * except a withdrawal, which stays findable with `is_withdrawn` (the page is
 * still there, with its notice).
 */
export function actionFor(routingKey: string, body: unknown): IndexAction {
  if (!isObject(body) || typeof body.base_path !== 'string' || body.base_path === '') {
    throw new UnreadableEventError(`event ${routingKey} has no base_path`);
  }
  const base_path = body.base_path;
  const version = body.payload_version;
  const payload_version = typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 ? version : null;
  const document_type = text(body.document_type);
  const withdrawn = isObject(body.withdrawn_notice);

  if (UNPUBLISHING_TYPES.has(document_type)) return { action: 'delete', base_path, payload_version, reason: document_type };
  if (routingKey.endsWith('.unpublish') && !withdrawn) return { action: 'delete', base_path, payload_version, reason: 'unpublish' };
  if (payload_version === null) throw new UnreadableEventError(`event ${routingKey} for ${base_path} has no payload_version`);
  if (NOT_SEARCHABLE_TYPES.has(document_type)) return { action: 'delete', base_path, payload_version, reason: `${document_type} is not searchable` };
  if (typeof body.content_id !== 'string' || document_type === '') {
    throw new UnreadableEventError(`event ${routingKey} for ${base_path} lacks content_id or document_type`);
  }
  const locale = text(body.locale) || 'en';
  return {
    action: 'index',
    document: {
      base_path,
      content_id: body.content_id,
      locale,
      title: text(body.title),
      description: text(body.description),
      indexable_content: indexableContent(body.details),
      document_type,
      organisations: organisations(body.links),
      part_of_taxonomy_tree: taxonomyTree(body.links),
      public_timestamp: publicTimestamp(body),
      is_withdrawn: withdrawn,
      payload_version,
      text_config: locale === 'en' ? 'english' : 'simple',
    },
  };
}
