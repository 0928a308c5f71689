import { randomUUID } from 'node:crypto';
import { ApiError } from '../../platform/api.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { checkLock, draftOf, liveOf, nextUserFacingVersion } from '../lifecycle.ts';
import { presentEdition } from '../presenters.ts';
import {
  bumpLock, deleteEdition, editionsOf, holderOfPath, insertEdition, lockDocument, pathReservation, releasePath,
  replaceEditionContent, reservePath, type EditionFields,
} from '../repository.ts';
import type { DownstreamRequest, PutContentPayload } from '../types.ts';
import type { SchemaRegistry } from '../validation/schemas.ts';
import { expansionFieldsChanged, removedLinkTargets } from '../expansion/dependents.ts';
import { validateRoutesAndRedirects } from '../validation/routes.ts';
import { requireContentId, runCommand, SUBSTITUTABLE, type CommandContext, type CommandResult } from './command.ts';

/** Checks a PUT body against its schema and the path rules; nothing has been read or written yet. */
export function validatePutContent(schemas: SchemaRegistry, contentId: string, body: unknown): PutContentPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(422, 'body_invalid', 'The body must be a JSON object', { '(body)': ['must be an object'] });
  }
  const payload = { ...(body as Record<string, unknown>) };
  // The reference takes content_id from the path; a body that disagrees is a mistake worth catching.
  if ('content_id' in payload) {
    if (String(payload.content_id).toLowerCase() !== contentId) {
      throw new ApiError(422, 'content_id_mismatch', 'content_id in the body differs from the one in the path', { content_id: ['does not match the path'] });
    }
    delete payload.content_id;
  }
  const schemaName = payload.schema_name;
  if (typeof schemaName !== 'string' || !schemas.has(schemaName)) {
    throw new ApiError(422, 'schema_validation_failed', 'The content does not match its schema', {
      schema_name: [typeof schemaName === 'string' ? `unknown schema ${JSON.stringify(schemaName)}; known: ${schemas.names().join(', ')}` : 'is required'],
    });
  }
  const schemaErrors = schemas.validate(schemaName, payload);
  if (schemaErrors) throw new ApiError(422, 'schema_validation_failed', 'The content does not match its schema', schemaErrors);
  const p = payload as unknown as PutContentPayload;
  // A gone item stands at its base path unless told otherwise.
  if (p.schema_name === 'gone' && p.base_path && !p.routes?.length) p.routes = [{ path: p.base_path, type: 'exact' }];
  if (p.base_path !== undefined) {
    const routeErrors = validateRoutesAndRedirects({ base_path: p.base_path, schema_name: p.schema_name, routes: p.routes ?? [], redirects: p.redirects ?? [] });
    if (routeErrors) throw new ApiError(422, 'routes_invalid', 'The routes or redirects are not valid for this base_path', routeErrors);
  }
  return p;
}

/** The change note a major update records: the body's, else the details' own. */
function changeNoteOf(p: PutContentPayload): string | null {
  if (p.update_type !== 'major') return null;
  const fromDetails = (p.details as { change_note?: unknown } | undefined)?.change_note;
  return p.change_note ?? (typeof fromDetails === 'string' ? fromDetails : null);
}

/**
 * A draft the client gave no auth_bypass_ids keeps the ones it has, or gets
 * one, so a preview link can be made for every draft and survives its edits.
 */
function authBypassIdsOf(draft: { auth_bypass_ids: string[] } | undefined): string[] {
  return draft?.auth_bypass_ids.length ? draft.auth_bypass_ids : [randomUUID()];
}

/** Refuses a path another app reserved or another document's draft holds, unless one of them may give way. */
async function claimPath(tx: Queryable, p: PutContentPayload, documentId: number, downstream: DownstreamRequest[]): Promise<void> {
  const basePath = p.base_path!;
  const owner = await pathReservation(tx, basePath);
  if (owner && owner !== p.publishing_app) {
    const message = `${basePath} is already reserved by ${owner}`;
    throw new ApiError(422, 'base_path_already_in_use', message, { base_path: [message] }, { owner });
  }
  const holder = await holderOfPath(tx, basePath, 'draft', documentId);
  if (!holder) return;
  if (SUBSTITUTABLE.has(holder.document_type) || SUBSTITUTABLE.has(p.document_type)) {
    await deleteEdition(tx, holder.id);
    downstream.push({ stack: 'draft', content_id: holder.content_id, locale: holder.locale });
    return;
  }
  const message = `base path=${basePath} conflicts with content_id=${holder.content_id} and locale=${holder.locale}`;
  throw new ApiError(422, 'conflict', message, { base_path: [message] }, { owner: { content_id: holder.content_id, locale: holder.locale } });
}

