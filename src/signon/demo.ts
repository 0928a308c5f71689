import type { Db } from '../platform/db/index.ts';
import { createUser, findUserByEmail, parsePermissionList } from './users.ts';

/** For trying Portico on a laptop only: printed by `npm start`, and documented in the README. */
export const DEMO_PASSWORD = 'portico-demo-password';

export const DEMO_USERS = [
  {
    name: 'Demo Editor',
    email: 'editor@portico.test',
    organisationSlug: 'department-for-rural-affairs',
    permissions: 'publisher:signin,publisher:editor,publisher:managing_editor,draft-origin:signin',
    note: '',
  },
  {
    name: 'Demo Admin',
    email: 'admin@portico.test',
    organisationSlug: 'department-for-rural-affairs',
    permissions: 'signon:signin,signon:admin,publisher:signin,publisher:editor,publisher:managing_editor,publisher:admin,draft-origin:signin',
    note: 'sets up two-step verification at first sign-in',
  },
] as const;

/**
 * Adds the demo users on a database's first start. A marker row makes it
 * once, so a demo user an operator deletes stays deleted. Resolves to the
 * demo users that are still there, to print.
 */
export async function seedDemoUsers(db: Db): Promise<{ email: string; note: string }[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS public.portico_seeds (name text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())');
  const first = await db.query("INSERT INTO public.portico_seeds (name) VALUES ('demo-users') ON CONFLICT DO NOTHING RETURNING name");
  if (first.rows.length > 0) {
    for (const u of DEMO_USERS) {
      if (await findUserByEmail(db, u.email)) continue;
      await createUser(db, { name: u.name, email: u.email, organisationSlug: u.organisationSlug, password: DEMO_PASSWORD, permissions: parsePermissionList(u.permissions) });
    }
  }
  const present = [];
  for (const u of DEMO_USERS) {
    const user = await findUserByEmail(db, u.email);
    if (user && !user.suspendedAt) present.push({ email: u.email, note: u.note });
  }
  return present;
}
