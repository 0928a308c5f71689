import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderMarkdown } from '../../platform/ui/markdown.ts';
import { asEditor, NotFound, render, requireAbility, type Body, type PageDeps, type Params } from '../context.ts';
import { diffFields, type FieldDiff } from '../diff.ts';
import { addError, mapApiErrors, noErrors, type FormErrors } from '../errors.ts';
import { DOCUMENT_TYPES, formForDocumentType, formForSchema, humanise } from '../forms/index.ts';
import { buildPayload } from '../forms/payload.ts';
import type { SchemaForm } from '../forms/schema-form.ts';
import { blankValues, one, valuesFromContent, valuesFromForm, type DocumentValues } from '../forms/values.ts';
import type { Content } from '../publishing-api-client.ts';
import { DONE } from './documents.ts';
import { documentSummary } from './summary.ts';

interface EditView {
  form: SchemaForm;
  values: DocumentValues;
  saved: Content | null;
  errors?: FormErrors;
  conflict?: FieldDiff[];
  preview?: boolean;
  done?: string;
}

/** The edit page: the form, and beside it what state the saved document is in and what can be done with it. */
function showEdit(deps: PageDeps, req: FastifyRequest, reply: FastifyReply, view: EditView, status = 200) {
  const { form, values, saved } = view;
  const errors = view.errors ?? noErrors();
  return render(deps, req, reply, 'edit.njk', {
    schema: form,
    values,
    errors,
    conflict: view.conflict,
    done: view.done,
    summary: saved ? documentSummary(deps, saved) : undefined,
    documentTypeItems: form.document_types.map((t) => ({ value: t, text: humanise(t), selected: t === values.document_type })),
    // Rendered exactly as the site renders it, so what the editor previews is what readers will see.
    preview: view.preview
      ? { body: renderMarkdown(values.body).html, parts: values.parts.map((p) => ({ title: p.title, html: renderMarkdown(p.body).html })) }
      : undefined,
  }, status);
}

async function savedContent(deps: PageDeps, id: string, requestId: string): Promise<Content | null> {
  const answer = await deps.api.get(id, requestId);
  if (answer.ok) return answer.body;
  if (answer.error.status === 404) return null;
  throw Object.assign(new Error(answer.error.message), { statusCode: answer.error.status });
}

const PART_ACTION = /^(remove|up|down)-part-(\d+)$/;

/** Adds, removes or moves a guide part in the editor's values; true when `action` was one of those. */
function changeParts(values: DocumentValues, action: string): boolean {
  if (action === 'add-part') {
    values.parts.push({ title: '', slug: '', body: '' });
    return true;
  }
  const m = PART_ACTION.exec(action);
  if (!m) return false;
  const i = Number(m[2]);
  const parts = values.parts;
  if (i >= parts.length) return true;
  if (m[1] === 'remove') parts.splice(i, 1);
  const j = m[1] === 'up' ? i - 1 : m[1] === 'down' ? i + 1 : -1;
  if (j >= 0 && j < parts.length) [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  return true;
}

/** Longer than any body an editor writes; a bigger post is not a preview request. */
const PREVIEW_LIMIT = 1_000_000;

export function registerEditing(app: FastifyInstance, deps: PageDeps): void {
  /**
   * The live preview's renderer: publisher.js posts a body as the editor types
   * and shows the answer under it. The same renderer as the site, so the
   * preview is what readers will see; the Preview button does the same without
   * JavaScript.
   */
  app.post<{ Body: Body }>('/markdown-preview', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'edit');
    const markdown = one(req.body ?? {}, 'markdown');
    if (markdown.length > PREVIEW_LIMIT) return reply.code(413).type('text/plain; charset=utf-8').send('The text is too long to preview.');
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderMarkdown(markdown).html);
  });

  app.get('/documents/new', async (req, reply) => {
    const documentType = one(req.query as Body, 'document_type');
    const form = formForDocumentType(documentType);
    if (!form) {
      const errors = noErrors();
      if (documentType) addError(errors, 'document_type', 'Select the type of document');
      return render(deps, req, reply, 'new.njk', {
        errors,
        typeItems: DOCUMENT_TYPES.map((t) => ({ value: t.value, text: humanise(t.value), hint: { text: t.schema.label } })),
      }, documentType ? 400 : 200);
    }
    // The new document's id is chosen now, so that saving twice cannot make two documents.
    return showEdit(deps, req, reply, { form, values: blankValues(randomUUID(), form.schema_name, documentType), saved: null });
  });

  app.get<{ Params: Params }>('/documents/:id', async (req, reply) => {
    const saved = await savedContent(deps, req.params.id, req.id);
    if (!saved) throw new NotFound();
    const form = formForSchema(saved.schema_name);
    if (!form) throw Object.assign(new Error(`Publisher cannot edit ${saved.schema_name} documents`), { statusCode: 400 });
    return showEdit(deps, req, reply, { form, values: valuesFromContent(saved), saved, done: DONE[one(req.query as Body, 'done')] });
  });

  /**
   * One form, several buttons: save, preview, and the guide's part controls.
   * Only save talks to the API; the others show the editor's own values again.
   */
  app.post<{ Params: Params; Body: Body }>('/documents/:id', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'edit');
    const id = req.params.id;
    const body = req.body ?? {};
    const values = valuesFromForm(id, body);
    const form = formForSchema(values.schema_name);
    if (!form || !form.document_types.includes(values.document_type)) {
      throw Object.assign(new Error('The form named a document type Publisher does not know'), { statusCode: 400 });
    }
    const action = one(body, 'action') || 'save';
    const saved = await savedContent(deps, id, req.id);
    if (action === 'preview') return showEdit(deps, req, reply, { form, values, saved, preview: true });
    if (changeParts(values, action)) return showEdit(deps, req, reply, { form, values, saved });

    const built = buildPayload(form, values, saved);
    if ('problem' in built) {
      const errors = noErrors();
      addError(errors, built.problem.field, built.problem.message);
      return showEdit(deps, req, reply, { form, values, saved, errors }, 422);
    }
    const answer = await deps.api.put(id, built.payload, asEditor(req));
    if (answer.ok) return reply.redirect(`/documents/${encodeURIComponent(id)}?done=saved`, 303);

    const { error } = answer;
    if (error.status === 409) {
      // Someone saved since this editor loaded the form: show them what changed, keep their text, and let them save over it knowingly.
      const current = await savedContent(deps, id, req.id);
      if (!current) throw new NotFound();
      const theirs = valuesFromContent(current);
      const conflict = diffFields(form.fields(theirs), form.fields(values));
      return showEdit(deps, req, reply, { form, values: { ...values, lock_version: current.lock_version }, saved: current, conflict }, 409);
    }
    return showEdit(deps, req, reply, { form, values, saved, errors: mapApiErrors(form, values, error.fields, error.message) }, 422);
  });
}
