import type { Stack } from '../content-store/schema.ts';
import type { Db, Queryable } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { ContentStoreClient } from './content-store-client.ts';
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
 * out of order still leaves the store right. This is the body of the
 * downstream job once a queue carries it.
 *
 * The payload_version is read before the edition, so a newer state always
 * travels with a version at least as high.
 */
export async function updateContentStore(db: Queryable, store: ContentStoreClient, req: DownstreamRequest, requestId?: string): Promise<void> {
  const payloadVersion = await latestEventId(db);
  const { draft, live } = await editionsInStores(db, req.content_id, req.locale);
  // The draft store mirrors live for documents with no draft.
  const edition = req.stack === 'live' ? live : draft ?? live;
  let current: string | null = null;
  if (edition?.base_path) {
    const payload = forContentStore(edition, req.stack, payloadVersion);
    if (payload) {
      await store.put(edition.base_path, payload, requestId);
      current = edition.base_path;
    } else {
      await store.delete(edition.base_path, requestId);
    }
  }
  // Forget a path this document left, unless another document has taken it since.
  const stale = req.stale_base_path;
  if (stale && stale !== current && !(await pathHeldInStore(db, stale, req.stack))) await store.delete(stale, requestId);
}

export interface Downstream {
  /** Runs the requests in order, retrying each; resolves to a warning per request that still failed. */
  run(requests: DownstreamRequest[], requestId?: string): Promise<string[]>;
}

export interface DownstreamOptions {
  db: Db;
  stores: Record<Stack, ContentStoreClient>;
  log: Logger;
  attempts?: number;
  retryDelayMs?: number;
}

/**
 * Sends a committed command's changes to the content stores straight away,
 * with a few quick retries. The command has already committed, so a store
 * that stays down does not undo it: the caller reports a warning, and the next
 * write of the document (or a republish) sends the current state again.
 */
export function createDownstream({ db, stores, log, attempts = 3, retryDelayMs = 100 }: DownstreamOptions): Downstream {
  return {
    async run(requests, requestId) {
      const warnings: string[] = [];
      for (const req of requests) {
        for (let attempt = 1; ; attempt++) {
          try {
            await updateContentStore(db, stores[req.stack], req, requestId);
            break;
          } catch (err) {
            if (attempt >= attempts) {
              log.error({ err: (err as Error).message, request_id: requestId, ...req }, 'content store update failed');
              warnings.push(`The ${req.stack} content store could not be updated: ${(err as Error).message}`);
              break;
            }
            await new Promise((r) => setTimeout(r, retryDelayMs * attempt));
          }
        }
      }
      return warnings;
    },
  };
}
