import type { Db } from '../platform/db/index.ts';
import {
  createUser, findUserByReference, grantPermissions, listUsers, parsePermissionList, permissionsOf, revokePermissions, ROLES, setSuspended, UserInputError, type Role,
} from '../signon/users.ts';
import { UsageError } from './routes.ts';

type Out = (line: string) => void;

export interface CreateUserOptions {
  name?: string;
  email?: string;
  password?: string;
  /** Read the password from standard input, so it stays out of the shell history and `ps`. */
  passwordStdin?: boolean;
  permissions?: string;
  organisation?: string;
  role?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Turns the model's input errors into usage errors (exit 2, with the message). */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserInputError) throw new UsageError(err.message);
    throw err;
  }
}

export async function createUserCommand(db: Db, opts: CreateUserOptions, out: Out, stdin: () => Promise<string> = readStdin): Promise<number> {
  if (!opts.name?.trim() || !opts.email?.trim()) throw new UsageError('users create needs --name NAME and --email EMAIL');
  if (opts.password !== undefined && opts.passwordStdin) throw new UsageError('give --password or --password-stdin, not both');
  if (opts.role !== undefined && !(ROLES as readonly string[]).includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const password = opts.passwordStdin ? await stdin() : opts.password;
  const user = await asUsage(async () => createUser(db, {
    name: opts.name!,
    email: opts.email!,
    password,
    organisationSlug: opts.organisation,
    role: opts.role as Role | undefined,
    permissions: parsePermissionList(opts.permissions ?? ''),
  }));
  out(`Created user ${user.id} ${user.email}${password === undefined ? ' (no password: invite them from the admin pages)' : ''}`);
  await printPermissions(db, user.id, out);
  return 0;
}

async function printPermissions(db: Db, userId: string, out: Out): Promise<void> {
  const perms = await permissionsOf(db, userId);
  const text = Object.entries(perms).flatMap(([app, ps]) => ps.map((p) => `${app}:${p}`)).join(', ');
  out(`permissions: ${text || '(none)'}`);
}

async function userOf(db: Db, ref: string | undefined) {
  if (!ref) throw new UsageError('name the user by email or uid');
  const user = await findUserByReference(db, ref);
  if (!user) throw new UsageError(`no user ${JSON.stringify(ref)}`);
  return user;
}

export async function changePermissionsCommand(db: Db, action: 'grant' | 'revoke', ref: string | undefined, permissions: string | undefined, out: Out): Promise<number> {
  if (!permissions) throw new UsageError(`users ${action} needs --permissions app:permission,...`);
  const user = await userOf(db, ref);
  const list = await asUsage(async () => parsePermissionList(permissions));
  await asUsage(() => (action === 'grant' ? grantPermissions(db, user.id, list) : revokePermissions(db, user.id, list)));
  out(`${action === 'grant' ? 'Granted' : 'Revoked'} for ${user.email}`);
  await printPermissions(db, user.id, out);
  return 0;
}

export async function suspendCommand(db: Db, ref: string | undefined, suspended: boolean, out: Out): Promise<number> {
  const user = await userOf(db, ref);
  await setSuspended(db, user.id, suspended);
  out(`${suspended ? 'Suspended' : 'Unsuspended'} ${user.email}${suspended ? ': their sessions and tokens stop working now' : ''}`);
  return 0;
}

export async function listUsersCommand(db: Db, out: Out): Promise<number> {
  const users = await listUsers(db);
  for (const u of users) out(`${u.id}  ${u.suspendedAt ? 'suspended' : 'active   '}  ${u.email}  ${u.name}${u.organisationSlug ? `  (${u.organisationSlug})` : ''}`);
  out(`${users.length} user(s)`);
  return 0;
}
