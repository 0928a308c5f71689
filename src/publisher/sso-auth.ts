import { AUTH_PATHS, type Sso } from '../platform/sso/client.ts';
import { registerSsoRoutes } from '../platform/sso/fastify.ts';
import type { PublisherAuth } from './server.ts';

/**
 * Editors sign in through signon. Signon gives an app its own permissions
 * unqualified (`editor`); this app names them as signon's admins grant them
 * (`publisher:editor`).
 */
export function ssoAuth(sso: Sso): PublisherAuth {
  return {
    async currentUser(request) {
      const user = await sso.currentUser(request);
      if (!user) return null;
      return {
        uid: user.uid,
        name: user.name,
        email: user.email,
        organisation_slug: user.organisation_slug,
        permissions: user.permissions.map((p) => `publisher:${p}`),
      };
    },
    accessToken: (request) => sso.accessToken(request),
    signInPath: AUTH_PATHS.login,
    signOutPath: AUTH_PATHS.logout,
    routes: (app) => registerSsoRoutes(app, sso),
  };
}
