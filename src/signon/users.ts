import type { Db, Queryable } from '../platform/db/index.ts';
import { listApplications } from './applications.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export const ROLES = ['normal', 'admin', 'superadmin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  /** The uid every application knows the user by. */
  id: string;
  name: string;
  email: string;
  organisationSlug: string | null;
  role: Role;
  suspendedAt: Date | null;
  hasPassword: boolean;
  otpEnrolled: boolean;
}

/** One permission in one application, written `application:permission` on the command line. */
export interface AppPermission {
  application: string;
  permission: string;
}

/** Bad input from a person (a duplicate email, an unknown permission): the message says what to fix. */
export class UserInputError extends Error {}

interface UserRow {
  id: string;
  name: string;
  email: string;
  organisation_slug: string | null;
  role: Role;
  suspended_at: Date | null;
  password_hash: string | null;
  otp_secret: string | null;
}

const COLUMNS = 'id, name, email, organisation_slug, role, suspended_at, password_hash, otp_secret';

function toUser(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    organisationSlug: r.organisation_slug,
    role: r.role,
    suspendedAt: r.suspended_at ? new Date(r.suspended_at) : null,
    hasPassword: r.password_hash !== null,
    otpEnrolled: r.otp_secret !== null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Parses `publisher:signin,publisher:editor`. */
export function parsePermissionList(text: string): AppPermission[] {
  return text.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    const m = /^([a-z0-9-]+):([a-z0-9_]+)$/.exec(p);
    if (!m) throw new UserInputError(`permission ${JSON.stringify(p)} is not application:permission, e.g. publisher:signin`);
    return { application: m[1]!, permission: m[2]! };
  });
}

export interface NewUser {
  name: string;
  email: string;
  organisationSlug?: string | null;
  role?: Role;
  /** Omitted for an invited user, who sets it through a one-time link. */
  password?: string;
  permissions?: AppPermission[];
}

/** Creates the user with their permissions; on bad input (or a duplicate email) nothing is written. */
export async function createUser(db: Db, input: NewUser): Promise<User> {
  const name = input.name.trim();
  const email = input.email.trim();
  if (!name) throw new UserInputError('Enter a name');
  if (!EMAIL.test(email)) throw new UserInputError('Enter an email address in the correct format, like name@example.com');
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new UserInputError(problem);
  }
  const permissions = input.permissions ?? [];
  await checkPermissions(db, permissions);
  if (await findUserByEmail(db, email)) throw new UserInputError(`A user with the email ${email} already exists`);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<UserRow>(
      `INSERT INTO signon.users (name, email, organisation_slug, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [name, email, input.organisationSlug?.trim() || null, input.role ?? 'normal', passwordHash],
    );
    const user = toUser(rows[0]!);
    await grantPermissions(tx, user.id, permissions);
    return user;
  });
}

export async function findUser(db: Queryable, id: string): Promise<User | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM signon.users WHERE id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM signon.users WHERE lower(email) = lower($1)`, [email.trim()]);
  return rows[0] && toUser(rows[0]);
}

/** People only: API users are listed with their tokens (`portico tokens list`). */
export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM signon.users WHERE NOT api_user ORDER BY lower(name), email`);
  return rows.map(toUser);
}

/** A user by id, or by email when the reference has an @ (what the CLI accepts). */
export async function findUserByReference(db: Queryable, ref: string): Promise<User | undefined> {
  return ref.includes('@') ? findUserByEmail(db, ref) : findUser(db, ref);
}

async function checkPermissions(db: Queryable, permissions: AppPermission[]): Promise<void> {
  const apps = new Map((await listApplications(db)).map((a) => [a.slug, a]));
  for (const { application, permission } of permissions) {
    const app = apps.get(application);
    if (!app) throw new UserInputError(`unknown application ${JSON.stringify(application)}; applications are ${[...apps.keys()].join(', ')}`);
    if (!app.supportedPermissions.includes(permission)) {
      throw new UserInputError(`${application} has no permission ${JSON.stringify(permission)}; it has ${app.supportedPermissions.join(', ')}`);
    }
  }
}

export async function grantPermissions(db: Queryable, userId: string, permissions: AppPermission[]): Promise<void> {
  await checkPermissions(db, permissions);
  for (const { application, permission } of permissions) {
    await db.query('INSERT INTO signon.user_permissions (user_id, application, permission) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [userId, application, permission]);
  }
}

export async function revokePermissions(db: Queryable, userId: string, permissions: AppPermission[]): Promise<void> {
  for (const { application, permission } of permissions) {
    await db.query('DELETE FROM signon.user_permissions WHERE user_id = $1 AND application = $2 AND permission = $3', [userId, application, permission]);
  }
}

/** Every permission the user holds, by application slug. */
export async function permissionsOf(db: Queryable, userId: string): Promise<Record<string, string[]>> {
  const { rows } = await db.query<{ application: string; permission: string }>(
    'SELECT application, permission FROM signon.user_permissions WHERE user_id = $1 ORDER BY application, permission',
    [userId],
  );
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.application] ??= []).push(r.permission);
  return out;
}

export async function hasPermission(db: Queryable, userId: string, application: string, permission: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM signon.user_permissions WHERE user_id = $1 AND application = $2 AND permission = $3', [userId, application, permission]);
  return rows.length > 0;
}

/** Suspending takes effect at once: sessions and tokens are checked against this column on every use. */
export async function setSuspended(db: Queryable, userId: string, suspended: boolean, now: Date = new Date()): Promise<boolean> {
  const { rows } = await db.query('UPDATE signon.users SET suspended_at = $2 WHERE id = $1 RETURNING id', [userId, suspended ? now : null]);
  return rows.length > 0;
}

export async function setPassword(db: Queryable, userId: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new UserInputError(problem);
  await db.query('UPDATE signon.users SET password_hash = $2, failed_attempts = 0, locked_until = NULL WHERE id = $1', [userId, await hashPassword(password)]);
}

export async function passwordHashOf(db: Queryable, userId: string): Promise<string | null> {
  const { rows } = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM signon.users WHERE id = $1', [userId]);
  return rows[0]?.password_hash ?? null;
}
