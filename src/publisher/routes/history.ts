import type { FastifyInstance } from 'fastify';
import { NotFound, render, type Body, type PageDeps, type Params } from '../context.ts';
import { humanise } from '../forms/index.ts';
import { one } from '../forms/values.ts';
import type { DocumentEvent } from '../publishing-api-client.ts';
import { documentSummary, personName } from './summary.ts';

const EVENTS_PER_PAGE = 50;

/** The API's command names, as an editor would say what was done. */
const ACTIONS: Record<string, string> = {
  PutContent: 'Saved the draft',
  Publish: 'Published',
  Unpublish: 'Unpublished',
  DiscardDraft: 'Discarded the draft',
  PatchLinkSet: 'Changed the tags',
};

/** Who did it: the person an app acted for, or, when it acted for nobody, the app's token. */
function doneBy(e: DocumentEvent): { name: string; app: boolean } {
  const person = personName(e.user);
  if (person) return { name: person, app: false };
  return { name: e.actor ?? 'unknown', app: true };
}

/**
 * Every edition, newest first: its state, update type, change note, who last
 * edited it and when it was made, published or unpublished; then everything
 * done to the document and by whom, newest first, a page at a time.
 */
export function registerHistory(app: FastifyInstance, deps: PageDeps): void {
  app.get<{ Params: Params }>('/documents/:id/history', async (req, reply) => {
    const id = req.params.id;
    const page = Math.max(1, Number.parseInt(one(req.query as Body, 'page'), 10) || 1);
    const [content, history, events] = await Promise.all([
      deps.api.get(id, req.id),
      deps.api.history(id, req.id),
      deps.api.events(id, { page, per_page: EVENTS_PER_PAGE }, req.id),
    ]);
    if (!content.ok || !history.ok) throw new NotFound();
    const editions = [...history.body.editions].reverse().map((e) => ({ ...e, stateText: humanise(e.publication_state), editedBy: personName(e.last_edited_by) }));
    // A page past the end is an empty list, not a missing document.
    const activity = events.ok ? events.body : { pages: 0, results: [] };
    const pageUrl = (n: number) => `/documents/${encodeURIComponent(id)}/history?page=${n}`;
    return render(deps, req, reply, 'history.njk', {
      summary: documentSummary(deps, content.body),
      editions,
      events: activity.results.map((e) => ({ ...e, what: ACTIONS[e.action] ?? e.action, by: doneBy(e) })),
      pagination: {
        previous: page > 1 ? { href: pageUrl(page - 1) } : undefined,
        next: page < activity.pages ? { href: pageUrl(page + 1) } : undefined,
      },
    });
  });
}
