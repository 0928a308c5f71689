import type { Db } from '../platform/db/index.ts';
import { createToken, DEFAULT_PERMISSIONS, KNOWN_PERMISSIONS, listTokens, revokeToken, UnknownPermissionError } from '../signon/tokens.ts';
import { UsageError } from './routes.ts';

export interface CreateTokenCommandOptions {
  /** The application whose permissions /user.json reports for the token. */
  application?: string;
  /** How long it works (SIGNON_API_TOKEN_TTL). */
  ttlMs?: number;
}

/** Prints the token alone on the last line, so scripts can take it with `tail -n1`. */
export async function createTokenCommand(db: Db, name: string | undefined, permissions: string | undefined, out: (line: string) => void, opts: CreateTokenCommandOptions = {}): Promise<number> {
  if (!name?.trim()) throw new UsageError('tokens create needs --name NAME');
  const perms = permissions === undefined ? [...DEFAULT_PERMISSIONS] : permissions.split(',').map((p) => p.trim()).filter(Boolean);
  if (perms.length === 0) throw new UsageError(`--permissions needs at least one of ${KNOWN_PERMISSIONS.join(', ')}`);
  try {
    const { id, token, expiresAt } = await createToken(db, name.trim(), perms, opts);
    out(`Created token ${id} for API user "${name.trim()}" with ${perms.join(', ')}${opts.application ? ` in ${opts.application}` : ''}, expiring ${expiresAt.toISOString()}. It is shown once; keep it safe:`);
    out(token);
    return 0;
  } catch (err) {
    if (err instanceof UnknownPermissionError) throw new UsageError(err.message);
    throw err;
  }
}

export async function listTokensCommand(db: Db, out: (line: string) => void): Promise<number> {
  const tokens = await listTokens(db);
  const now = new Date().toISOString();
  for (const t of tokens) {
    const state = t.revoked_at ? 'revoked' : t.expires_at <= now ? 'expired' : 'active ';
    out(`${t.id}  ${state}  ${t.created_at}  expires ${t.expires_at}  ${t.name}${t.api_user !== t.name ? ` (API user ${t.api_user})` : ''}${t.application ? ` in ${t.application}` : ''}  [${t.permissions.join(', ')}]`);
  }
  out(`${tokens.length} token(s)`);
  return 0;
}

export async function revokeTokenCommand(db: Db, id: string | undefined, out: (line: string) => void): Promise<number> {
  if (!id) throw new UsageError('tokens revoke takes a token id (see portico tokens list)');
  if (!(await revokeToken(db, id))) {
    out(`no active token with id ${id}`);
    return 1;
  }
  out(`revoked ${id}`);
  return 0;
}
