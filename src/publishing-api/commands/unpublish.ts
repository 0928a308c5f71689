import type { RedirectEntry } from '../../content-store/content-item.ts';
import { ApiError } from '../../platform/api.ts';
import { checkLock, publishTimestamps, unpublishPlan, liveOf } from '../lifecycle.ts';
import { bumpLock, deleteEdition, editionsOf, lockDocument, releasePath, updateEdition, upsertUnpublishing } from '../repository.ts';
import type { UnpublishingType } from '../types.ts';
import { validBasePath, validateRoutesAndRedirects } from '../validation/routes.ts';
import { optionalInteger, optionalString, requireContentId, runCommand, type CommandContext, type CommandResult } from './command.ts';

function checkAlternativePath(path: string | undefined): void {
  if (path === undefined) return;
  if (/^https:\/\/[^/\s]+/.test(path)) return;
  const reason = validBasePath(path);
  if (reason) throw new ApiError(422, 'alternative_path_invalid', `alternative_path ${reason}`, { alternative_path: [reason] });
}

/** `POST /v2/content/:content_id/unpublish`: gone (410), redirect (301), withdrawal (still shown, with a notice) or vanish (404). */
export function unpublish(ctx: CommandContext, rawContentId: string, body: Record<string, unknown>): Promise<CommandResult<{ content_id: string }>> {
  const contentId = requireContentId(rawContentId);
  const locale = optionalString(body, 'locale') ?? 'en';
  const previousVersion = optionalInteger(body, 'previous_version');
  const explanation = optionalString(body, 'explanation') ?? null;
  const alternativePath = optionalString(body, 'alternative_path');
  checkAlternativePath(alternativePath);
  return runCommand(ctx, 'Unpublish', contentId, body, async (tx) => {
    const doc = await lockDocument(tx, contentId, locale, false);
    if (!doc) throw new ApiError(404, 'not_found', 'Could not find an edition to unpublish');
    const editions = await editionsOf(tx, doc.id);
    checkLock(doc.lock_version, previousVersion);
    const { target, discard } = unpublishPlan(editions, body);
    const type = body.type as UnpublishingType;

    let redirects: RedirectEntry[] = [];
    if (type === 'redirect') {
      redirects = alternativePath
        ? [{ path: target.base_path!, type: 'exact', destination: alternativePath }]
        : (body.redirects as RedirectEntry[]);
      const errors = validateRoutesAndRedirects({ base_path: target.base_path!, schema_name: 'redirect', routes: [], redirects });
      if (errors) throw new ApiError(422, 'redirects_invalid', 'The redirects are not valid for this document', errors);
    }

    if (discard) {
      await deleteEdition(tx, discard.id);
      if (discard.base_path && discard.base_path !== target.base_path) await releasePath(tx, discard.base_path);
    }
    if (target.state === 'draft') {
      const live = liveOf(editions);
      if (live) await updateEdition(tx, live.id, { state: 'superseded', content_store: null });
      await updateEdition(tx, target.id, { ...publishTimestamps(target, live, target.update_type ?? 'major', ctx.now()) });
    }
    await updateEdition(tx, target.id, { state: 'unpublished', content_store: 'live', auth_bypass_ids: [] });
    await upsertUnpublishing(tx, target.id, {
      type,
      explanation,
      alternative_path: alternativePath ?? null,
      redirects,
      unpublished_at: body.unpublished_at && !Number.isNaN(Date.parse(String(body.unpublished_at))) ? new Date(String(body.unpublished_at)) : ctx.now(),
    });
    await bumpLock(tx, doc.id);
    return {
      body: { content_id: contentId },
      downstream: [
        {
          stack: 'draft',
          content_id: contentId,
          locale,
          stale_base_path: discard?.base_path !== target.base_path ? discard?.base_path : null,
          update_dependencies: true,
        },
        { stack: 'live', content_id: contentId, locale, event_type: 'unpublish', update_dependencies: true },
      ],
    };
  });
}
