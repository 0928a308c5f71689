import { randomBytes } from 'node:crypto';
import type { SessionStore } from '../platform/sessions/index.ts';

/**
 * Where a sign-in has got to. A session is worth nothing until `stage` is
 * `signed-in`: after the password, a user with two-step verification still
 * owes a code, and one who must set it up owes the enrolment.
 */
export interface SignInSession {
  userId: string;
  stage: 'signed-in' | 'verify-otp' | 'enrol-otp';
  /** The secret being enrolled, kept here until the user proves their app has it. */
  pendingOtpSecret?: string;
  /** A path on signon to go to once signed in (an OAuth interaction, an admin page). */
  returnTo: string;
}

export const SESSION_COOKIE = 'portico_signon_session';

export interface SignInSessions {
  create(session: SignInSession): Promise<string>;
  /** The session under `id`, its idle timer restarted; undefined when unknown or idle too long. */
  get(id: string | undefined): Promise<SignInSession | undefined>;
  update(id: string, session: SignInSession): Promise<void>;
  destroy(id: string | undefined): Promise<void>;
}

const key = (id: string) => `signon:session:${id}`;

/** Sessions that end after `idleMs` without a request. Ids are 256 random bits, so they cannot be guessed. */
export function signInSessions(store: SessionStore, idleMs: number): SignInSessions {
  return {
    async create(session) {
      const id = randomBytes(32).toString('base64url');
      await store.set(key(id), session, idleMs);
      return id;
    },
    async get(id) {
      if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
      const session = await store.get<SignInSession>(key(id));
      if (session) await store.set(key(id), session, idleMs);
      return session;
    },
    async update(id, session) {
      await store.set(key(id), session, idleMs);
    },
    async destroy(id) {
      if (id) await store.delete(key(id));
    },
  };
}
