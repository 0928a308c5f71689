import type { FastifyInstance } from 'fastify';
import { findApplication, SIGNIN } from '../applications.ts';
import { hasPermission } from '../users.ts';
import { currentUser, message, type Web } from './context.ts';

/**
 * Where the OAuth provider sends the browser when it needs a signed-in user:
 * without a signon session the user signs in first and comes back here;
 * with one, and with `signin` for the application asking, the provider
 * carries on to the application's callback.
 */
export function interactionRoutes(app: FastifyInstance, web: Web): void {
  app.get('/interaction/:uid', async (req, reply) => {
    const user = await currentUser(web, req);
    if (!user) return reply.redirect(`/users/sign_in?return_to=${encodeURIComponent(req.url)}`, 303);
    let clientId: string;
    try {
      const details = await web.provider.interactionDetails(req.raw, reply.raw);
      clientId = String(details.params.client_id);
    } catch {
      return message(web, reply, 400, 'This sign-in link has expired', 'Go back to the application and sign in again.');
    }
    if (!(await hasPermission(web.db, user.id, clientId, SIGNIN))) {
      const application = await findApplication(web.db, clientId);
      return message(web, reply, 403, 'You do not have access to this application',
        `Your account does not have permission to sign in to ${application?.name ?? clientId}. Ask an administrator for access.`);
    }
    reply.hijack();
    await web.provider.interactionFinished(req.raw, reply.raw, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
  });
}
