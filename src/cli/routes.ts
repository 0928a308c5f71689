import { readFileSync } from 'node:fs';
import { listRoutes, upsertRoutes } from '../content-store/routes.ts';
import type { Stack } from '../content-store/schema.ts';
import type { Db } from '../platform/db/index.ts';
import { parseRoutesFile } from '../router/routes-file.ts';

export class UsageError extends Error {}

/** Validates every line first; writes all of them in one transaction or none. */
export async function importRoutesFile(db: Db, stack: Stack, file: string, out: (line: string) => void): Promise<boolean> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseRoutesFile(text);
  if (parsed.errors.length > 0) {
    for (const e of parsed.errors) out(`${file}:${e.line}: ${e.field} ${e.message}`);
    out(`nothing imported: ${parsed.errors.length} problem(s)`);
    return false;
  }
  await db.transaction((tx) => upsertRoutes(tx, stack, parsed.backends, parsed.routes));
  out(`imported ${parsed.backends.length} backend(s) and ${parsed.routes.length} route(s) into the ${stack} stack`);
  return true;
}

export async function printRoutes(db: Db, stack: Stack, asJson: boolean, out: (line: string) => void): Promise<void> {
  const { backends, routes } = await listRoutes(db, stack);
  if (asJson) {
    for (const b of backends) out(JSON.stringify(b));
    for (const r of routes) out(JSON.stringify(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null))));
    return;
  }
  for (const b of backends) out(`backend  ${b.backend_id}  ${b.backend_url}`);
  for (const r of routes) {
    const what =
      r.handler === 'backend' ? `-> ${r.backend_id}`
      : r.handler === 'redirect' ? `${r.redirect_type === 'temporary' ? 302 : 301} ${r.redirect_to}${r.segments_mode ? ` (${r.segments_mode})` : ''}`
      : '410 gone';
    out(`${r.route_type.padEnd(6)}  ${r.incoming_path}  ${what}`);
  }
  out(`${routes.length} route(s), ${backends.length} backend(s) in the ${stack} stack`);
}
