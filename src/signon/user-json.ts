import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { ApiError } from '../platform/api.ts';
import { bearerToken } from '../platform/auth.ts';
import type { Db } from '../platform/db/index.ts';
import { API_TOKEN_PREFIX, findLiveToken } from './tokens.ts';
import { findUser, permissionsOf } from './users.ts';

/** The body of `GET /user.json`: gds-sso's shape, with the permissions of the calling application only. */
export interface UserJson {
  user: {
    uid: string;
    name: string;
    email: string;
    organisation_slug: string | null;
    permissions: string[];
    disabled: boolean;
  };
}

/**
 * Who a bearer token acts for, and in which application: an access token the
 * provider issued to an app for its user, or an API user's token made for an
 * application (none: no application's permissions).
 */
async function tokenHolder(db: Db, provider: Provider, token: string, now: number): Promise<{ userId: string; clientId: string | null } | undefined> {
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const api = await findLiveToken(db, token, new Date(now));
    return api && { userId: api.userId, clientId: api.application };
  }
  const accessToken = await provider.AccessToken.find(token);
  if (!accessToken?.accountId || !accessToken.clientId || accessToken.isExpired) return undefined;
  return { userId: accessToken.accountId, clientId: accessToken.clientId };
}

/**
 * `GET /user.json` with an access token as bearer: who the token's user is
 * now, and what they may do in the application the token was issued to.
 * Read afresh each time, so an app that asks every minute sees a revoked
 * permission within a minute; a suspended user's tokens are refused at once.
 */
export function userJsonRoute(app: FastifyInstance, db: Db, provider: Provider, now: () => number): void {
  app.get('/user.json', async (req, reply): Promise<UserJson> => {
    reply.header('cache-control', 'no-store');
    const token = bearerToken(req.headers.authorization);
    const unauthenticated = (why: string) => {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return new ApiError(401, 'unauthenticated', why);
    };
    if (!token) throw unauthenticated('Send the access token: Authorization: Bearer <token>');
    const holder = await tokenHolder(db, provider, token, now());
    if (!holder) throw unauthenticated('The access token is unknown, expired or revoked');
    const { userId, clientId } = holder;
    const asked = (req.query as { client_id?: string }).client_id;
    if (asked !== undefined && asked !== clientId) throw unauthenticated(`The access token was not issued to ${asked}`);
    const user = await findUser(db, userId);
    if (!user || user.suspendedAt) throw unauthenticated('The user is suspended');
    const permissions = clientId ? ((await permissionsOf(db, user.id))[clientId] ?? []) : [];
    return { user: { uid: user.id, name: user.name, email: user.email, organisation_slug: user.organisationSlug, permissions, disabled: false } };
  });
}
