import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createApi, type Api } from '../platform/api.ts';
import type { Logger } from '../platform/log.ts';
import { SsoUnavailableError } from '../platform/sso/client.ts';
import { assetHandler, type Assets } from '../platform/ui/assets.ts';
import { Forbidden, NotFound, type PageDeps } from './context.ts';
import { PublishingApiUnavailable } from './publishing-api-client.ts';
import { registerDocumentList } from './routes/documents.ts';
import { registerEditing } from './routes/edit.ts';
import { registerHistory } from './routes/history.ts';
import { registerLifecycle } from './routes/lifecycle.ts';
import { registerPreviewLink } from './routes/preview-link.ts';
import { registerTags } from './routes/tags.ts';
import { can, type CurrentUser } from './users.ts';

export interface PublisherAuth {
  currentUser: CurrentUser;
  /** Where someone not signed in is sent, with `?return_to=<path>`; without one they get a 401 page. */
  signInPath?: string;
  signOutPath?: string;
  /** The editor's signon access token, forwarded to the authenticating proxy when making a preview link. */
  accessToken?: (request: FastifyRequest) => Promise<string | undefined>;
  /** Routes the sign-in needs on this app (its callback), outside the pages that require an editor. */
  routes?: (app: FastifyInstance) => void;
}

export interface PublisherAppOptions extends Omit<PageDeps, 'views' | 'signOutPath' | 'accessToken'> {
  log: Logger;
  views: PageDeps['views'];
  assets: Assets;
  auth: PublisherAuth;
  /** Send the CSRF cookie only over HTTPS; off for plain-HTTP local runs. */
  secureCookies?: boolean;
}

/** The editors' app: every page needs a signed-in editor, every form a CSRF token, and the Publishing API does the work. */
export function createPublisherApp(opts: PublisherAppOptions): Api {
  const api = createApi({ name: 'publisher', log: opts.log });
  const { app } = api;
  const deps: PageDeps = { ...opts, signOutPath: opts.auth.signOutPath, accessToken: opts.auth.accessToken ?? (async () => undefined) };

  app.register(fastifyFormbody);
  app.register(fastifyCookie);
  app.register(fastifyCsrf, { cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.secureCookies ?? false } });
  app.get('/assets/:hash/*', assetHandler(opts.assets));
  opts.auth.routes?.(app);

  const errorPage = (req: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(opts.views.render('error.njk', { title, message, user: req.editor, signOutPath: opts.auth.signOutPath }));

  app.register(async (pages) => {
    pages.addHook('onRequest', async (req, reply) => {
      const user = await opts.auth.currentUser(req);
      if (!user) {
        if (opts.auth.signInPath) return reply.redirect(`${opts.auth.signInPath}?return_to=${encodeURIComponent(req.url)}`, 302);
        return errorPage(req, reply, 401, 'Sign in to use Publisher', 'You are not signed in.');
      }
      req.editor = user;
      if (!can(user, 'edit')) throw new Forbidden('edit');
    });

    pages.setErrorHandler((err: FastifyError, req, reply) => {
      if (err instanceof Forbidden) return errorPage(req, reply, 403, 'You cannot do that', err.message);
      if (err instanceof NotFound) return errorPage(req, reply, 404, 'Page not found', err.message);
      if (err.code?.startsWith('FST_CSRF')) {
        return errorPage(req, reply, 403, 'The form has expired', 'The form was not sent from this page, or it has expired. Go back, reload the page and try again; what you typed may need entering again.');
      }
      if (err instanceof PublishingApiUnavailable || err instanceof SsoUnavailableError) {
        req.log.warn({ err }, 'a service publisher depends on is unavailable');
        return errorPage(req, reply, 503, 'Sorry, there is a problem with the service', 'Publisher cannot reach the services it needs. Go back and try again in a few minutes; nothing has been lost that was already saved.');
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return errorPage(req, reply, err.statusCode, 'There is a problem', err.message);
      req.log.error({ err }, 'page failed');
      return errorPage(req, reply, 500, 'Sorry, there is a problem with the service', 'Something went wrong. Try again later.');
    });

    registerDocumentList(pages, deps);
    registerEditing(pages, deps);
    registerTags(pages, deps);
    registerLifecycle(pages, deps);
    registerHistory(pages, deps);
    registerPreviewLink(pages, deps);
  });
  return api;
}
