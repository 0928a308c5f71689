import type { FastifyInstance } from 'fastify';
import { NotFound, render, requireAbility, type PageDeps, type Params } from '../context.ts';
import { PreviewLinkUnavailable } from '../preview-links.ts';
import { documentSummary } from './summary.ts';

/** A link that shows the draft to someone without an account, made by the authenticating proxy from the draft's preview key. */
export function registerPreviewLink(app: FastifyInstance, deps: PageDeps): void {
  app.post<{ Params: Params }>('/documents/:id/preview-link', { preHandler: app.csrfProtection }, async (req, reply) => {
    requireAbility(req, 'edit');
    const answer = await deps.api.get(req.params.id, req.id);
    if (!answer.ok) throw new NotFound();
    const content = answer.body;
    const key = content.auth_bypass_ids?.[0];
    const summary = documentSummary(deps, content);
    if (content.publication_state !== 'draft' || !key || !content.base_path) {
      return render(deps, req, reply, 'preview-link.njk', { summary, problem: 'Only a draft saved in Publisher can be shared. Save the draft, then make a preview link.' }, 422);
    }
    try {
      const link = await deps.previewLinks.create({ auth_bypass_id: key, base_path: content.base_path }, req.id, await deps.accessToken(req));
      return render(deps, req, reply, 'preview-link.njk', { summary, link });
    } catch (err) {
      if (!(err instanceof PreviewLinkUnavailable)) throw err;
      req.log.warn({ err }, 'preview link not made');
      return render(deps, req, reply, 'preview-link.njk', { summary, problem: 'The preview link could not be made: the draft site did not answer. Try again in a few minutes.' }, 503);
    }
  });
}
