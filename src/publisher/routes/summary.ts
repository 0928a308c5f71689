import type { PageDeps } from '../context.ts';
import { humanise } from '../forms/index.ts';
import type { Content, Person } from '../publishing-api-client.ts';

/** How the app names a person: their name, or their uid when the caller gave no name. */
export function personName(p: Person | null | undefined): string | undefined {
  return p ? p.name ?? p.uid : undefined;
}

/** A document's state as an editor reads it, with the live and draft addresses they can open. */
export function documentSummary(deps: PageDeps, c: Content) {
  const states = Object.values(c.state_history ?? {});
  const hasLive = states.includes('published') || states.includes('unpublished');
  return {
    content_id: c.content_id,
    title: c.title,
    state: c.publication_state,
    stateText: humanise(c.publication_state),
    type: humanise(c.document_type),
    version: c.user_facing_version,
    lockVersion: c.lock_version,
    lastEditedAt: c.last_edited_at,
    lastEditedBy: personName(c.last_edited_by),
    hasDraft: c.publication_state === 'draft',
    hasLive,
    /** A published edition can be taken down; an unpublished one already has been. */
    isLive: c.publication_state === 'published' || (c.publication_state === 'draft' && states.includes('published')),
    draftUrl: c.base_path ? `${deps.draftOriginUrl}${c.base_path}` : undefined,
    unpublishing: c.unpublishing,
  };
}
