// A signon on a real port over a fresh database, and a cookie-keeping
// browser stand-in, for the signon tests.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { SignonConfig } from '../platform/config.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { freePorts } from '../../test/support/ports.ts';
import { createSignon, type SignonService } from './index.ts';
import { migrateSignon } from './schema.ts';

export const CLIENT_SECRET = 'publisher-test-secret-0123456789';
export const APP_URL = 'http://app.test';
export const PASSWORD = 'correct horse battery';

export interface TestSignon {
  t: TestDb;
  signon: SignonService;
  url: string;
  /** The clock the lockout and codes read; tests move it. */
  clock: { now: number };
  close(): Promise<void>;
}

export async function startTestSignon(over: Partial<SignonConfig> = {}, redisUrl?: string): Promise<TestSignon> {
  const t = await openTestDb();
  await migrateSignon(t.db);
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const clock = { now: Date.now() };
  const signon = await createSignon({
    db: t.db,
    log: silentLogger(),
    redisUrl,
    now: () => clock.now,
    config: {
      url,
      clientSecrets: { publisher: CLIENT_SECRET },
      appUrls: { publisher: APP_URL },
      sessionSecret: 'a-test-session-secret-of-32-bytes-or-more',
      sessionIdleMs: 30 * 60_000,
      lockout: { maxAttempts: 5, lockMs: 15 * 60_000 },
      apiTokenTtlMs: 365 * 24 * 3_600_000,
      ...over,
    },
  });
  await signon.start(port!, '127.0.0.1');
  return {
    t,
    signon,
    url,
    clock,
    async close() {
      await signon.stop();
      await t.close();
    },
  };
}

type Fields = Record<string, string> | [string, string][];

export interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

/** A browser: keeps cookies by name (enough for one site), never follows redirects. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(path: string, init: { method?: string; form?: Fields } = {}): Promise<Answer> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { accept: 'text/html', cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, location: location && new URL(location, url).href, body: await res.text() };
  }

  get(path: string) {
    return this.request(path);
  }

  /** Submits the form on the page at `path` with its CSRF token; pairs repeat a field, as ticked checkboxes do. */
  async submit(path: string, action: string, fields: Fields): Promise<Answer> {
    const form = await this.get(path);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    if (!csrf) throw new Error(`no CSRF token on ${path} (status ${form.status})`);
    const returnTo = /name="return_to" value="([^"]*)"/.exec(form.body)?.[1];
    const pairs: [string, string][] = [['_csrf', csrf], ...(returnTo !== undefined ? [['return_to', decodeHtml(returnTo)] as [string, string]] : []), ...(Array.isArray(fields) ? fields : Object.entries(fields))];
    return this.request(action, { form: pairs });
  }
}

function decodeHtml(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export const REDIRECT_URI = `${APP_URL}/auth/callback`;

/** The publisher's view of signon, as an app configures openid-client. */
export function discover(s: TestSignon): Promise<client.Configuration> {
  return client.discovery(new URL(s.url), 'publisher', undefined, client.ClientSecretBasic(CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
}

/** The whole browser journey: authorize, sign in on signon's form, and back to the app's callback with a code. */
export async function signInThroughProvider(s: TestSignon, email: string, config: client.Configuration) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorize = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const browser = new Browser(s.url);
  const toInteraction = await browser.get(authorize.href);
  assert.equal(toInteraction.status, 303);
  assert.match(toInteraction.location!, /\/interaction\//);
  const toSignIn = await browser.get(toInteraction.location!);
  assert.match(toSignIn.location!, /\/users\/sign_in\?return_to=/);
  const signedIn = await browser.submit(toSignIn.location!, '/users/sign_in', { email, password: PASSWORD });
  assert.equal(signedIn.status, 303, signedIn.body);
  let next = signedIn.location!;
  for (let hops = 0; !next.startsWith(APP_URL); hops++) {
    assert.ok(hops < 5, `too many redirects, at ${next}`);
    const answer = await browser.get(next);
    assert.equal(answer.status, 303, `${next}: ${answer.body}`);
    next = answer.location!;
  }
  return { callback: new URL(next), verifier, state, browser };
}
