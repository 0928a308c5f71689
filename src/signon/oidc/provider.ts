import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider, { type ClientMetadata, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../../platform/db/index.ts';
import type { Logger } from '../../platform/log.ts';
import type { SessionStore } from '../../platform/sessions/index.ts';
import { generatedSecret } from '../generated-secrets.ts';
import { findUser } from '../users.ts';
import { sessionStoreAdapter } from './adapter.ts';

/** Where the provider's endpoints live; GOV.UK's apps know `/oauth/authorize` and `/oauth/token`. */
export const OIDC_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  jwks: '/oauth/jwks',
  userinfo: '/oauth/userinfo',
  end_session: '/oauth/logout',
  revocation: '/oauth/revoke',
} as const;

/** Paths the provider answers; everything else is signon's own. */
export const OIDC_PATH_PREFIXES = ['/oauth/', '/.well-known/'] as const;

/** Where an app's browser comes back to after signing in: `<app origin>` + this. */
export const CALLBACK_PATH = '/auth/callback';

export const ACCESS_TOKEN_TTL_SECONDS = 2 * 3600;

export interface OidcClient {
  /** The application slug. */
  clientId: string;
  clientSecret: string;
  /** The app's public origin. */
  appUrl: string;
}

export interface OidcOptions {
  issuer: string;
  db: Db;
  store: SessionStore;
  clients: OidcClient[];
  /** Keys oidc-provider signs its cookies with. */
  cookieKeys: string[];
  log: Logger;
}

/** The RS256 key ID tokens are signed with, made once per database so every signon process signs alike. */
async function signingKey(db: Db): Promise<JWK> {
  return generatedSecret(db, 'oidc-signing-key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' } as JWK;
  });
}

function clientMetadata(c: OidcClient): ClientMetadata {
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    redirect_uris: [`${c.appUrl}${CALLBACK_PATH}`],
    post_logout_redirect_uris: [`${c.appUrl}/`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/**
 * The OpenID Connect provider: authorization code flow with PKCE for every
 * client, opaque access tokens, refresh tokens, and no consent screen (every
 * client is one of Portico's own apps). Sign-in itself is signon's page: the
 * provider sends the browser to `/interaction/<uid>`, which hands over to it.
 */
export async function createOidcProvider(opts: OidcOptions): Promise<Provider> {
  const configuration: Configuration = {
    adapter: sessionStoreAdapter(opts.store),
    clients: opts.clients.map(clientMetadata),
    cookies: { keys: opts.cookieKeys, long: { signed: true }, short: { signed: true } },
    jwks: { keys: [await signingKey(opts.db)] },
    routes: OIDC_ROUTES,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email'], profile: ['name', 'organisation_slug'] },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    // Apps re-check the user every minute with the access token and renew it with the refresh token.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 30 * 24 * 3600,
      RefreshToken: 30 * 24 * 3600,
      Session: 20 * 3600,
    },
    // A suspended (or deleted) user is no account at all: no code, token or refresh is issued for them.
    async findAccount(_ctx, id) {
      const user = await findUser(opts.db, id);
      if (!user || user.suspendedAt) return undefined;
      return {
        accountId: user.id,
        claims: () => ({ sub: user.id, name: user.name, email: user.email, organisation_slug: user.organisationSlug }),
      };
    },
    // First-party apps only: consent is implied, so a grant is made on the spot.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { Grant } = ctx.oidc.provider;
      const clientId = ctx.oidc.client!.clientId;
      const accountId = ctx.oidc.session!.accountId!;
      const existing = ctx.oidc.session!.grantIdFor(clientId);
      if (existing) {
        const grant = await Grant.find(existing);
        if (grant && grant.accountId === accountId) return grant;
      }
      const grant = new Grant({ clientId, accountId });
      grant.addOIDCScope('openid email profile offline_access');
      await grant.save();
      ctx.oidc.session!.grantIdFor(clientId, grant.jti);
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `Sign-in failed: ${out.error}${out.error_description ? ` (${out.error_description})` : ''}\n`;
    },
  };
  const provider = new Provider(opts.issuer, configuration);
  // An https issuer means a TLS-terminating proxy in front (Portico serves plain http), whose X-Forwarded-* headers are then to be trusted.
  provider.proxy = opts.issuer.startsWith('https:');
  provider.on('server_error', (_ctx, err) => opts.log.error({ err }, 'oidc provider error'));
  return provider;
}
