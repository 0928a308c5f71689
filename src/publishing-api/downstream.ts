import type { Stack } from '../content-store/schema.ts';
import type { Queryable } from '../platform/db/index.ts';
import type { ContentStoreClient } from './content-store-client.ts';
import type { ContentStorePayload } from '../content-store/content-item.ts';
import { canonicalPath } from '../content-store/path.ts';
import { expandLinks, expandLinksOfMany } from './expansion/expand.ts';
import { forContentStore } from './presenters.ts';
import { documentKey, editionsInStores, editionsInStoresOfMany, EDITION_SELECT, latestEventId } from './repository.ts';
import type { BatchRequest, DownstreamRequest, Edition } from './types.ts';

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

export interface BatchOutcome {
  written: number;
  /** The store already held a newer payload_version (a later write got there first). */
  stale: number;
  /** Nothing to send: no edition in this store, or one with no base_path. */
  skipped: number;
  /** Sent one at a time through updateContentStore (a deletion, or a base_path another document of the batch shares). */
  single: number;
}

/**
 * `updateContentStore` for a batch of documents in one store, each announced
 * as a links event: one job of a fan-out. Their editions, their expansions
 * and the store's write cost a few statements and one request for the whole
 * batch, where one document at a time costs about a dozen round trips each.
 */
export async function updateContentStoreBatch(db: Queryable, store: ContentStoreClient, req: BatchRequest, origin: string): Promise<BatchOutcome> {
  const requestId = req.request_id ?? undefined;
  const outcome: BatchOutcome = { written: 0, stale: 0, skipped: 0, single: 0 };
  // As in updateContentStore: the version is read before the editions.
  const payloadVersion = await latestEventId(db);
  const held = await editionsInStoresOfMany(db, req.documents);
  const byLocale = new Map<string, { contentId: string; edition: Edition }[]>();
  for (const { content_id, locale } of req.documents) {
    const h = held.get(documentKey(content_id, locale));
    const edition = req.stack === 'live' ? h?.live : h?.draft ?? h?.live;
    if (!edition?.base_path) {
      outcome.skipped++;
      continue;
    }
    const list = byLocale.get(locale) ?? [];
    list.push({ contentId: content_id, edition });
    byLocale.set(locale, list);
  }
  const payloads: ContentStorePayload[] = [];
  const paths = new Set<string>();
  const oneByOne: { content_id: string; locale: string }[] = [];
  for (const [locale, documents] of byLocale) {
    const links = await expandLinksOfMany(db, documents.map((d) => d.contentId), locale, { withDrafts: req.stack === 'draft', origin });
    for (const { contentId, edition } of documents) {
      const payload = forContentStore(edition, req.stack, payloadVersion, links.get(contentId.toLowerCase()));
      // The store refuses a batch naming one base_path twice, however escaped; the rare second holder goes on its own.
      const path = payload && (canonicalPath(payload.base_path) ?? payload.base_path);
      if (payload && path && !paths.has(path)) {
        paths.add(path);
        payloads.push(payload);
      } else oneByOne.push({ content_id: contentId, locale });
    }
  }
  if (payloads.length > 0) {
    const results = await store.putMany(payloads, { requestId, eventType: req.stack === 'live' ? 'links' : undefined });
    for (const r of results) outcome[r]++;
  }
  for (const d of oneByOne) {
    await updateContentStore(db, store, { stack: req.stack, ...d, event_type: 'links', request_id: req.request_id ?? null }, origin);
    outcome.single++;
  }
  return outcome;
}
