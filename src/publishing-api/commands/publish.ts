import { ApiError } from '../../platform/api.ts';
import { checkLock, publishPlan, publishTimestamps } from '../lifecycle.ts';
import { bumpLock, editionsOf, holderOfPath, lockDocument, updateEdition, upsertUnpublishing } from '../repository.ts';
import type { DownstreamRequest } from '../types.ts';
import { expansionFieldsChanged, removedLinkTargets } from '../expansion/dependents.ts';
import { optionalInteger, optionalString, requireContentId, runCommand, SUBSTITUTABLE, type CommandContext, type CommandResult } from './command.ts';

/** `POST /v2/content/:content_id/publish`: the draft becomes the live edition; the old live one is superseded. */
export function publish(ctx: CommandContext, rawContentId: string, body: Record<string, unknown>): Promise<CommandResult<{ content_id: string }>> {
  const contentId = requireContentId(rawContentId);
  const locale = optionalString(body, 'locale') ?? 'en';
  const previousVersion = optionalInteger(body, 'previous_version');
  const requested = optionalString(body, 'update_type');
  return runCommand(ctx, 'Publish', contentId, body, async (tx) => {
    const doc = await lockDocument(tx, contentId, locale, false);
    if (!doc) throw new ApiError(404, 'not_found', `Item with content_id ${contentId} and locale ${locale} does not exist`);
    const editions = await editionsOf(tx, doc.id);
    checkLock(doc.lock_version, previousVersion);
    const { draft, live, updateType } = publishPlan(editions, requested, contentId, locale);
    const downstream: DownstreamRequest[] = [];

    if (draft.base_path) {
      const holder = await holderOfPath(tx, draft.base_path, 'live', doc.id);
      if (holder) {
        if (!SUBSTITUTABLE.has(holder.document_type) && !SUBSTITUTABLE.has(draft.document_type)) {
          const message = `base path=${draft.base_path} conflicts with content_id=${holder.content_id} and locale=${holder.locale}`;
          throw new ApiError(422, 'conflict', message, { base_path: [message] });
        }
        // The other document gives way: it leaves the live store, and its history records why.
        await updateEdition(tx, holder.id, { state: 'superseded', content_store: null });
        await upsertUnpublishing(tx, holder.id, {
          type: 'substitute',
          explanation: 'Automatically unpublished to make way for another document',
          alternative_path: null,
          redirects: [],
          unpublished_at: ctx.now(),
        });
      }
    }

    if (live) await updateEdition(tx, live.id, { state: 'superseded', content_store: null });
    await updateEdition(tx, draft.id, {
      state: 'published',
      content_store: 'live',
      update_type: updateType,
      change_note: updateType === 'major' ? draft.change_note : null,
      auth_bypass_ids: [],
      publishing_request_id: ctx.requestId,
      ...publishTimestamps(draft, live, updateType, ctx.now()),
    });
    await bumpLock(tx, doc.id);

    // A document published at a new path leaves the old one: the live store must forget it.
    const moved = live?.base_path && live.base_path !== draft.base_path ? live.base_path : null;
    const published = (await editionsOf(tx, doc.id)).find((e) => e.id === draft.id)!;
    // The live documents linking here show the old live edition until they are sent again.
    const changed = expansionFieldsChanged(live, published);
    // Live first: it is the write readers are waiting for.
    downstream.push(
      { stack: 'live', content_id: contentId, locale, stale_base_path: moved, event_type: updateType, update_dependencies: changed },
      { stack: 'draft', content_id: contentId, locale },
    );
    for (const target of removedLinkTargets(live?.edition_links ?? {}, published.edition_links)) {
      downstream.push({ stack: 'live', content_id: target, locale, event_type: 'links' });
    }
    // A republish changes nothing an editor is waiting for.
    return { body: { content_id: contentId }, downstream, priority: updateType === 'republish' ? 'low' : 'high' };
  });
}
