import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asEditor, NotFound, render, requireAbility, type Body, type PageDeps, type Params } from '../context.ts';
import { addError, noErrors, type FormErrors } from '../errors.ts';
import { many, one } from '../forms/values.ts';
import type { Content, PublishingApi } from '../publishing-api-client.ts';

/** The link types this page edits, and the document types each may point at. */
const TAGS = {
  organisations: { label: 'Organisations', documentTypes: ['organisation'] },
  taxons: { label: 'Topics', documentTypes: ['taxon'] },
  // A page's parent is the page above it in the site's breadcrumbs: a guide, guidance or an answer.
  parent: { label: 'Parent page', documentTypes: ['guide', 'detailed_guide', 'answer'] },
} as const;
type TagType = keyof typeof TAGS;
const TAG_TYPES = Object.keys(TAGS) as TagType[];

interface Option {
  value: string;
  text: string;
}

async function optionsFor(api: PublishingApi, type: TagType, exclude: string, requestId: string): Promise<Option[]> {
  const answer = await api.list({ document_type: [...TAGS[type].documentTypes], per_page: 500, order: 'title' }, requestId);
  if (!answer.ok) return [];
  return answer.body.results
    .filter((d) => d.content_id !== exclude)
    .map((d) => ({ value: d.content_id, text: `${d.title ?? '(untitled)'}${d.base_path ? ` (${d.base_path})` : ''}` }));
}

interface TagsView {
  content: Content;
  chosen: Record<TagType, string[]>;
  version: number;
  errors?: FormErrors;
  /** The tags saved now, when someone else saved theirs since this editor loaded the page. */
  current?: Record<TagType, string[]>;
}

async function showTags(deps: PageDeps, req: FastifyRequest, reply: FastifyReply, view: TagsView, status = 200) {
  const id = view.content.content_id;
  const [organisations, taxons, parents] = await Promise.all(TAG_TYPES.map((t) => optionsFor(deps.api, t, id, req.id)));
  const checked = (type: TagType, options: Option[]) => options.map((o) => ({ ...o, checked: view.chosen[type].includes(o.value) }));
  const names = new Map([...organisations!, ...taxons!, ...parents!].map((o) => [o.value, o.text]));
  const named = (ids: string[]) => ids.map((i) => names.get(i) ?? i).join(', ') || 'None';
  const conflict = view.current
    ? TAG_TYPES.filter((t) => view.current![t].join() !== view.chosen[t].join()).map((t) => [
        { text: TAGS[t].label },
        { text: named(view.current![t]) },
        { text: named(view.chosen[t]) },
      ])
    : undefined;
  return render(deps, req, reply, 'tags.njk', {
    content: view.content,
    version: view.version,
    errors: view.errors ?? noErrors(),
    conflict,
    organisations: checked('organisations', organisations!),
    taxons: checked('taxons', taxons!),
    parents: [{ value: '', text: 'None' }, ...parents!.map((o) => ({ ...o, selected: view.chosen.parent.includes(o.value) }))],
  }, status);
}

function chosenFrom(links: Record<string, string[]>): Record<TagType, string[]> {
  return { organisations: links.organisations ?? [], taxons: links.taxons ?? [], parent: links.parent ?? [] };
}

/** Tags are the document's link set: not drafted, so a change reaches the live site too. */
export function registerTags(app: FastifyInstance, deps: PageDeps): void {
  const load = async (id: string, requestId: string) => {
    const [content, links] = await Promise.all([deps.api.get(id, requestId), deps.api.links(id, requestId)]);
    if (!content.ok || !links.ok) throw new NotFound();
    return { content: content.body, links: links.body };
  };

  app.get<{ Params: Params }>('/documents/:id/tags', async (req, reply) => {
    const { content, links } = await load(req.params.id, req.id);
    return showTags(deps, req, reply, { content, chosen: chosenFrom(links.links), version: links.version });
  });

  app.post<{ Params: Params; Body: Body }>('/documents/:id/tags', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'edit');
    const id = req.params.id;
    const body = req.body ?? {};
    const chosen: Record<TagType, string[]> = {
      organisations: many(body, 'organisations'),
      taxons: many(body, 'taxons'),
      parent: many(body, 'parent').filter(Boolean),
    };
    const version = Number.parseInt(one(body, 'version'), 10);
    const answer = await deps.api.patchLinks(id, { links: chosen, ...(Number.isInteger(version) ? { previous_version: version } : {}) }, asEditor(req));
    if (answer.ok) return reply.redirect(`/documents/${encodeURIComponent(id)}?done=tags`, 303);

    const { content, links } = await load(id, req.id);
    if (answer.error.status === 409) {
      // The editor's choices stay ticked; saving again replaces the other editor's tags knowingly.
      return showTags(deps, req, reply, { content, chosen, version: links.version, current: chosenFrom(links.links) }, 409);
    }
    const errors = noErrors();
    for (const [key, reasons] of Object.entries(answer.error.fields)) {
      const type = TAG_TYPES.find((t) => key === `links.${t}`);
      addError(errors, type, `${type ? TAGS[type].label : key} ${reasons[0] ?? 'is not valid'}`);
    }
    if (!errors.summary.length) addError(errors, undefined, answer.error.message);
    return showTags(deps, req, reply, { content, chosen, version: links.version, errors }, 422);
  });
}
