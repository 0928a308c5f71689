import { ApiError } from '../platform/api.ts';
import type { Edition, UpdateType } from './types.ts';
import { UNPUBLISHING_TYPES, UPDATE_TYPES } from './types.ts';

/**
 * The edition state machine, free of storage: draft -> published -> superseded,
 * published -> unpublished -> published again by a new publish. Each function
 * takes a document's editions and either says what the transition does or
 * throws the ApiError the API answers with.
 */

export const draftOf = (editions: Edition[]) => editions.find((e) => e.content_store === 'draft');
export const liveOf = (editions: Edition[]) => editions.find((e) => e.content_store === 'live');

/** A new draft's version: one past every edition so far, so versions never repeat. */
export function nextUserFacingVersion(editions: Edition[]): number {
  return editions.reduce((max, e) => Math.max(max, e.user_facing_version), 0) + 1;
}

/** The 409 a stale `previous_version` gets, saying what the current version is. */
export function checkLock(current: number, previous: number | undefined): void {
  if (previous === undefined || previous === current) return;
  throw new ApiError(
    409,
    'conflict',
    `A lock-version conflict occurred. The previous_version you sent (${previous}) is not the current lock_version of the document (${current}).`,
    { previous_version: ['does not match'] },
    { lock_version: current },
  );
}

export function publishPlan(editions: Edition[], requested: string | undefined, contentId: string, locale: string): { draft: Edition; live?: Edition; updateType: UpdateType } {
  const draft = draftOf(editions);
  const live = liveOf(editions);
  if (!draft) {
    if (live?.state === 'published') throw new ApiError(409, 'already_published', 'Cannot publish an already published edition', {});
    throw new ApiError(404, 'not_found', `Item with content_id ${contentId} and locale ${locale} does not exist`);
  }
  const updateType = requested ?? draft.update_type ?? undefined;
  if (!updateType) throw new ApiError(422, 'update_type_missing', 'update_type is required to publish', { update_type: ['is required'] });
  if (!(UPDATE_TYPES as readonly string[]).includes(updateType)) {
    throw new ApiError(422, 'update_type_invalid', `update_type must be one of ${UPDATE_TYPES.join(', ')}`, { update_type: [`must be one of: ${UPDATE_TYPES.join(', ')}`] });
  }
  return { draft, live, updateType: updateType as UpdateType };
}

export interface PublishTimestamps {
  first_published_at: Date;
  public_updated_at: Date;
  major_published_at: Date | null;
  published_at: Date;
}

/**
 * A major update is news: it moves public_updated_at to now unless the editor
 * set it. A minor one keeps the last public date readers were shown.
 */
export function publishTimestamps(draft: Edition, live: Edition | undefined, updateType: UpdateType, now: Date): PublishTimestamps {
  const first = draft.first_published_at ?? live?.first_published_at ?? now;
  if (updateType === 'major') {
    return { first_published_at: first, published_at: now, major_published_at: now, public_updated_at: draft.public_updated_at ?? now };
  }
  return {
    first_published_at: first,
    published_at: now,
    major_published_at: live?.major_published_at ?? null,
    public_updated_at: draft.public_updated_at ?? live?.public_updated_at ?? first,
  };
}

export interface UnpublishRequest {
  type?: unknown;
  explanation?: unknown;
  alternative_path?: unknown;
  redirects?: unknown;
  discard_drafts?: unknown;
  allow_draft?: unknown;
}

export function unpublishPlan(editions: Edition[], req: UnpublishRequest): { target: Edition; discard?: Edition } {
  if (!(UNPUBLISHING_TYPES as readonly unknown[]).includes(req.type)) {
    throw new ApiError(422, 'type_invalid', `type must be one of ${UNPUBLISHING_TYPES.join(', ')}`, { type: [`must be one of: ${UNPUBLISHING_TYPES.join(', ')}`] });
  }
  if (req.allow_draft && req.discard_drafts) {
    throw new ApiError(422, 'conflicting_unpublishing_flags', 'allow_draft and discard_drafts cannot both be set', { allow_draft: ['conflicts with discard_drafts'] });
  }
  if (req.type === 'withdrawal' && !(typeof req.explanation === 'string' && req.explanation.trim())) {
    throw new ApiError(422, 'explanation_missing_for_withdrawal', 'A withdrawal needs an explanation', { explanation: ['is required for a withdrawal'] });
  }
  if (req.type === 'redirect' && !req.alternative_path && !(Array.isArray(req.redirects) && req.redirects.length)) {
    throw new ApiError(422, 'redirects_missing_for_redirect', 'A redirect needs an alternative_path or redirects', { alternative_path: ['is required for a redirect unless redirects are given'] });
  }
  const draft = draftOf(editions);
  const live = liveOf(editions);
  const target = req.allow_draft ? draft : live?.unpublishing?.type === 'substitute' ? undefined : live;
  if (!target) throw new ApiError(404, 'not_found', 'Could not find an edition to unpublish');
  if (draft && !req.allow_draft) {
    if (!req.discard_drafts) throw new ApiError(422, 'cannot_unpublish_with_draft', 'Cannot unpublish with a draft present; discard it first or send discard_drafts: true');
    return { target, discard: draft };
  }
  return { target };
}

export function discardPlan(editions: Edition[]): { draft: Edition; live?: Edition } {
  const draft = draftOf(editions);
  const live = liveOf(editions);
  if (!draft) {
    const status = live ? 422 : 404;
    throw new ApiError(status, 'no_draft_to_discard', 'There is not a draft edition of this document to discard');
  }
  return { draft, live };
}
