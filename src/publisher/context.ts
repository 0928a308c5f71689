import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PreviewLinks } from './preview-links.ts';
import type { PublishingApi, WriteContext } from './publishing-api-client.ts';
import { can, type Ability, type User } from './users.ts';
import type { Views } from './views.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in editor; every page of the app has one. */
    editor?: User;
  }
}

/** What every page of the app works with. */
export interface PageDeps {
  api: PublishingApi;
  previewLinks: PreviewLinks;
  views: Views;
  /** The draft stack's origin, where an editor previews a saved draft. */
  draftOriginUrl: string;
  /** Where the editor signs out, shown in the header. */
  signOutPath?: string;
  accessToken: (request: FastifyRequest) => Promise<string | undefined>;
}

/** Renders a template with what every page shows: the editor, what they may do, and a CSRF token for its forms. */
export function render(deps: PageDeps, req: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
  const user = req.editor!;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .send(
      deps.views.render(template, {
        ...data,
        user,
        canPublish: can(user, 'publish'),
        csrfToken: reply.generateCsrf(),
        signOutPath: deps.signOutPath,
      }),
    );
}

/** Thrown by a page an editor may not use: answered with a 403 page naming what is missing. */
export class Forbidden extends Error {
  constructor(readonly ability: Ability) {
    super(ability === 'publish' ? 'Only managing editors can publish, unpublish or discard drafts' : 'You do not have permission to edit in Publisher');
    this.name = 'Forbidden';
  }
}

/** A write to the Publishing API made for the signed-in editor, so it records them and not only this app. */
export function asEditor(req: FastifyRequest): WriteContext {
  const { uid, name } = req.editor!;
  return { requestId: req.id, user: { uid, name } };
}

export function requireAbility(req: FastifyRequest, ability: Ability): void {
  if (!can(req.editor!, ability)) throw new Forbidden(ability);
}

/** The page that answers for a document the API does not have. */
export class NotFound extends Error {
  constructor() {
    super('There is no document at this address');
    this.name = 'NotFound';
  }
}

export type Params = { id: string };
export type Body = Record<string, string | string[] | undefined>;
