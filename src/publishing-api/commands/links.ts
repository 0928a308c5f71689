import { ApiError, type FieldErrors } from '../../platform/api.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { checkLock } from '../lifecycle.ts';
import { documentExists } from '../repository.ts';
import type { DownstreamRequest } from '../types.ts';
import { removedLinkTargets } from '../expansion/dependents.ts';
import { isUuid, optionalInteger, requireContentId, runCommand, type CommandContext, type CommandResult } from './command.ts';

export interface LinkSetBody {
  content_id: string;
  links: Record<string, string[]>;
  version: number;
}

const LINK_TYPE = /^[a-z0-9_]+$/;
const RESERVED = new Set(['available_translations']);

function validateLinks(links: unknown): Record<string, string[]> {
  if (typeof links !== 'object' || links === null || Array.isArray(links)) {
    throw new ApiError(422, 'links_missing', 'links must be an object of link type to content_ids', { links: ['must be an object'] });
  }
  const fields: FieldErrors = {};
  for (const [type, ids] of Object.entries(links)) {
    const problems: string[] = [];
    if (!LINK_TYPE.test(type)) problems.push('link type must be lower case letters, digits and underscores');
    if (RESERVED.has(type)) problems.push('is reserved: the Publishing API fills it in');
    if (!Array.isArray(ids)) problems.push('must be an array of content_ids');
    else ids.forEach((id, i) => isUuid(id) || problems.push(`[${i}] must be a content_id (a UUID)`));
    if (problems.length) fields[`links.${type}`] = problems;
  }
  if (Object.keys(fields).length) throw new ApiError(422, 'links_invalid', 'Some links are not valid', fields);
  return links as Record<string, string[]>;
}

async function readLinkSet(db: Queryable, contentId: string): Promise<LinkSetBody | null> {
  const set = await db.query<{ lock_version: number }>('SELECT lock_version FROM publishing_api.link_sets WHERE content_id = $1', [contentId]);
  if (!set.rows[0]) return null;
  const { rows } = await db.query<{ link_type: string; target_content_id: string }>(
    'SELECT link_type, target_content_id FROM publishing_api.links WHERE link_set_content_id = $1 ORDER BY link_type, position',
    [contentId],
  );
  const links: Record<string, string[]> = {};
  for (const r of rows) (links[r.link_type] ??= []).push(r.target_content_id);
  return { content_id: contentId, links, version: set.rows[0].lock_version };
}

/** `GET /v2/links/:content_id`. A known document with no links has an empty set at version 0. */
export async function getLinkSet(db: Queryable, rawContentId: string): Promise<LinkSetBody> {
  const contentId = requireContentId(rawContentId);
  const set = await readLinkSet(db, contentId);
  if (set) return set;
  if (await documentExists(db, contentId)) return { content_id: contentId, links: {}, version: 0 };
  throw new ApiError(404, 'not_found', `Could not find link set with content_id: ${contentId}`);
}

/**
 * `PATCH /v2/links/:content_id`: each link type in the body replaces that type's
 * links (an empty array removes them); types not mentioned stay as they are.
 * Links may be set before the document exists.
 */
export function patchLinkSet(ctx: CommandContext, rawContentId: string, body: Record<string, unknown>): Promise<CommandResult<LinkSetBody>> {
  const contentId = requireContentId(rawContentId);
  const links = validateLinks(body.links);
  const previousVersion = optionalInteger(body, 'previous_version');
  return runCommand(ctx, 'PatchLinkSet', contentId, body, async (tx) => {
    await tx.query('INSERT INTO publishing_api.link_sets (content_id) VALUES ($1) ON CONFLICT DO NOTHING', [contentId]);
    const { rows } = await tx.query<{ lock_version: number }>('SELECT lock_version FROM publishing_api.link_sets WHERE content_id = $1 FOR UPDATE', [contentId]);
    checkLock(rows[0]!.lock_version, previousVersion);
    const before = (await readLinkSet(tx, contentId))!.links;
    for (const [type, ids] of Object.entries(links)) {
      await tx.query('DELETE FROM publishing_api.links WHERE link_set_content_id = $1 AND link_type = $2', [contentId, type]);
      const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
      if (unique.length) {
        await tx.query(
          `INSERT INTO publishing_api.links (link_set_content_id, link_type, target_content_id, position)
           SELECT $1, $2, t, p - 1 FROM unnest($3::uuid[]) WITH ORDINALITY AS u(t, p)`,
          [contentId, type, unique],
        );
      }
    }
    await tx.query('UPDATE publishing_api.link_sets SET lock_version = lock_version + 1, updated_at = now() WHERE content_id = $1', [contentId]);
    // Link sets are not drafted: a change reaches both stores at once, in every locale the document has.
    const { rows: stores } = await tx.query<{ locale: string; content_store: 'draft' | 'live' }>(
      `SELECT DISTINCT d.locale, e.content_store FROM publishing_api.documents d
       JOIN publishing_api.editions e ON e.document_id = d.id
       WHERE d.content_id = $1 AND e.content_store IS NOT NULL`,
      [contentId],
    );
    const locales = [...new Set(stores.map((r) => r.locale))];
    const downstream: DownstreamRequest[] = [
      ...locales.map((locale) => ({ stack: 'draft' as const, content_id: contentId, locale, update_dependencies: true })),
      ...stores
        .filter((r) => r.content_store === 'live')
        .map((r) => ({ stack: 'live' as const, content_id: contentId, locale: r.locale, event_type: 'links' as const, update_dependencies: true })),
    ];
    const after = (await readLinkSet(tx, contentId))!;
    // A target no longer linked must stop showing this document as a reverse link.
    for (const target of removedLinkTargets(before, after.links)) {
      downstream.push(
        { stack: 'draft', content_id: target, locale: 'en' },
        { stack: 'live', content_id: target, locale: 'en', event_type: 'links' },
      );
    }
    return { body: after, downstream, priority: body.bulk_publishing === true ? 'low' : 'high' };
  });
}
