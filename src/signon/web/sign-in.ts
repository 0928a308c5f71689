import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listApplications, SIGNIN } from '../applications.ts';
import { lockedUntil, recordFailure, recordSuccess } from '../lockout.ts';
import { burnPasswordCheck, verifyPassword } from '../passwords.ts';
import { SESSION_COOKIE, type SignInSession } from '../sign-in-sessions.ts';
import { acceptOtp, newOtpSecret, otpSecretOf, otpUri, setOtpSecret } from '../totp.ts';
import { findUser, findUserByEmail, passwordHashOf, permissionsOf, type User } from '../users.ts';
import { currentUser, isSignonAdmin, message, page, safeReturnTo, sessionCookieOptions, sessionOf, type Web } from './context.ts';

type Form = Record<string, string | undefined>;

const WRONG = 'Enter a correct email address and password';

function lockedMessage(until: Date): string {
  return `Your account is locked after too many failed attempts. Try again after ${until.toISOString().slice(11, 16)} UTC.`;
}

/** Sign-in, two-step verification, sign-out and the signed-in home page. */
export function signInRoutes(app: FastifyInstance, web: Web): void {
  const csrf = { preHandler: app.csrfProtection };

  /** Where a session goes next: the outstanding step, or where the user was going. */
  const next = (reply: FastifyReply, session: SignInSession) => {
    if (session.stage === 'verify-otp') return reply.redirect('/users/two_step_verification', 303);
    if (session.stage === 'enrol-otp') return reply.redirect('/users/two_step_verification/set_up', 303);
    return reply.redirect(session.returnTo, 303);
  };

  app.get('/', async (req, reply) => {
    const user = await currentUser(web, req);
    if (!user) return reply.redirect('/users/sign_in', 303);
    const perms = await permissionsOf(web.db, user.id);
    const apps = (await listApplications(web.db))
      .filter((a) => perms[a.slug]?.includes(SIGNIN))
      .map((a) => ({ name: a.name, url: web.appUrls[a.slug] }));
    return page(web, reply, 200, 'home.njk', { title: 'Your applications', user, apps, csrf: reply.generateCsrf(), isAdmin: await isSignonAdmin(web, user) });
  });

  app.get('/users/sign_in', async (req, reply) => {
    const returnTo = safeReturnTo((req.query as Form).return_to);
    if (await currentUser(web, req)) return reply.redirect(returnTo, 303);
    return page(web, reply, 200, 'sign-in.njk', { title: 'Sign in', returnTo, csrf: reply.generateCsrf() });
  });

  app.post('/users/sign_in', csrf, async (req, reply) => {
    const form = (req.body ?? {}) as Form;
    const email = (form.email ?? '').trim();
    const password = form.password ?? '';
    const returnTo = safeReturnTo(form.return_to);
    const again = (status: number, errors: { field: string; text: string }[]) =>
      page(web, reply, status, 'sign-in.njk', { title: 'Sign in', returnTo, email, errors, csrf: reply.generateCsrf() });

    const missing = [
      ...(email ? [] : [{ field: 'email', text: 'Enter your email address' }]),
      ...(password ? [] : [{ field: 'password', text: 'Enter your password' }]),
    ];
    if (missing.length) return again(400, missing);

    const now = new Date(web.now());
    const user = await findUserByEmail(web.db, email);
    const hash = user && (await passwordHashOf(web.db, user.id));
    if (!user || !hash) {
      await burnPasswordCheck(password);
      return again(401, [{ field: 'email', text: WRONG }]);
    }
    // Checked before the password, so a locked account cannot be guessed at.
    const locked = await lockedUntil(web.db, user.id, now);
    if (locked) return again(423, [{ field: 'email', text: lockedMessage(locked) }]);
    if (!(await verifyPassword(hash, password))) {
      const nowLocked = await recordFailure(web.db, user.id, web.lockout, now);
      return again(nowLocked ? 423 : 401, [{ field: 'email', text: nowLocked ? lockedMessage(nowLocked) : WRONG }]);
    }
    if (user.suspendedAt) return again(403, [{ field: 'email', text: 'Your account has been suspended. Ask an administrator to restore it.' }]);
    await recordSuccess(web.db, user.id);

    let session: SignInSession;
    if (user.otpEnrolled) session = { userId: user.id, stage: 'verify-otp', returnTo };
    // Two-step verification is required of anyone who can administer signon.
    else if (await isSignonAdmin(web, user)) session = { userId: user.id, stage: 'enrol-otp', pendingOtpSecret: newOtpSecret(), returnTo };
    else session = { userId: user.id, stage: 'signed-in', returnTo };
    // A new id at every sign-in, so a session id planted before it is worthless after.
    await web.sessions.destroy(req.cookies[SESSION_COOKIE]);
    reply.setCookie(SESSION_COOKIE, await web.sessions.create(session), sessionCookieOptions(web));
    return next(reply, session);
  });

  /** The session half-way through sign-in at `stage`, with its user; else the caller is sent back to the start. */
  const pending = async (req: FastifyRequest, stage: SignInSession['stage']) => {
    const found = await sessionOf(web, req);
    if (!found || found.session.stage !== stage) return undefined;
    const user = await findUser(web.db, found.session.userId);
    return user && !user.suspendedAt ? { ...found, user } : undefined;
  };

  /** Checks a code; a wrong one counts towards the lockout as a wrong password does. */
  const checkCode = async (user: User, secret: string, code: string): Promise<string | undefined> => {
    const now = new Date(web.now());
    const locked = await lockedUntil(web.db, user.id, now);
    if (locked) return lockedMessage(locked);
    if (!code.trim()) return 'Enter the 6-digit code from your authenticator app';
    if (await acceptOtp(web.db, user.id, secret, code, now.getTime())) {
      await recordSuccess(web.db, user.id);
      return undefined;
    }
    const nowLocked = await recordFailure(web.db, user.id, web.lockout, now);
    return nowLocked ? lockedMessage(nowLocked) : 'The code is not right or has expired: enter the code your app shows now';
  };

  app.get('/users/two_step_verification', async (req, reply) => {
    if (!(await pending(req, 'verify-otp'))) return reply.redirect('/users/sign_in', 303);
    return page(web, reply, 200, 'otp-verify.njk', { title: 'Enter your verification code', csrf: reply.generateCsrf() });
  });

  app.post('/users/two_step_verification', csrf, async (req, reply) => {
    const p = await pending(req, 'verify-otp');
    if (!p) return reply.redirect('/users/sign_in', 303);
    const secret = await otpSecretOf(web.db, p.user.id);
    const problem = secret ? await checkCode(p.user, secret, (req.body as Form).code ?? '') : 'Two-step verification is not set up';
    if (problem) return page(web, reply, 401, 'otp-verify.njk', { title: 'Enter your verification code', errors: [{ field: 'code', text: problem }], csrf: reply.generateCsrf() });
    const session: SignInSession = { userId: p.user.id, stage: 'signed-in', returnTo: p.session.returnTo };
    await web.sessions.update(p.id, session);
    return next(reply, session);
  });

  const setUpPage = (reply: FastifyReply, user: User, secret: string, status = 200, problem?: string) =>
    page(web, reply, status, 'otp-set-up.njk', {
      title: 'Set up two-step verification',
      secret,
      uri: otpUri(secret, user.email),
      csrf: reply.generateCsrf(),
      errors: problem ? [{ field: 'code', text: problem }] : [],
    });

  app.get('/users/two_step_verification/set_up', async (req, reply) => {
    const p = await pending(req, 'enrol-otp');
    if (!p) return reply.redirect('/users/sign_in', 303);
    return setUpPage(reply, p.user, p.session.pendingOtpSecret!);
  });

  app.post('/users/two_step_verification/set_up', csrf, async (req, reply) => {
    const p = await pending(req, 'enrol-otp');
    if (!p) return reply.redirect('/users/sign_in', 303);
    const secret = p.session.pendingOtpSecret!;
    const problem = await checkCode(p.user, secret, (req.body as Form).code ?? '');
    if (problem) return setUpPage(reply, p.user, secret, 401, problem);
    await setOtpSecret(web.db, p.user.id, secret);
    const session: SignInSession = { userId: p.user.id, stage: 'signed-in', returnTo: p.session.returnTo };
    await web.sessions.update(p.id, session);
    return next(reply, session);
  });

  app.post('/users/sign_out', csrf, async (req, reply) => {
    await web.sessions.destroy(req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(web));
    // The provider's own session would otherwise sign the user straight back in to the next app that asks.
    const providerSession = await web.provider.Session.get(web.provider.app.createContext(req.raw, reply.raw) as never);
    await providerSession.destroy();
    return message(web, reply, 200, 'You have signed out', 'You have signed out of Portico. Close the browser to sign out of every application, or sign in again.');
  });
}
