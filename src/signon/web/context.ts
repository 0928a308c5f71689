import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Db } from '../../platform/db/index.ts';
import type { LockoutPolicy } from '../lockout.ts';
import { SESSION_COOKIE, type SignInSession, type SignInSessions } from '../sign-in-sessions.ts';
import { findUser, hasPermission, type User } from '../users.ts';
import type { FieldError, Views } from '../views.ts';

/** What signon's pages are built from. */
export interface Web {
  db: Db;
  /** Signon's public origin, for links shown to be sent elsewhere. */
  issuer: string;
  views: Views;
  sessions: SignInSessions;
  provider: Provider;
  lockout: LockoutPolicy;
  /** Each application's public origin, for the links on the home page. */
  appUrls: Record<string, string>;
  /** Cookies are Secure when signon is served over https. */
  secureCookies: boolean;
  now: () => number;
}

/** Only a path on signon itself: an absolute or protocol-relative URL would make sign-in an open redirect. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

export function sessionCookieOptions(web: Web) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: web.secureCookies };
}

export async function sessionOf(web: Web, req: FastifyRequest): Promise<{ id: string; session: SignInSession } | undefined> {
  const id = req.cookies[SESSION_COOKIE];
  const session = await web.sessions.get(id);
  return session && id ? { id, session } : undefined;
}

/**
 * The signed-in user, looked up afresh on every request so a suspension
 * ends their session at once; a suspended user's session is deleted.
 */
export async function currentUser(web: Web, req: FastifyRequest): Promise<User | undefined> {
  const found = await sessionOf(web, req);
  if (!found || found.session.stage !== 'signed-in') return undefined;
  const user = await findUser(web.db, found.session.userId);
  if (!user || user.suspendedAt) {
    await web.sessions.destroy(found.id);
    return undefined;
  }
  return user;
}

export function isSignonAdmin(web: Web, user: User): Promise<boolean> {
  return hasPermission(web.db, user.id, 'signon', 'admin');
}

export function page(web: Web, reply: FastifyReply, status: number, template: string, context: Record<string, unknown> & { title: string; errors?: FieldError[] }) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .send(web.views.render(template, context));
}

export function message(web: Web, reply: FastifyReply, status: number, title: string, ...paragraphs: string[]) {
  return page(web, reply, status, 'message.njk', { title, paragraphs });
}
