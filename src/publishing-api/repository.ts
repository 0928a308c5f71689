import type { Queryable } from '../platform/db/index.ts';
import type { ActingUser } from './acting-user.ts';
import type { Edition, EditionState, Unpublishing } from './types.ts';

export const EDITION_SELECT = `
  SELECT e.*, d.content_id, d.locale, d.lock_version,
         u.type AS u_type, u.explanation AS u_explanation, u.alternative_path AS u_alternative_path,
         u.redirects AS u_redirects, u.unpublished_at AS u_unpublished_at
  FROM publishing_api.editions e
  JOIN publishing_api.documents d ON d.id = e.document_id
  LEFT JOIN publishing_api.unpublishings u ON u.edition_id = e.id`;

type Row = Record<string, unknown>;

export function toEdition(r: Row): Edition {
  const unpublishing: Unpublishing | null = r.u_type
    ? {
        type: r.u_type as Unpublishing['type'],
        explanation: (r.u_explanation as string | null) ?? null,
        alternative_path: (r.u_alternative_path as string | null) ?? null,
        redirects: (r.u_redirects as Unpublishing['redirects']) ?? [],
        unpublished_at: r.u_unpublished_at as Date,
      }
    : null;
  const e = { ...r } as Record<string, unknown>;
  for (const k of ['u_type', 'u_explanation', 'u_alternative_path', 'u_redirects', 'u_unpublished_at']) delete e[k];
  // PGlite gives int8 as number, pg as string.
  e.id = Number(r.id);
  e.document_id = Number(r.document_id);
  e.unpublishing = unpublishing;
  return e as unknown as Edition;
}

export interface DocumentLock {
  id: number;
  lock_version: number;
  created: boolean;
}

/**
 * Finds or creates the document and holds its row lock until the transaction
 * ends, so commands on one document run one after another.
 */
export async function lockDocument(tx: Queryable, contentId: string, locale: string, create: boolean): Promise<DocumentLock | null> {
  if (create) {
    const inserted = await tx.query<{ id: number | string }>(
      `INSERT INTO publishing_api.documents (content_id, locale) VALUES ($1, $2) ON CONFLICT (content_id, locale) DO NOTHING RETURNING id`,
      [contentId, locale],
    );
    if (inserted.rows[0]) {
      await tx.query('SELECT 1 FROM publishing_api.documents WHERE id = $1 FOR UPDATE', [inserted.rows[0].id]);
      return { id: Number(inserted.rows[0].id), lock_version: 0, created: true };
    }
  }
  const { rows } = await tx.query<{ id: number | string; lock_version: number }>(
    'SELECT id, lock_version FROM publishing_api.documents WHERE content_id = $1 AND locale = $2 FOR UPDATE',
    [contentId, locale],
  );
  return rows[0] ? { id: Number(rows[0].id), lock_version: rows[0].lock_version, created: false } : null;
}

export async function bumpLock(tx: Queryable, documentId: number): Promise<number> {
  const { rows } = await tx.query<{ lock_version: number }>(
    'UPDATE publishing_api.documents SET lock_version = lock_version + 1 WHERE id = $1 RETURNING lock_version',
    [documentId],
  );
  return rows[0]!.lock_version;
}

/** Every edition of a document, oldest first. */
export async function editionsOf(db: Queryable, documentId: number): Promise<Edition[]> {
  const { rows } = await db.query(`${EDITION_SELECT} WHERE e.document_id = $1 ORDER BY e.user_facing_version`, [documentId]);
  return rows.map(toEdition);
}

export async function documentEditions(db: Queryable, contentId: string, locale: string): Promise<Edition[]> {
  const { rows } = await db.query(
    `${EDITION_SELECT} WHERE d.content_id = $1 AND d.locale = $2 ORDER BY e.user_facing_version`,
    [contentId, locale],
  );
  return rows.map(toEdition);
}

