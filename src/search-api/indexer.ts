import type { Queryable } from '../platform/db/index.ts';
import type { IndexAction, SearchDocument } from './document.ts';

export type Outcome = 'indexed' | 'deleted' | 'stale';

export interface ApplyOptions {
  /**
   * Let a write at the stored payload_version replace what is there. Events
   * never need it (each write has a new version); a reindex does, to rebuild
   * rows whose content is unchanged but whose indexing rules have.
   */
  replaceEqual?: boolean;
}

const COLUMNS = [
  'base_path', 'content_id', 'locale', 'title', 'description', 'indexable_content', 'document_type',
  'organisations', 'organisation_slugs', 'part_of_taxonomy_tree', 'public_timestamp', 'is_withdrawn', 'payload_version', 'text_config',
] as const;

function values(d: SearchDocument): unknown[] {
  return [
    d.base_path, d.content_id, d.locale, d.title, d.description, d.indexable_content, d.document_type,
    JSON.stringify(d.organisations), d.organisations.map((o) => o.slug), d.part_of_taxonomy_tree, d.public_timestamp, d.is_withdrawn, d.payload_version, d.text_config,
  ];
}

const CASTS: Partial<Record<(typeof COLUMNS)[number], string>> = {
  organisations: 'jsonb', organisation_slugs: 'text[]', part_of_taxonomy_tree: 'text[]', public_timestamp: 'timestamptz', payload_version: 'bigint', text_config: 'regconfig',
};

const VERSION_PARAM = `$${COLUMNS.indexOf('payload_version') + 1}::bigint`;

const UPSERT = (newer: '<' | '<=') => `
  INSERT INTO search.documents (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.map((c, i) => `$${i + 1}${CASTS[c] ? `::${CASTS[c]}` : ''}`).join(', ')}
  WHERE NOT EXISTS (SELECT 1 FROM search.deletions WHERE base_path = $1 AND NOT (payload_version ${newer} ${VERSION_PARAM}))
  ON CONFLICT (base_path) DO UPDATE SET ${COLUMNS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, indexed_at = now()
  WHERE search.documents.payload_version ${newer} EXCLUDED.payload_version
  RETURNING base_path`;

/**
 * Applies one event's effect in the caller's transaction. Events may arrive
 * out of order (retries, several relays), so payload_version decides: an
 * older write is ignored, and a deletion leaves its version behind so an older
 * write arriving later cannot bring the document back. Writes to one path are
 * serialised by an advisory lock, which keeps those checks honest.
 */
export async function applyAction(tx: Queryable, action: IndexAction, opts: ApplyOptions = {}): Promise<Outcome> {
  const basePath = action.action === 'index' ? action.document.base_path : action.base_path;
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('search.documents'), hashtext($1))", [basePath]);
  if (action.action === 'index') {
    const newer = opts.replaceEqual ? '<=' : '<';
    const { rows } = await tx.query(UPSERT(newer), values(action.document));
    if (rows.length === 0) return 'stale';
    await tx.query('DELETE FROM search.deletions WHERE base_path = $1', [basePath]);
    return 'indexed';
  }
  let version = action.payload_version;
  if (version === null) {
    // A vanish carries no version: it removes whatever is there, and remembers that row's.
    const { rows } = await tx.query<{ payload_version: string }>('DELETE FROM search.documents WHERE base_path = $1 RETURNING payload_version', [basePath]);
    if (rows.length === 0) return 'deleted';
    version = Number(rows[0]!.payload_version);
  } else {
    const newer = await tx.query('SELECT 1 FROM search.documents WHERE base_path = $1 AND payload_version > $2', [basePath, version]);
    if (newer.rows.length > 0) return 'stale';
    await tx.query('DELETE FROM search.documents WHERE base_path = $1', [basePath]);
  }
  await tx.query(
    `INSERT INTO search.deletions (base_path, payload_version) VALUES ($1, $2)
     ON CONFLICT (base_path) DO UPDATE SET payload_version = GREATEST(search.deletions.payload_version, EXCLUDED.payload_version), deleted_at = now()`,
    [basePath, version],
  );
  return 'deleted';
}
