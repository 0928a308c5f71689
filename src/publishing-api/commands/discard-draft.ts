import { ApiError } from '../../platform/api.ts';
import { checkLock, discardPlan } from '../lifecycle.ts';
import { bumpLock, deleteEdition, editionsOf, lockDocument, releasePath } from '../repository.ts';
import { optionalInteger, optionalString, requireContentId, runCommand, type CommandContext, type CommandResult } from './command.ts';

/** `POST /v2/content/:content_id/discard-draft`: the draft goes; the draft store shows the live edition again, or nothing. */
export function discardDraft(ctx: CommandContext, rawContentId: string, body: Record<string, unknown>): Promise<CommandResult<{ content_id: string }>> {
  const contentId = requireContentId(rawContentId);
  const locale = optionalString(body, 'locale') ?? 'en';
  const previousVersion = optionalInteger(body, 'previous_version');
  return runCommand(ctx, 'DiscardDraft', contentId, body, async (tx) => {
    const doc = await lockDocument(tx, contentId, locale, false);
    if (!doc) throw new ApiError(404, 'no_draft_to_discard', 'There is not a draft edition of this document to discard');
    const editions = await editionsOf(tx, doc.id);
    const { draft, live } = discardPlan(editions);
    checkLock(doc.lock_version, previousVersion);
    await deleteEdition(tx, draft.id);
    if (draft.base_path && draft.base_path !== live?.base_path) await releasePath(tx, draft.base_path);
    await bumpLock(tx, doc.id);
    return {
      body: { content_id: contentId },
      downstream: [{
        stack: 'draft',
        content_id: contentId,
        locale,
        stale_base_path: draft.base_path !== live?.base_path ? draft.base_path : null,
        update_dependencies: true,
      }],
    };
  });
}