/** The edition a content store should hold for a document (see `storeEdition` in downstream.ts for the rule). */
export async function editionsInStores(db: Queryable, contentId: string, locale: string): Promise<{ draft?: Edition; live?: Edition }> {
  const { rows } = await db.query(
    `${EDITION_SELECT} WHERE d.content_id = $1 AND d.locale = $2 AND e.content_store IS NOT NULL`,
    [contentId, locale],
  );
  const out: { draft?: Edition; live?: Edition } = {};
  for (const e of rows.map(toEdition)) out[e.content_store!] = e;
  return out;
}

/** `editionsInStores` for many documents in one query, keyed by `documentKey`. */
export async function editionsInStoresOfMany(
  db: Queryable,
  documents: readonly { content_id: string; locale: string }[],
): Promise<Map<string, { draft?: Edition; live?: Edition }>> {
  const out = new Map<string, { draft?: Edition; live?: Edition }>();
  if (documents.length === 0) return out;
  const { rows } = await db.query(
    `${EDITION_SELECT}
     WHERE (d.content_id, d.locale) IN (SELECT * FROM unnest($1::uuid[], $2::text[])) AND e.content_store IS NOT NULL`,
    [documents.map((d) => d.content_id), documents.map((d) => d.locale)],
  );
  for (const e of rows.map(toEdition)) {
    const key = documentKey(e.content_id, e.locale);
    const held = out.get(key) ?? {};
    held[e.content_store!] = e;
    out.set(key, held);
  }
  return out;
}

/** One document (a content_id in a locale) as a map key. */
export function documentKey(contentId: string, locale: string): string {
  return `${contentId.toLowerCase()} ${locale}`;
}

/** Documents (any locale) that exist for a content_id. */
export async function documentExists(db: Queryable, contentId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM publishing_api.documents WHERE content_id = $1 LIMIT 1', [contentId]);
  return rows.length > 0;
}

/** The edition of another document that holds `basePath` in a store, if any. */
export async function holderOfPath(db: Queryable, basePath: string, store: 'draft' | 'live', documentId: number): Promise<Edition | null> {
  const { rows } = await db.query(
    `${EDITION_SELECT} WHERE e.base_path = $1 AND e.content_store = $2 AND e.document_id <> $3`,
    [basePath, store, documentId],
  );
  return rows[0] ? toEdition(rows[0]) : null;
}

const WRITABLE = [
  'base_path', 'title', 'description', 'details', 'document_type', 'schema_name', 'publishing_app', 'rendering_app',
  'phase', 'analytics_identifier', 'routes', 'redirects', 'edition_links', 'update_type', 'change_note', 'auth_bypass_ids',
  'first_published_at', 'public_updated_at', 'major_published_at', 'published_at', 'last_edited_at', 'publishing_request_id',
  'last_edited_by_uid', 'last_edited_by_name',
] as const;
export type EditionFields = Partial<Pick<Edition, (typeof WRITABLE)[number]>>;

const JSON_COLUMNS = new Set(['details', 'routes', 'redirects', 'edition_links']);
const param = (k: string, v: unknown) => (JSON_COLUMNS.has(k) && v !== null && v !== undefined ? JSON.stringify(v) : v);

