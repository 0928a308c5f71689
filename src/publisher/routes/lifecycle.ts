import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asEditor, NotFound, render, requireAbility, type Body, type PageDeps, type Params } from '../context.ts';
import { addError, hasErrors, mapApiErrors, noErrors, type FormErrors } from '../errors.ts';
import { formForSchema } from '../forms/index.ts';
import { buildPayload } from '../forms/payload.ts';
import { one, valuesFromContent } from '../forms/values.ts';
import type { ApiFailure, Content, UnpublishRequest } from '../publishing-api-client.ts';
import { documentSummary } from './summary.ts';

const STALE = 'Someone else changed this document after you opened this page. Check the document, then try again.';

function lockFrom(body: Body): number | undefined {
  const n = Number.parseInt(one(body, 'lock_version'), 10);
  return Number.isInteger(n) ? n : undefined;
}

/** The API's refusal on a page whose fields are `known`: its field errors where they belong, its message otherwise. */
function refusal(error: ApiFailure, known: string[]): FormErrors {
  const errors = noErrors();
  if (error.status === 409) addError(errors, undefined, STALE);
  for (const [key, reasons] of Object.entries(error.fields)) {
    if (key === 'previous_version') continue;
    const field = known.includes(key) ? key : undefined;
    const label = (field ?? key).replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    addError(errors, field, `${label} ${reasons[0] ?? 'is not valid'}`);
  }
  if (!hasErrors(errors)) addError(errors, undefined, error.message);
  return errors;
}

