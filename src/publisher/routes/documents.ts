import type { FastifyInstance } from 'fastify';
import { render, type PageDeps } from '../context.ts';
import { DOCUMENT_TYPES, humanise } from '../forms/index.ts';
import { one, many } from '../forms/values.ts';
import { personName } from './summary.ts';

const STATES = ['draft', 'published', 'unpublished'] as const;
const PER_PAGE = 50;

/** What the banner says after an action sent the editor back to a page. */
export const DONE: Record<string, string> = {
  saved: 'The draft has been saved',
  tags: 'The tags have been saved',
  published: 'The document has been published',
  unpublished: 'The document has been unpublished',
  discarded: 'The draft has been discarded',
};

/** The home page: documents, newest edit first, searched by title and filtered by type and state. */
export function registerDocumentList(app: FastifyInstance, deps: PageDeps): void {
  app.get('/', async (req, reply) => {
    const query = req.query as Record<string, string | string[] | undefined>;
    const q = one(query, 'q').trim();
    const known = new Set(DOCUMENT_TYPES.map((t) => t.value));
    const types = many(query, 'document_type').filter((t) => known.has(t));
    const states = many(query, 'state').filter((s): s is (typeof STATES)[number] => (STATES as readonly string[]).includes(s));
    const page = Math.max(1, Number.parseInt(one(query, 'page'), 10) || 1);
    // Redirects, gone items and special routes are not editors' documents: the list holds only what can be opened here.
    const answer = await deps.api.list({ q, document_type: types.length ? types : [...known], states, page, per_page: PER_PAGE }, req.id);
    const list = answer.ok ? answer.body : { total: 0, pages: 0, current_page: page, results: [] };

    const pageUrl = (n: number) => {
      const params = new URLSearchParams();
      if (q) params.set('q', q);
      for (const t of types) params.append('document_type', t);
      for (const s of states) params.append('state', s);
      params.set('page', String(n));
      return `/?${params}`;
    };
    return render(deps, req, reply, 'documents.njk', {
      q,
      done: DONE[one(query, 'done')],
      problem: answer.ok ? undefined : answer.error.message,
      documents: list.results.map((d) => ({ ...d, type: humanise(d.document_type), lastEditedBy: personName(d.last_edited_by) })),
      total: list.total,
      typeItems: DOCUMENT_TYPES.map((t) => ({ value: t.value, text: humanise(t.value), checked: types.includes(t.value) })),
      stateItems: STATES.map((s) => ({ value: s, text: humanise(s), checked: states.includes(s) })),
      pagination: {
        previous: page > 1 ? { href: pageUrl(page - 1) } : undefined,
        next: page < list.pages ? { href: pageUrl(page + 1) } : undefined,
      },
    });
  });
}
