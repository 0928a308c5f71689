import { ApiError } from '../platform/api.ts';
import type { Queryable } from '../platform/db/index.ts';
import { writeToOutbox } from '../platform/outbox/index.ts';
import { writeManyToOutbox } from '../platform/outbox/index.ts';
import type { ContentStorePayload } from './content-item.ts';

/** The second word of a publishing event's routing key, `<schema_name>.<event type>`. */
export const EVENT_TYPES = ['major', 'minor', 'republish', 'links', 'unpublish'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** How a writer says what kind of change a live write is; the payload itself is the item, not the change. */
export const EVENT_TYPE_HEADER = 'portico-event-type';

export function eventTypeOf(header: string | string[] | undefined): EventType {
  if (header === undefined) return 'major';
  if (typeof header === 'string' && (EVENT_TYPES as readonly string[]).includes(header)) return header as EventType;
  throw new ApiError(422, 'event_type_invalid', `${EVENT_TYPE_HEADER} must be one of ${EVENT_TYPES.join(', ')}`, {
    [EVENT_TYPE_HEADER]: [`must be one of: ${EVENT_TYPES.join(', ')}`],
  });
}

/** A written item: its payload and the body readers get. */
export interface AnnouncedItem {
  payload: ContentStorePayload;
  presented: string;
}

/**
 * Records, in the write's own transaction, one event per live item written:
 * the item as readers get it (links expanded), its routes and redirects, and
 * what kind of change it was.
 */
export function announceItems(tx: Queryable, schema: string, items: readonly AnnouncedItem[], eventType: EventType): Promise<string[]> {
  return writeManyToOutbox(
    tx,
    schema,
    items.map(({ payload, presented }) => ({
      routingKey: `${payload.schema_name}.${eventType}`,
      // Routes and redirects ride along, as on GOV.UK's queue, so the edge can purge and the mirror re-crawl every path the item answers.
      body: {
        ...(JSON.parse(presented) as object),
        routes: payload.routes,
        redirects: payload.redirects,
        update_type: eventType,
        payload_version: payload.payload_version,
      },
    })),
  );
}

/** The event for an item that vanished: it answers 404 from now on. */
export function announceVanish(tx: Queryable, schema: string, item: { base_path: string; content_id: string; locale: string }): Promise<string> {
  return writeToOutbox(tx, schema, {
    routingKey: 'vanish.unpublish',
    body: { ...item, document_type: 'vanish', schema_name: 'vanish', update_type: 'unpublish' },
  });
}