/** Publishing, unpublishing and discarding: for managing editors only, each confirmed on its own page. */
export function registerLifecycle(app: FastifyInstance, deps: PageDeps): void {
  const load = async (id: string, requestId: string): Promise<Content> => {
    const answer = await deps.api.get(id, requestId);
    if (!answer.ok) throw new NotFound();
    return answer.body;
  };
  const page = (req: FastifyRequest, reply: FastifyReply, template: string, content: Content, data: Record<string, unknown>, status = 200) =>
    render(deps, req, reply, template, { summary: documentSummary(deps, content), errors: noErrors(), values: {}, ...data }, status);
  const back = (reply: FastifyReply, id: string, done: string) => reply.redirect(`/documents/${encodeURIComponent(id)}?done=${done}`, 303);

  app.get<{ Params: Params }>('/documents/:id/publish', async (req, reply) => {
    requireAbility(req, 'publish');
    const content = await load(req.params.id, req.id);
    return page(req, reply, 'publish.njk', content, { values: { update_type: content.update_type === 'minor' ? 'minor' : '', change_note: content.change_note ?? '' } });
  });

  /**
   * The change note lives on the draft, so publishing saves the draft with the
   * chosen update type and note first (against the version the editor saw),
   * then publishes exactly that version.
   */
  app.post<{ Params: Params; Body: Body }>('/documents/:id/publish', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'publish');
    const id = req.params.id;
    const body = req.body ?? {};
    const values = { update_type: one(body, 'update_type'), change_note: one(body, 'change_note').trim() };
    const content = await load(id, req.id);
    const errors = noErrors();
    if (values.update_type !== 'major' && values.update_type !== 'minor') addError(errors, 'update_type', 'Select whether this is a major or a minor change');
    if (values.update_type === 'major' && !values.change_note) addError(errors, 'change_note', 'Enter a change note: it tells readers what changed');
    if (content.publication_state !== 'draft') addError(errors, undefined, 'There is no draft to publish');
    if (hasErrors(errors)) return page(req, reply, 'publish.njk', content, { values, errors }, 422);

    const form = formForSchema(content.schema_name)!;
    const draft = { ...valuesFromContent(content), lock_version: lockFrom(body) ?? content.lock_version };
    const built = buildPayload(form, draft, content, { update_type: values.update_type as 'major' | 'minor', change_note: values.change_note });
    if ('problem' in built) return page(req, reply, 'publish.njk', content, { values, errors: refusal({ status: 422, code: 'invalid', message: built.problem.message, fields: {} }, []) }, 422);
    const saved = await deps.api.put(id, built.payload, asEditor(req));
    if (!saved.ok) {
      const status = saved.error.status === 409 ? 409 : 422;
      const errs = status === 409 ? refusal(saved.error, []) : mapApiErrors(form, draft, saved.error.fields, saved.error.message);
      // A draft the API will not take cannot be published: the editor fixes it on the edit page, linked from each error.
      errs.summary = errs.summary.map((e) => ({ text: e.text, href: e.href ? `/documents/${encodeURIComponent(id)}${e.href}` : undefined }));
      return page(req, reply, 'publish.njk', await load(id, req.id), { values, errors: errs }, status);
    }
    const published = await deps.api.publish(id, { update_type: values.update_type as 'major' | 'minor', previous_version: saved.body.lock_version }, asEditor(req));
    if (!published.ok) return page(req, reply, 'publish.njk', await load(id, req.id), { values, errors: refusal(published.error, []) }, published.error.status);
    return back(reply, id, 'published');
  });

  app.get<{ Params: Params }>('/documents/:id/unpublish', async (req, reply) => {
    requireAbility(req, 'publish');
    return page(req, reply, 'unpublish.njk', await load(req.params.id, req.id), {});
  });

  app.post<{ Params: Params; Body: Body }>('/documents/:id/unpublish', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'publish');
    const id = req.params.id;
    const body = req.body ?? {};
    const values = { type: one(body, 'type'), alternative_path: one(body, 'alternative_path').trim(), explanation: one(body, 'explanation').trim() };
    const content = await load(id, req.id);
    const errors = noErrors();
    if (values.type === 'redirect' && !values.alternative_path) addError(errors, 'alternative_path', 'Enter the path readers should be sent to, such as /new-page');
    if (values.type === 'withdrawal' && !values.explanation) addError(errors, 'explanation', 'Enter why the document was withdrawn: readers see it');
    if (!['gone', 'redirect', 'withdrawal'].includes(values.type)) addError(errors, 'type', 'Select how to unpublish the document');
    if (hasErrors(errors)) return page(req, reply, 'unpublish.njk', content, { values, errors }, 422);

    const request: UnpublishRequest = {
      type: values.type as UnpublishRequest['type'],
      ...(values.type === 'redirect' ? { alternative_path: values.alternative_path } : {}),
      ...(values.type !== 'redirect' && values.explanation ? { explanation: values.explanation } : {}),
      ...(lockFrom(body) !== undefined ? { previous_version: lockFrom(body) } : {}),
      // The page warned that a newer draft goes with it; unpublishing the live edition under a draft needs that said.
      ...(content.publication_state === 'draft' ? { discard_drafts: true } : {}),
    };
    const answer = await deps.api.unpublish(id, request, asEditor(req));
    if (!answer.ok) {
      return page(req, reply, 'unpublish.njk', await load(id, req.id), { values, errors: refusal(answer.error, ['type', 'alternative_path', 'explanation']) }, answer.error.status === 409 ? 409 : 422);
    }
    return back(reply, id, 'unpublished');
  });

  app.get<{ Params: Params }>('/documents/:id/discard', async (req, reply) => {
    requireAbility(req, 'publish');
    return page(req, reply, 'discard.njk', await load(req.params.id, req.id), {});
  });

  app.post<{ Params: Params; Body: Body }>('/documents/:id/discard', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'publish');
    const id = req.params.id;
    const lock = lockFrom(req.body ?? {});
    const answer = await deps.api.discardDraft(id, lock !== undefined ? { previous_version: lock } : {}, asEditor(req));
    if (!answer.ok) return page(req, reply, 'discard.njk', await load(id, req.id), { errors: refusal(answer.error, []) }, answer.error.status === 409 ? 409 : 422);
    // With no published edition behind it, the document is gone altogether.
    const after = await deps.api.get(id, req.id);
    return after.ok ? back(reply, id, 'discarded') : reply.redirect('/?done=discarded', 303);
  });
}
