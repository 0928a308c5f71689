import type { Stack } from '../content-store/schema.ts';
import type { Queryable } from '../platform/db/index.ts';
import type { ContentStoreClient } from './content-store-client.ts';
import { expandLinks } from './expansion/expand.ts';
import { forContentStore } from './presenters.ts';
import { editionsInStores, EDITION_SELECT, latestEventId } from './repository.ts';
import type { DownstreamRequest } from './types.ts';

async function pathHeldInStore(db: Queryable, basePath: string, stack: Stack): Promise<boolean> {
  const { rows } = await db.query(`${EDITION_SELECT} WHERE e.base_path = $1 AND e.content_store = ANY($2) LIMIT 1`, [
    basePath,
    stack === 'live' ? ['live'] : ['draft', 'live'],
  ]);
  return rows.length > 0;
}

/**
 * Brings one content store up to date for one document, from what the database
 * holds now rather than from what a command saw: so running it twice, late, or
 * out of order still leaves the store right. It is the body of every
 * downstream job (jobs.ts).
 *
 * The payload_version is read before the edition, so a newer state always
 * travels with a version at least as high.
 */
export async function updateContentStore(db: Queryable, store: ContentStoreClient, req: DownstreamRequest, origin: string): Promise<void> {
  const requestId = req.request_id ?? undefined;
  // A deletion always announces itself as an unpublish; a write says what kind of change it is.
  const context = { requestId, eventType: req.stack === 'live' ? req.event_type ?? 'major' : undefined };
  const payloadVersion = await latestEventId(db);
  const { draft, live } = await editionsInStores(db, req.content_id, req.locale);
  // The draft store mirrors live for documents with no draft.
  const edition = req.stack === 'live' ? live : draft ?? live;
  let current: string | null = null;
  if (edition?.base_path) {
    const links = await expandLinks(db, req.content_id, req.locale, { withDrafts: req.stack === 'draft', origin });
    const payload = forContentStore(edition, req.stack, payloadVersion, links);
    if (payload) {
      await store.put(edition.base_path, payload, context);
      current = edition.base_path;
    } else {
      await store.delete(edition.base_path, { requestId });
    }
  }
  // Forget a path this document left, unless another document has taken it since.
  const stale = req.stale_base_path;
  if (stale && stale !== current && !(await pathHeldInStore(db, stale, req.stack))) await store.delete(stale, { requestId });
}