export async function insertEdition(
  tx: Queryable,
  documentId: number,
  version: number,
  fields: EditionFields & Pick<Edition, 'document_type' | 'schema_name' | 'publishing_app'>,
): Promise<number> {
  const keys = WRITABLE.filter((k) => fields[k] !== undefined);
  const cols = ['document_id', 'user_facing_version', 'state', 'content_store', ...keys];
  const values = [documentId, version, 'draft', 'draft', ...keys.map((k) => param(k, fields[k]))];
  const { rows } = await tx.query<{ id: number | string }>(
    `INSERT INTO publishing_api.editions (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    values,
  );
  return Number(rows[0]!.id);
}

/** Sets every writable column: those not in `fields` go back to their defaults, as a full PUT replaces the draft. */
export async function replaceEditionContent(tx: Queryable, id: number, fields: EditionFields): Promise<void> {
  const params: unknown[] = [id];
  const sets = WRITABLE.map((k) => {
    if (fields[k] === undefined) return `${k} = DEFAULT`;
    params.push(param(k, fields[k]));
    return `${k} = $${params.length}`;
  });
  await tx.query(`UPDATE publishing_api.editions SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
}

export async function updateEdition(tx: Queryable, id: number, fields: EditionFields & { state?: EditionState; content_store?: 'draft' | 'live' | null }): Promise<void> {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  await tx.query(
    `UPDATE publishing_api.editions SET ${entries.map(([k], i) => `${k} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
    [id, ...entries.map(([k, v]) => param(k, v))],
  );
}

export async function deleteEdition(tx: Queryable, id: number): Promise<void> {
  await tx.query('DELETE FROM publishing_api.editions WHERE id = $1', [id]);
}

export async function upsertUnpublishing(tx: Queryable, editionId: number, u: Omit<Unpublishing, 'unpublished_at'> & { unpublished_at: Date }): Promise<void> {
  await tx.query(
    `INSERT INTO publishing_api.unpublishings (edition_id, type, explanation, alternative_path, redirects, unpublished_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (edition_id) DO UPDATE SET type = EXCLUDED.type, explanation = EXCLUDED.explanation,
       alternative_path = EXCLUDED.alternative_path, redirects = EXCLUDED.redirects, unpublished_at = EXCLUDED.unpublished_at`,
    [editionId, u.type, u.explanation, u.alternative_path, JSON.stringify(u.redirects), u.unpublished_at],
  );
}

export async function deleteUnpublishing(tx: Queryable, editionId: number): Promise<void> {
  await tx.query('DELETE FROM publishing_api.unpublishings WHERE edition_id = $1', [editionId]);
}

export async function pathReservation(db: Queryable, basePath: string): Promise<string | null> {
  const { rows } = await db.query<{ publishing_app: string }>(
    'SELECT publishing_app FROM publishing_api.path_reservations WHERE base_path = $1 FOR UPDATE',
    [basePath],
  );
  return rows[0]?.publishing_app ?? null;
}

export async function reservePath(tx: Queryable, basePath: string, publishingApp: string): Promise<void> {
  await tx.query(
    `INSERT INTO publishing_api.path_reservations (base_path, publishing_app) VALUES ($1, $2)
     ON CONFLICT (base_path) DO UPDATE SET publishing_app = EXCLUDED.publishing_app, updated_at = now()`,
    [basePath, publishingApp],
  );
}

export async function releasePath(tx: Queryable, basePath: string): Promise<void> {
  await tx.query('DELETE FROM publishing_api.path_reservations WHERE base_path = $1', [basePath]);
}

export async function recordEvent(
  tx: Queryable,
  e: { action: string; content_id: string | null; payload: unknown; actor: string | null; user: ActingUser | null; request_id: string | null },
): Promise<number> {
  const { rows } = await tx.query<{ id: number | string }>(
    `INSERT INTO publishing_api.events (action, content_id, payload, actor, user_uid, user_name, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [e.action, e.content_id, JSON.stringify(e.payload), e.actor, e.user?.uid ?? null, e.user?.name ?? null, e.request_id],
  );
  return Number(rows[0]!.id);
}

export interface EventRow {
  id: number;
  action: string;
  actor: string | null;
  user_uid: string | null;
  user_name: string | null;
  request_id: string | null;
  created_at: Date;
}

/** One page of a document's events, newest first, and how many there are in all. */
export async function documentEvents(db: Queryable, contentId: string, limit: number, offset: number): Promise<{ total: number; events: EventRow[] }> {
  const count = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM publishing_api.events WHERE content_id = $1', [contentId]);
  const { rows } = await db.query<EventRow & { id: number | string }>(
    `SELECT id, action, actor, user_uid, user_name, request_id, created_at FROM publishing_api.events
     WHERE content_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`,
    [contentId, limit, offset],
  );
  return { total: Number(count.rows[0]!.n), events: rows.map((r) => ({ ...r, id: Number(r.id) })) };
}

/** The newest event id: the payload_version of anything sent downstream now. */
export async function latestEventId(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: number | string | null }>('SELECT max(id) AS id FROM publishing_api.events');
  return Number(rows[0]?.id ?? 0);
}
