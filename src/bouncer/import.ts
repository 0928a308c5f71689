import type { Db, Queryable } from '../platform/db/index.ts';
import type { ImportRow, MappingType } from './import-rows.ts';
import type { Site } from './sites.ts';

export interface WriteImportOptions {
  /** The file's name, recorded with the batch. */
  filename: string;
  /** Overwrite existing mappings that differ from the file (else they are kept as they are). */
  updateExisting?: boolean;
  /** Added to every mapping the import creates or updates. */
  tags?: readonly string[];
  /** The created_at / updated_at of what it writes. */
  now: Date;
  /** Rows per statement. */
  chunkSize?: number;
}

export interface ImportCounts {
  created: number;
  updated: number;
  /** Existing mappings left as they were: the same as the file's, or (without updateExisting) different. */
  unchanged: number;
  /** Of those unchanged, the ones that differ from the file. */
  kept: number;
}

interface Existing {
  path: string;
  type: MappingType;
  new_url: string | null;
  archive_url: string | null;
  tags: string[];
}

function sameAs(row: ImportRow, existing: Existing, tags: readonly string[]): boolean {
  return (
    existing.type === row.type &&
    existing.new_url === (row.newUrl ?? null) &&
    existing.archive_url === (row.archiveUrl ?? null) &&
    tags.every((t) => existing.tags.includes(t))
  );
}

async function writeChunk(tx: Queryable, site: Site, rows: ImportRow[], opts: WriteImportOptions, counts: ImportCounts): Promise<void> {
  const tags = opts.tags ?? [];
  const { rows: found } = await tx.query<Existing>(
    'SELECT path, type, new_url, archive_url, tags FROM transition.mappings WHERE site_id = $1 AND path = ANY($2::text[])',
    [site.id, rows.map((r) => r.path)],
  );
  const existing = new Map(found.map((e) => [e.path, e]));
  const inserts: ImportRow[] = [];
  const updates: ImportRow[] = [];
  for (const row of rows) {
    const e = existing.get(row.path);
    if (!e) inserts.push(row);
    else if (sameAs(row, e, tags)) counts.unchanged++;
    else if (opts.updateExisting) updates.push(row);
    else {
      counts.unchanged++;
      counts.kept++;
    }
  }
  const columns = (list: ImportRow[]) => [list.map((r) => r.path), list.map((r) => r.type), list.map((r) => r.newUrl ?? null), list.map((r) => r.archiveUrl ?? null)];
  if (inserts.length > 0) {
    await tx.query(
      `INSERT INTO transition.mappings (site_id, path, type, new_url, archive_url, tags, created_at, updated_at)
       SELECT $1, r.path, r.type, r.new_url, r.archive_url, $6::text[], $7, $7
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS r(path, type, new_url, archive_url)`,
      [site.id, ...columns(inserts), tags, opts.now],
    );
    counts.created += inserts.length;
  }
  if (updates.length > 0) {
    await tx.query(
      `UPDATE transition.mappings m
       SET type = r.type, new_url = r.new_url, archive_url = r.archive_url, updated_at = $7,
           tags = ARRAY(SELECT DISTINCT t FROM unnest(m.tags || $6::text[]) AS t ORDER BY t)
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS r(path, type, new_url, archive_url)
       WHERE m.site_id = $1 AND m.path = r.path`,
      [site.id, ...columns(updates), tags, opts.now],
    );
    counts.updated += updates.length;
  }
}

/**
 * Writes the mappings of an import with `tx`: a mapping not there yet is
 * created; one there already is updated only with `updateExisting`, its
 * tags added to. Run it in a transaction (`writeImport` does).
 */
export async function writeImportRows(tx: Queryable, site: Site, rows: readonly ImportRow[], opts: WriteImportOptions): Promise<ImportCounts> {
  const size = opts.chunkSize ?? 5000;
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0, kept: 0 };
  for (let i = 0; i < rows.length; i += size) await writeChunk(tx, site, rows.slice(i, i + size), opts, counts);
  if (counts.created + counts.updated > 0) {
    await tx.query(
      `INSERT INTO transition.import_batches (site_id, filename, tags, update_existing, created, updated, unchanged, imported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [site.id, opts.filename, opts.tags ?? [], opts.updateExisting ?? false, counts.created, counts.updated, counts.unchanged, opts.now],
    );
  }
  return counts;
}

/** `writeImportRows` in one transaction: every mapping of the import, or, should any statement fail, none. */
export function writeImport(db: Db, site: Site, rows: readonly ImportRow[], opts: WriteImportOptions): Promise<ImportCounts> {
  return db.transaction((tx) => writeImportRows(tx, site, rows, opts));
}
