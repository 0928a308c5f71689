import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A stand-in for signon in tests: just enough OpenID Connect (discovery,
 * authorization code with PKCE, refresh, JWKS) and `/user.json`, with users a
 * test can suspend and tokens it can revoke. `/oauth/authorize` signs in
 * whoever `signInAs` named, without a form.
 */
export interface FakeUser {
  uid: string;
  name?: string;
  email?: string;
  organisation_slug?: string | null;
  /** Permissions per application slug. */
  permissions: Record<string, string[]>;
  disabled?: boolean;
}

export interface FakeSignon {
  url: string;
  clientSecret: string;
  users: Map<string, FakeUser>;
  /** `/user.json` requests answered so far. */
  userJsonCalls: number;
  /** Whom the next authorization signs in. */
  signInAs(uid: string): void;
  /** A bearer token as signon gives an API user (or an app acting for its user), for `clientId`'s permissions. */
  issueToken(uid: string, clientId: string): string;
  /** Every access token of the user stops working, as on sign-out everywhere or suspension. */
  revokeTokens(uid: string): void;
  /** `/user.json` answers 503 while true. */
  down: boolean;
  close(): Promise<void>;
}

interface Grant {
  uid: string;
  clientId: string;
  nonce?: string;
  challenge?: string;
  redirectUri?: string;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startFakeSignon({ clientSecret = 'test-client-secret' } = {}): Promise<FakeSignon> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Grant>();
  const accessTokens = new Map<string, Grant>();
  const refreshTokens = new Map<string, Grant>();
  const users = new Map<string, FakeUser>();
  let nextUid: string | undefined;
  let issuer = '';
  const random = () => randomBytes(24).toString('base64url');

  const idToken = (key: CryptoKey, grant: Grant) =>
    new SignJWT({ nonce: grant.nonce })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(grant.clientId)
      .setSubject(grant.uid)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);

  const issue = async (grant: Grant, withIdToken: boolean) => {
    const access = random();
    const refresh = random();
    accessTokens.set(access, grant);
    refreshTokens.set(refresh, grant);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 7200,
      refresh_token: refresh,
      ...(withIdToken ? { id_token: await idToken(privateKey, grant) } : {}),
    };
  };

  const fake: FakeSignon = {
    url: '',
    clientSecret,
    users,
    userJsonCalls: 0,
    down: false,
    signInAs(uid) {
      nextUid = uid;
    },
    issueToken(uid, clientId) {
      const token = random();
      accessTokens.set(token, { uid, clientId });
      return token;
    },
    revokeTokens(uid) {
      for (const map of [accessTokens, refreshTokens]) for (const [t, g] of map) if (g.uid === uid) map.delete(t);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/oauth/authorize`,
          token_endpoint: `${issuer}/oauth/token`,
          jwks_uri: `${issuer}/oauth/jwks`,
          end_session_endpoint: `${issuer}/oauth/logout`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
        });
      case '/oauth/jwks':
        return json(res, 200, { keys: [jwk] });
      case '/oauth/authorize': {
        const q = url.searchParams;
        const redirect = new URL(q.get('redirect_uri') ?? '');
        redirect.searchParams.set('state', q.get('state') ?? '');
        const user = nextUid ? users.get(nextUid) : undefined;
        const clientId = q.get('client_id') ?? '';
        if (!user || user.disabled || !user.permissions[clientId]?.includes('signin')) {
          redirect.searchParams.set('error', 'access_denied');
        } else {
          const code = random();
          codes.set(code, { uid: user.uid, clientId, nonce: q.get('nonce') ?? undefined, challenge: q.get('code_challenge') ?? undefined, redirectUri: redirect.origin + redirect.pathname });
          redirect.searchParams.set('code', code);
        }
        res.writeHead(302, { location: redirect.href });
        return res.end();
      }
      case '/oauth/token': {
        const form = await readForm(req);
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent) : [];
        if (secret !== clientSecret) return json(res, 401, { error: 'invalid_client' });
        if (form.get('grant_type') === 'refresh_token') {
          const grant = refreshTokens.get(form.get('refresh_token') ?? '');
          if (!grant || grant.clientId !== id) return json(res, 400, { error: 'invalid_grant' });
          refreshTokens.delete(form.get('refresh_token')!);
          return json(res, 200, await issue(grant, false));
        }
        const code = form.get('code') ?? '';
        const grant = codes.get(code);
        codes.delete(code);
        const verifier = form.get('code_verifier') ?? '';
        if (!grant || grant.clientId !== id || grant.redirectUri !== form.get('redirect_uri') ||
          createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        return json(res, 200, await issue(grant, true));
      }
      case '/user.json': {
        fake.userJsonCalls++;
        if (fake.down) return json(res, 503, { error: 'down' });
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const grant = accessTokens.get(token);
        const user = grant && users.get(grant.uid);
        if (!grant || !user) return json(res, 401, { error: 'invalid_token' });
        return json(res, 200, {
          user: {
            uid: user.uid,
            name: user.name ?? 'Test User',
            email: user.email ?? 'test@example.org',
            organisation_slug: user.organisation_slug ?? null,
            permissions: user.disabled ? [] : user.permissions[grant.clientId] ?? [],
            disabled: user.disabled ?? false,
          },
        });
      }
      default:
        return json(res, 404, { error: 'not_found' });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = issuer;
  return fake;
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a browser would send them back. */
export function cookiesFrom(res: Response, jar: Map<string, string> = new Map()): Map<string, string> {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (/Max-Age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/**
 * Walks an app's sign-in as a browser would: the app's login, signon's
 * authorize, the app's callback. Resolves to the cookie jar afterwards and the
 * callback's answer.
 */
export async function signIn(appUrl: string, signon: FakeSignon, uid: string, returnTo = '/'): Promise<{ jar: Map<string, string>; callback: Response }> {
  signon.signInAs(uid);
  const jar = new Map<string, string>();
  const login = await fetch(`${appUrl}/auth/login?return_to=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  cookiesFrom(login, jar);
  const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  const callback = await fetch(authorize.headers.get('location')!, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
  cookiesFrom(callback, jar);
  return { jar, callback };
}
