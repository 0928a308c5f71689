import { contentStoreSchema } from '../content-store/schema.ts';
import { ident, type Db } from '../platform/db/index.ts';
import { reindexItems, type StoredItem } from '../search-api/reindex.ts';
import { migrateSearch } from '../search-api/schema.ts';

type Out = (line: string) => void;

const PAGE = 500;

/** The live content store's items in base_path order, a page at a time, so a large site is never held in memory. */
async function* liveItems(db: Db): AsyncIterable<StoredItem[]> {
  const table = `${ident(contentStoreSchema('live'))}.content_items`;
  let after = '';
  for (;;) {
    const { rows } = await db.query<{ base_path: string; payload_version: string; presented: string }>(
      `SELECT base_path, payload_version, presented FROM ${table} WHERE base_path > $1 ORDER BY base_path LIMIT ${PAGE}`,
      [after],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({ base_path: r.base_path, payload_version: Number(r.payload_version), presented: JSON.parse(r.presented) as Record<string, unknown> }));
    after = rows.at(-1)!.base_path;
  }
}

/**
 * `portico search reindex`: rebuilds the search index from the live content
 * store, for a site whose index is new or was lost (the in-process bus keeps
 * no events across a restart). Safe while events flow: it never replaces a
 * newer version. Documents the store no longer has are removed last.
 */
export async function searchReindexCommand(db: Db, out: Out, err: Out): Promise<number> {
  await migrateSearch(db);
  const counts = await reindexItems(db, liveItems(db));
  const orphans = await db.query(
    `DELETE FROM search.documents d WHERE NOT EXISTS (SELECT 1 FROM ${ident(contentStoreSchema('live'))}.content_items c WHERE c.base_path = d.base_path)`,
  );
  for (const path of counts.unreadable) err(`skipped ${path}: the item cannot be read as a document`);
  out(
    `search index rebuilt: ${counts.indexed} indexed, ${counts.deleted} not searchable (unpublished or navigation pages), ` +
      `${orphans.affectedRows} removed as no longer live, ${counts.stale} already newer in the index`,
  );
  return counts.unreadable.length ? 1 : 0;
}
