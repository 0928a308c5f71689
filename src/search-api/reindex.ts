import type { Db } from '../platform/db/index.ts';
import { actionFor, UnreadableEventError, type IndexAction } from './document.ts';
import { applyAction, type Outcome } from './indexer.ts';

/** A live content item as the content store keeps it: the body readers get, and its version. */
export interface StoredItem {
  base_path: string;
  payload_version: number;
  presented: Record<string, unknown>;
}

export interface ReindexCounts extends Record<Outcome, number> {
  /** Paths whose items the indexer cannot read. */
  unreadable: string[];
}

/** The item as the event a republish would announce; undefined when it cannot be read as a document. */
function actionForItem(item: StoredItem): IndexAction | undefined {
  const body: Record<string, unknown> = { ...item.presented, payload_version: item.payload_version };
  try {
    return actionFor(`${String(body.schema_name)}.republish`, body);
  } catch (err) {
    if (err instanceof UnreadableEventError) return undefined;
    throw err;
  }
}

/**
 * Applies each live item as if it had just been republished, a page per
 * transaction. Equal versions are rewritten (the rules may have changed since
 * they were indexed); older ones never are, so events arriving meanwhile win.
 */
export async function reindexItems(db: Db, pages: AsyncIterable<StoredItem[]>): Promise<ReindexCounts> {
  const counts: ReindexCounts = { indexed: 0, deleted: 0, stale: 0, unreadable: [] };
  for await (const page of pages) {
    await db.transaction(async (tx) => {
      for (const item of page) {
        const action = actionForItem(item);
        if (action) counts[await applyAction(tx, action, { replaceEqual: true })]++;
        else counts.unreadable.push(item.base_path);
      }
    });
  }
  return counts;
}
