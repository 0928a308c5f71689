import type { Queryable } from '../platform/db/index.ts';

export interface Application {
  slug: string;
  name: string;
  supportedPermissions: string[];
}

/** The permission without which a user cannot sign in to an application at all. */
export const SIGNIN = 'signin';

export async function listApplications(db: Queryable): Promise<Application[]> {
  const { rows } = await db.query<{ slug: string; name: string; supported_permissions: string[] }>(
    'SELECT slug, name, supported_permissions FROM signon.applications ORDER BY slug',
  );
  return rows.map((r) => ({ slug: r.slug, name: r.name, supportedPermissions: r.supported_permissions }));
}

export async function findApplication(db: Queryable, slug: string): Promise<Application | undefined> {
  return (await listApplications(db)).find((a) => a.slug === slug);
}
