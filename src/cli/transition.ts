import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { AllowList, hostFrom } from '../bouncer/allow-list.ts';
import { ImportFileError, planImport } from '../bouncer/import-rows.ts';
import { writeImport } from '../bouncer/import.ts';
import { mappingCounts } from '../bouncer/mappings.ts';
import {
  addSite,
  addWhitelistedHost,
  findSite,
  formatTnaTimestamp,
  listSites,
  listWhitelistedHosts,
  parseTnaTimestamp,
  TransitionConflictError,
  TransitionInputError,
  type NewSite,
} from '../bouncer/sites.ts';
import type { Platform } from '../platform/platform.ts';
import { UsageError } from './routes.ts';

type Out = (line: string) => void;
type WithPlatform = (fn: (p: Platform) => Promise<number>) => Promise<number>;

export const TRANSITION_HELP = `  transition site add ABBR --host H [--host H2 ...] --homepage URL [--tna-timestamp TS]
               [--global-redirect URL [--append-path] | --global-archive] [--query-params a:b]
               [--organisation TITLE]
                                    add a retired website the bouncer answers for (TS: YYYYMMDDHHMMSS or
                                    an ISO date, default now; --query-params: the parameters that tell its
                                    pages apart)
  transition sites                  list transition sites, their hosts and mapping counts
  transition import SITE FILE.csv [--update-existing] [--tag T ...]
                                    import old,new rows (new: a URL to redirect to, TNA to archive, or empty);
                                    any rejected row and nothing is imported
  transition whitelist add HOST     allow redirects to HOST (besides .gov.uk, .mod.uk and .nhs.uk)
  transition whitelist list         list the hosts added`;

/** `portico transition ...`: the sites, mappings and allow-list the bouncer answers from. */
export async function transitionCommand(args: string[], out: Out, withPlatform: WithPlatform, now: () => Date = () => new Date()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string', multiple: true },
      homepage: { type: 'string' },
      'tna-timestamp': { type: 'string' },
      'global-redirect': { type: 'string' },
      'append-path': { type: 'boolean' },
      'global-archive': { type: 'boolean' },
      'query-params': { type: 'string' },
      organisation: { type: 'string' },
      'update-existing': { type: 'boolean' },
      tag: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, ...rest] = positionals;
  if (values.help) {
    out(`Usage: portico transition <command> [options]\n\n${TRANSITION_HELP}`);
    return 0;
  }
  const guard = (fn: (p: Platform) => Promise<number>) =>
    withPlatform(async (p) => {
      try {
        return await fn(p);
      } catch (err) {
        if (err instanceof TransitionInputError) throw new UsageError(err.message);
        if (err instanceof TransitionConflictError) {
          out(`portico: ${err.message}`);
          return 1;
        }
        throw err;
      }
    });

  if (sub === 'site' && rest[0] === 'add') {
    if (rest.length !== 2) throw new UsageError('transition site add takes one ABBR');
    if (values['global-redirect'] !== undefined && values['global-archive']) throw new UsageError('--global-redirect and --global-archive: choose one');
    if (values['append-path'] && values['global-redirect'] === undefined) throw new UsageError('--append-path goes with --global-redirect');
    if (!values.homepage) throw new UsageError('transition site add needs --homepage URL');
    const input: NewSite = {
      abbr: rest[1]!,
      hosts: values.host ?? [],
      homepage: values.homepage,
      tnaTimestamp: values['tna-timestamp'] ? parseTnaTimestamp(values['tna-timestamp']) : now(),
      organisation: values.organisation,
      globalType: values['global-redirect'] !== undefined ? 'redirect' : values['global-archive'] ? 'archive' : undefined,
      globalNewUrl: values['global-redirect'],
      globalRedirectAppendPath: values['append-path'],
      queryParams: values['query-params'],
    };
    return guard(async ({ db }) => {
      const site = await db.transaction((tx) => addSite(tx, input));
      out(`added site ${site.abbr}: ${site.hosts.join(', ')}`);
      return 0;
    });
  }
  if (sub === 'sites') {
    if (rest.length) throw new UsageError('transition sites takes no arguments');
    return guard(async ({ db }) => {
      const [sites, counts] = await Promise.all([listSites(db), mappingCounts(db)]);
      for (const s of sites) {
        const c = counts.get(s.id) ?? { redirect: 0, archive: 0, unresolved: 0 };
        const global = s.globalType === 'redirect' ? `, everything to ${s.globalNewUrl}${s.globalRedirectAppendPath ? ' + path' : ''}` : s.globalType === 'archive' ? ', everything archived' : '';
        out(`${s.abbr}  ${s.hosts.join(' ')}`);
        out(`    homepage ${s.homepage}, archived ${formatTnaTimestamp(s.tnaTimestamp)}${s.queryParams.length ? `, query params ${s.queryParams.join(':')}` : ''}${global}`);
        out(`    ${c.redirect} redirect, ${c.archive} archive, ${c.unresolved} unresolved`);
      }
      out(`${sites.length} site(s)`);
      return 0;
    });
  }
  if (sub === 'whitelist') {
    if (rest[0] === 'add' && rest.length === 2) {
      return guard(async ({ db }) => {
        out((await addWhitelistedHost(db, rest[1]!)) ? `redirects to ${rest[1]!.toLowerCase()} are allowed` : `${rest[1]!.toLowerCase()} was allowed already`);
        return 0;
      });
    }
    if (rest[0] === 'list' && rest.length === 1) {
      return guard(async ({ db }) => {
        for (const h of await listWhitelistedHosts(db)) out(h);
        return 0;
      });
    }
    throw new UsageError('use transition whitelist add HOST, or transition whitelist list');
  }
  if (sub === 'import') {
    if (rest.length !== 2) throw new UsageError('transition import takes SITE and FILE');
    const [abbr, file] = rest as [string, string];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const tags = [...new Set((values.tag ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
    return guard(async ({ db, config }) => {
      const site = await findSite(db, abbr);
      if (!site) throw new UsageError(`no transition site ${JSON.stringify(abbr)} (see portico transition sites)`);
      const allowList = new AllowList([...(await listWhitelistedHosts(db)), hostFrom(config.publishing.publicOrigin)]);
      let plan;
      try {
        plan = planImport(text, site, allowList);
      } catch (err) {
        if (!(err instanceof ImportFileError)) throw err;
        out(`${file}:${err.line}: not readable as CSV: ${err.message}`);
        out('nothing imported');
        return 1;
      }
      for (const r of plan.rejected) out(`${file}:${r.line}: rejected ${r.old.length > 120 ? `${r.old.slice(0, 120)}...` : r.old}: ${r.reason}`);
      if (plan.rejected.length > 0) {
        out(`nothing imported: ${plan.rejected.length} row(s) rejected; correct them and import the file again`);
        return 1;
      }
      const counts = await writeImport(db, site, plan.rows, { filename: basename(file), updateExisting: values['update-existing'], tags, now: now() });
      out(`${site.abbr}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, 0 rejected`);
      if (plan.ignored || plan.superseded) {
        out(`  ${plan.ignored} row(s) ignored (a header, the homepage, or not a path or URL); ${plan.superseded} superseded by another row for the same path`);
      }
      if (counts.kept) out(`  ${counts.kept} existing mapping(s) differ from the file and were kept; --update-existing overwrites them`);
      return 0;
    });
  }
  throw new UsageError(`unknown transition command ${JSON.stringify([sub, rest[0]].filter(Boolean).join(' '))}; use site add, sites, import or whitelist`);
}
