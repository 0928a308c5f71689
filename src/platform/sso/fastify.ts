import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api.ts';
import { AUTH_PATHS, SsoUnavailableError, type Sso, type SsoAnswer } from './client.ts';

function send(reply: FastifyReply, answer: SsoAnswer): FastifyReply {
  reply.code(answer.status).header('cache-control', 'no-store');
  if (answer.location) reply.header('location', answer.location);
  if (answer.setCookie.length) reply.header('set-cookie', answer.setCookie);
  return reply.type('text/plain; charset=utf-8').send(answer.body ?? '');
}

async function step(reply: FastifyReply, run: () => Promise<SsoAnswer>): Promise<FastifyReply> {
  try {
    return send(reply, await run());
  } catch (err) {
    if (err instanceof SsoUnavailableError) throw new ApiError(503, 'signon_unavailable', 'Signon cannot be reached; try again shortly');
    throw err;
  }
}

/** The sign-in flow's routes on a Fastify app; pages then call `sso.currentUser(request)`. */
export function registerSsoRoutes(app: FastifyInstance, sso: Sso): void {
  app.get(AUTH_PATHS.login, (req: FastifyRequest<{ Querystring: { return_to?: string } }>, reply) =>
    step(reply, () => sso.login(req.query.return_to ?? '/')));
  app.get(AUTH_PATHS.callback, (req, reply) => step(reply, () => sso.callback(req.url, req)));
  // POST as well, so a sign-out button in a form works; a GET link works too.
  app.route({ method: ['GET', 'POST'], url: AUTH_PATHS.logout, handler: (req, reply) => step(reply, () => sso.logout(req)) });
}
