import type { FastifyInstance, FastifyReply } from 'fastify';
import { passwordLinkUser, usePasswordLink } from '../password-links.ts';
import { passwordProblem } from '../passwords.ts';
import { setPassword } from '../users.ts';
import { message, page, type Web } from './context.ts';

/** The page an invitation link opens: the invited user chooses their password, once. */
export function setPasswordRoutes(app: FastifyInstance, web: Web): void {
  const expired = (reply: FastifyReply) =>
    message(web, reply, 404, 'This link has expired or been used', 'Ask an administrator to send you a new invitation.');
  const form = (reply: FastifyReply, token: string, status = 200, errors: { field: string; text: string }[] = []) =>
    page(web, reply, status, 'set-password.njk', { title: 'Set your password', token, csrf: reply.generateCsrf(), errors });

  app.get('/users/set_password/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    if (!(await passwordLinkUser(web.db, token, new Date(web.now())))) return expired(reply);
    return form(reply, token);
  });

  app.post('/users/set_password/:token', { preHandler: app.csrfProtection }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const now = new Date(web.now());
    const userId = await passwordLinkUser(web.db, token, now);
    if (!userId) return expired(reply);
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const password = body.password ?? '';
    const problem = password ? passwordProblem(password) : 'Enter a password';
    if (problem) return form(reply, token, 400, [{ field: 'password', text: problem }]);
    if (password !== body.confirmation) return form(reply, token, 400, [{ field: 'confirmation', text: 'The passwords do not match' }]);
    if (!(await usePasswordLink(web.db, token, now))) return expired(reply);
    await setPassword(web.db, userId, password);
    return reply.redirect('/users/sign_in', 303);
  });
}
