import type { Db } from '../platform/db/index.ts';
import { createToken, DEFAULT_PERMISSIONS, KNOWN_PERMISSIONS, listTokens, revokeToken, UnknownPermissionError } from '../signon/tokens.ts';
import { UsageError } from './routes.ts';

/** Prints the token alone on the last line, so scripts can take it with `tail -n1`. */
export async function createTokenCommand(db: Db, name: string | undefined, permissions: string | undefined, out: (line: string) => void): Promise<number> {
  if (!name?.trim()) throw new UsageError('tokens create needs --name NAME');
  const perms = permissions === undefined ? [...DEFAULT_PERMISSIONS] : permissions.split(',').map((p) => p.trim()).filter(Boolean);
  if (perms.length === 0) throw new UsageError(`--permissions needs at least one of ${KNOWN_PERMISSIONS.join(', ')}`);
  try {
    const { id, token } = await createToken(db, name.trim(), perms);
    out(`Created token ${id} for "${name.trim()}" with ${perms.join(', ')}. It is shown once; keep it safe:`);
    out(token);
    return 0;
  } catch (err) {
    if (err instanceof UnknownPermissionError) throw new UsageError(err.message);
    throw err;
  }
}

export async function listTokensCommand(db: Db, out: (line: string) => void): Promise<number> {
  const tokens = await listTokens(db);
  for (const t of tokens) out(`${t.id}  ${t.revoked_at ? 'revoked' : 'active '}  ${t.created_at}  ${t.name}  [${t.permissions.join(', ')}]`);
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
