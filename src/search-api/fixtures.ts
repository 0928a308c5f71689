/** Test fixtures: publishing event bodies as the live content store announces them, and an index to put them in. */
import { createHash } from 'node:crypto';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { actionFor } from './document.ts';
import { applyAction, type Outcome } from './indexer.ts';
import { migrateSearch } from './schema.ts';

let version = 0;

/** A stable content_id for a path. */
export function idOf(basePath: string): string {
  const h = createHash('sha1').update(basePath).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An organisation as expanded links carry it. */
export function org(slug: string, title: string): Record<string, unknown> {
  const base_path = `/government/organisations/${slug}`;
  return { base_path, content_id: idOf(base_path), title, document_type: 'organisation', locale: 'en', details: { acronym: title.replace(/[^A-Z]/g, '') } };
}

/** The body of an answer's publishing event, with a payload_version newer than any before unless one is given. */
export function eventBody(basePath: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_path: basePath,
    content_id: idOf(basePath),
    locale: 'en',
    title: 'A title',
    description: 'A description',
    document_type: 'answer',
    schema_name: 'answer',
    details: { body: 'Some words.' },
    links: {},
    public_updated_at: '2024-01-01T09:00:00.000Z',
    withdrawn_notice: null,
    update_type: 'major',
    payload_version: ++version,
    ...overrides,
  };
}

export async function openSearchDb(): Promise<TestDb> {
  const t = await openTestDb();
  await migrateSearch(t.db);
  return t;
}

/** Applies an event as the consumer would, minus the bus. */
export function applyEvent(t: TestDb, body: Record<string, unknown>, routingKey = `${String(body.schema_name)}.${String(body.update_type)}`): Promise<Outcome> {
  return t.db.transaction((tx) => applyAction(tx, actionFor(routingKey, body)));
}
