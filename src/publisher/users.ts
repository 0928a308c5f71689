import type { FastifyRequest } from 'fastify';

/** The signed-in person, as single sign-on describes them. */
export interface User {
  uid: string;
  name: string;
  email: string;
  organisation_slug: string | null;
  permissions: string[];
}

/** Who is making a request, or null when nobody is signed in. Injected: SSO in production, a stub in tests. */
export type CurrentUser = (request: FastifyRequest) => Promise<User | null>;

export const PUBLISHER_PERMISSIONS = {
  editor: 'publisher:editor',
  managingEditor: 'publisher:managing_editor',
} as const;

/** Editors write and save drafts; managing editors may also make them public or take them down. */
export type Ability = 'edit' | 'publish';

export function can(user: User, ability: Ability): boolean {
  const has = (p: string) => user.permissions.includes(p);
  if (ability === 'publish') return has(PUBLISHER_PERMISSIONS.managingEditor);
  return has(PUBLISHER_PERMISSIONS.editor) || has(PUBLISHER_PERMISSIONS.managingEditor);
}
