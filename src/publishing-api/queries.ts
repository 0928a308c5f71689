import { ApiError } from '../platform/api.ts';
import type { Queryable } from '../platform/db/index.ts';
import { requireContentId } from './commands/command.ts';
import { draftOf, liveOf } from './lifecycle.ts';
import { presentEdition, presentEvent, presentHistoryEntry } from './presenters.ts';
import { documentEditions, documentEvents, documentExists, EDITION_SELECT, toEdition } from './repository.ts';
import { expandLinks } from './expansion/expand.ts';
import { iso } from './presenters.ts';

type Query = Record<string, string | string[] | undefined>;

function list(q: Query, key: string): string[] {
  const raw = q[key] ?? q[`${key}[]`];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function positiveInt(q: Query, key: string, fallback: number, max: number): number {
  const raw = q[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ApiError(422, 'parameter_invalid', `${key} must be a whole number from 1 to ${max}`, { [key]: [`must be a whole number from 1 to ${max}`] });
  }
  return n;
}

/** `GET /v2/content/:content_id`: the newest edition (the draft if there is one), the live one, or `?version=N`. */
export async function getContent(db: Queryable, rawContentId: string, q: Query) {
  const contentId = requireContentId(rawContentId);
  const locale = typeof q.locale === 'string' ? q.locale : 'en';
  const editions = await documentEditions(db, contentId, locale);
  if (editions.length === 0) throw new ApiError(404, 'not_found', `Could not find document with content_id: ${contentId}`);
  let edition;
  if (q.version !== undefined) {
    const version = positiveInt(q, 'version', 1, Number.MAX_SAFE_INTEGER);
    edition = editions.find((e) => e.user_facing_version === version);
    if (!edition) throw new ApiError(404, 'not_found', `Document ${contentId} has no version ${version}`);
  } else if (q.content_store === 'live') {
    edition = liveOf(editions);
  } else {
    edition = draftOf(editions) ?? liveOf(editions) ?? editions.at(-1);
  }
  if (!edition) throw new ApiError(404, 'not_found', `Could not find document with content_id: ${contentId}`);
  return presentEdition(edition, editions);
}

/** `GET /v2/content/:content_id/editions`: every edition, oldest first. */
export async function editionHistory(db: Queryable, rawContentId: string, q: Query) {
  const contentId = requireContentId(rawContentId);
  const locale = typeof q.locale === 'string' ? q.locale : 'en';
  const editions = await documentEditions(db, contentId, locale);
  if (editions.length === 0) throw new ApiError(404, 'not_found', `Could not find document with content_id: ${contentId}`);
  return { content_id: contentId, locale, editions: editions.map(presentHistoryEntry) };
}

const STATES = ['draft', 'published', 'unpublished', 'superseded'];
const ORDER_FIELDS = ['base_path', 'content_id', 'document_type', 'last_edited_at', 'locale', 'public_updated_at', 'publishing_app', 'rendering_app', 'updated_at', 'title'];

/**
 * `GET /v2/content`: one row per document (its draft, else its live edition),
 * filtered by document_type, publishing_app, locale, states and a search in
 * title and base_path; paginated with links to the neighbouring pages.
 */
export async function listContent(db: Queryable, q: Query, selfUrl: string) {
  const states = list(q, 'states');
  const badStates = states.filter((s) => !STATES.includes(s));
  if (badStates.length) throw new ApiError(422, 'parameter_invalid', `states must be among ${STATES.join(', ')}`, { states: [`unknown state(s): ${badStates.join(', ')}`] });
  const order = typeof q.order === 'string' ? q.order : '-public_updated_at';
  const orderField = order.replace(/^-/, '');
  if (!ORDER_FIELDS.includes(orderField)) {
    throw new ApiError(422, 'order_field_invalid', `order must be one of ${ORDER_FIELDS.join(', ')}, optionally with a leading -`, { order: ['is not a field you can order by'] });
  }
  const page = positiveInt(q, 'page', 1, 1_000_000);
  const perPage = positiveInt(q, 'per_page', 50, 500);

  const where: string[] = ['e.state = ANY($1)'];
  const params: unknown[] = [states.length ? states : ['draft', 'published', 'unpublished']];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  const types = list(q, 'document_type');
  if (types.length) add('e.document_type = ANY(?)', types);
  const apps = list(q, 'publishing_app');
  if (apps.length) add('e.publishing_app = ANY(?)', apps);
  if (typeof q.locale === 'string') add('d.locale = ?', q.locale);
  if (typeof q.q === 'string' && q.q.trim()) {
    const pattern = `%${q.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add('(e.title ILIKE ? OR e.base_path ILIKE ?)', pattern);
  }
  const latest = `SELECT DISTINCT ON (e.document_id) e.id
    FROM publishing_api.editions e JOIN publishing_api.documents d ON d.id = e.document_id
    WHERE ${where.join(' AND ')}
    ORDER BY e.document_id, CASE e.state WHEN 'draft' THEN 0 WHEN 'superseded' THEN 2 ELSE 1 END`;
  const total = Number((await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM (${latest}) latest`, params)).rows[0]!.n);
  const column = orderField === 'content_id' || orderField === 'locale' ? `d.${orderField}` : `e.${orderField}`;
  const { rows } = await db.query(
    `${EDITION_SELECT} WHERE e.id IN (${latest})
     ORDER BY ${column} ${order.startsWith('-') ? 'DESC' : 'ASC'} NULLS LAST, e.id
     LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
    params,
  );
  return { ...paging(total, page, perPage, selfUrl), results: rows.map(toEdition).map((e) => presentEdition(e)) };
}

/** The paging members of a list response, with links to the neighbouring pages. */
function paging(total: number, page: number, perPage: number, selfUrl: string) {
  const pages = Math.ceil(total / perPage);
  const link = (p: number, rel: string) => {
    const url = new URL(selfUrl, 'http://x');
    url.searchParams.set('page', String(p));
    return { href: `${url.pathname}${url.search}`, rel };
  };
  const links = [
    ...(page < pages ? [link(page + 1, 'next')] : []),
    ...(page > 1 ? [link(page - 1, 'previous')] : []),
    link(page, 'self'),
  ];
  return { total, pages, current_page: page, links };
}

/**
 * `GET /v2/content/:content_id/events`: every command recorded against the
 * content_id (any locale), newest first, with the app and the person behind
 * each; paginated as `GET /v2/content` is.
 */
export async function listEvents(db: Queryable, rawContentId: string, q: Query, selfUrl: string) {
  const contentId = requireContentId(rawContentId);
  const page = positiveInt(q, 'page', 1, 1_000_000);
  const perPage = positiveInt(q, 'per_page', 50, 500);
  const { total, events } = await documentEvents(db, contentId, perPage, (page - 1) * perPage);
  if (total === 0) throw new ApiError(404, 'not_found', `Could not find events for content_id: ${contentId}`);
  return { content_id: contentId, ...paging(total, page, perPage, selfUrl), results: events.map(presentEvent) };
}

/**
 * `GET /v2/expanded-links/:content_id`: the expansion the content stores are
 * sent, computed now (`with_drafts=false` for the live store's view).
 */
export async function getExpandedLinks(db: Queryable, rawContentId: string, q: Query, origin: string, now: Date) {
  const contentId = requireContentId(rawContentId);
  const locale = typeof q.locale === 'string' ? q.locale : 'en';
  if (q.with_drafts !== undefined && q.with_drafts !== 'true' && q.with_drafts !== 'false') {
    throw new ApiError(422, 'parameter_invalid', 'with_drafts must be true or false', { with_drafts: ['must be true or false'] });
  }
  const withDrafts = q.with_drafts !== 'false';
  const expanded = await expandLinks(db, contentId, locale, { withDrafts, origin });
  if (Object.keys(expanded).length === 0) {
    const linkSet = await db.query('SELECT 1 FROM publishing_api.link_sets WHERE content_id = $1', [contentId]);
    if (linkSet.rows.length === 0 && !(await documentExists(db, contentId))) {
      throw new ApiError(404, 'not_found', `Could not find links for content_id: ${contentId}`);
    }
  }
  return { content_id: contentId, locale, with_drafts: withDrafts, generated: iso(now), expanded_links: expanded };
}