/** `PUT /v2/content/:content_id`: creates the draft edition, or replaces the draft there is. */
export function putContent(ctx: CommandContext, schemas: SchemaRegistry, rawContentId: string, body: unknown): Promise<CommandResult<ReturnType<typeof presentEdition>>> {
  const contentId = requireContentId(rawContentId);
  const p = validatePutContent(schemas, contentId, body);
  const locale = p.locale ?? 'en';
  return runCommand(ctx, 'PutContent', contentId, p, async (tx) => {
    const doc = (await lockDocument(tx, contentId, locale, true))!;
    const editions = await editionsOf(tx, doc.id);
    if (!doc.created) checkLock(doc.lock_version, p.previous_version);
    const downstream: DownstreamRequest[] = [];
    if (p.base_path) await claimPath(tx, p, doc.id, downstream);

    const draft = draftOf(editions);
    const live = liveOf(editions);
    const now = ctx.now();
    const fields: EditionFields & Pick<PutContentPayload, 'document_type' | 'schema_name' | 'publishing_app'> = {
      base_path: p.base_path ?? null,
      title: p.title ?? null,
      description: p.description ?? null,
      details: p.details ?? {},
      document_type: p.document_type,
      schema_name: p.schema_name,
      publishing_app: p.publishing_app,
      rendering_app: p.rendering_app ?? null,
      phase: p.phase ?? 'live',
      analytics_identifier: p.analytics_identifier ?? null,
      routes: p.routes ?? [],
      redirects: p.redirects ?? [],
      edition_links: p.links ?? {},
      update_type: p.update_type ?? null,
      change_note: changeNoteOf(p),
      auth_bypass_ids: p.auth_bypass_ids ?? authBypassIdsOf(draft),
      first_published_at: p.first_published_at ? new Date(p.first_published_at) : live?.first_published_at ?? null,
      public_updated_at: p.public_updated_at ? new Date(p.public_updated_at) : null,
      major_published_at: p.update_type === 'major' ? null : live?.major_published_at ?? null,
      last_edited_at: p.last_edited_at ? new Date(p.last_edited_at) : now,
      // A save without a user was an app's own: the draft no longer shows the person before it.
      last_edited_by_uid: ctx.user?.uid ?? null,
      last_edited_by_name: ctx.user?.name ?? null,
      publishing_request_id: ctx.requestId,
    };
    if (draft) await replaceEditionContent(tx, draft.id, fields);
    else await insertEdition(tx, doc.id, nextUserFacingVersion(editions), fields);

    // A draft that moved leaves its old path: free it unless the live edition still stands there.
    const moved = draft?.base_path && draft.base_path !== p.base_path ? draft.base_path : null;
    if (moved && live?.base_path !== moved) await releasePath(tx, moved);
    if (p.base_path) await reservePath(tx, p.base_path, p.publishing_app);
    await bumpLock(tx, doc.id);

    const after = await editionsOf(tx, doc.id);
    const before = draft ?? live;
    const now_ = draftOf(after)!;
    downstream.push({
      stack: 'draft',
      content_id: contentId,
      locale,
      stale_base_path: moved,
      // Only a change that shows in other documents' expanded links sends them again.
      update_dependencies: expansionFieldsChanged(before, now_),
    });
    // A target this edition no longer links to must stop showing it as a reverse link (a parent's children).
    for (const target of removedLinkTargets(before?.edition_links ?? {}, now_.edition_links)) {
      downstream.push({ stack: 'draft', content_id: target, locale });
    }
    return { body: presentEdition(now_, after), downstream, priority: p.bulk_publishing ? 'low' : 'high' };
  });
}
