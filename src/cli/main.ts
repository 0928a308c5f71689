import { parseArgs } from 'node:util';
import { STACKS, type Stack } from '../content-store/schema.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/log.ts';
import { openPlatform } from '../platform/platform.ts';
import { importRoutesFile, printRoutes, UsageError } from './routes.ts';
import { eventsTailCommand } from './events.ts';
import { seedDemoContent } from './seed.ts';
import { searchReindexCommand } from './search.ts';
import { TRANSITION_HELP, transitionCommand } from './transition.ts';
import { seedDemoTransitionSite } from '../bouncer/seed.ts';
import { edgeVclCommand } from './edge.ts';
import { MIRROR_HELP, mirrorCommand } from './mirror.ts';
import { seedDemoContentOnce, seedDemoRoutes, startTargets, stopAll, TARGETS, withEphemeralPublishing } from './start.ts';
import { createTokenCommand, listTokensCommand, revokeTokenCommand } from './tokens.ts';
import { DEMO_PASSWORD, seedDemoUsers } from '../signon/demo.ts';
import { changePermissionsCommand, createUserCommand, listUsersCommand, suspendCommand } from './users.ts';

const HELP = `Usage: portico <command> [options]

Commands:
  start [--target a,b,...]          run the platform; no target runs everything
                                    (targets: ${Object.keys(TARGETS).join(', ')})
  routes import FILE [--stack S]    validate a JSON Lines routes file and upsert it (S: live|draft, default live)
  routes list [--stack S] [--json]  print a stack's backends and routes
  tokens create --name NAME [--permissions P,...] [--application APP]
                                    make an API bearer token for the API user NAME (default: publishing-api.read,
                                    publishing-api.write; also content-store.write), acting in APP for /user.json;
                                    it expires after SIGNON_API_TOKEN_TTL (default 1 year) and is printed once,
                                    alone on the last line
  tokens list                       list tokens (never the tokens themselves)
  tokens revoke ID                  revoke a token
  users create --name N --email E [--password P | --password-stdin] [--permissions app:perm,...]
               [--organisation SLUG] [--role normal|admin|superadmin]
                                    add a signon user, e.g. --permissions publisher:signin,publisher:editor;
                                    without a password they set one through an invitation link
  users grant|revoke USER --permissions app:perm,...
                                    change a user's permissions (USER: email or uid)
  users suspend|unsuspend USER      suspend (sessions and tokens stop at once) or restore a user
  users list                        list users
  events tail [--pattern P]         print publishing events as they arrive (needs AMQP_URL; P a topic
                                    pattern such as 'answer.*' or '*.unpublish', default #)
  search reindex                    rebuild the search index from the live content store
${TRANSITION_HELP}
${MIRROR_HELP}
  edge vcl [--out FILE] [--origin URL] [--mirror URL] [--www-host H,...] [--apex-host H,...]
           [--purge-token T] [--default-ttl S] [--probe-path P]
                                    write a Varnish 7.1 VCL with the edge's rules (cache, purge with the
                                    token, failover to the mirror, apex redirect); defaults from the
                                    configuration: EDGE_ORIGIN_URL, the mirror, www and apex hosts,
                                    EDGE_PURGE_TOKEN, EDGE_DEFAULT_TTL
  seed [--api URL --token TOKEN]    publish the demo documents through the Publishing API: a running one
                                    (--api, --token), or one started in this process for the purpose
  --help                            show this help

Configuration is read from the environment: see README.md.
`;

type Out = (line: string) => void;

/** Runs the CLI; resolves to the exit code (2 for bad arguments or configuration). */
export async function main(argv: string[], out: Out = console.log, err: Out = console.error): Promise<number> {
  try {
    return await run(argv, out, err);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`portico: ${(e as Error).message}`);
      if (!(e instanceof ConfigError)) err(`Try 'portico --help'.`);
      return 2;
    }
    throw e;
  }
}

function stackOption(value: string | undefined): Stack {
  const stack = value ?? 'live';
  if (!(STACKS as readonly string[]).includes(stack)) throw new UsageError(`--stack must be live or draft, got ${JSON.stringify(stack)}`);
  return stack as Stack;
}

async function run(argv: string[], out: Out, err: Out): Promise<number> {
  // Its options are its own: the site and import options mean nothing to the other commands.
  if (argv[0] === 'transition') return transitionCommand(argv.slice(1), out, withPlatform);
  // Needs only the object store, not the database: it runs beside an embedded `npm start` holding PGlite.
  if (argv[0] === 'mirror') return mirrorCommand(argv.slice(1), out, err);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      target: { type: 'string' },
      stack: { type: 'string' },
      json: { type: 'boolean' },
      name: { type: 'string' },
      permissions: { type: 'string' },
      api: { type: 'string' },
      token: { type: 'string' },
      pattern: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      organisation: { type: 'string' },
      role: { type: 'string' },
      application: { type: 'string' },
      out: { type: 'string' },
      origin: { type: 'string' },
      mirror: { type: 'string' },
      'www-host': { type: 'string' },
      'apex-host': { type: 'string' },
      'purge-token': { type: 'string' },
      'default-ttl': { type: 'string' },
      'probe-path': { type: 'string' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || command === 'help') {
    out(HELP);
    return 0;
  }
  if (!command) throw new UsageError('no command given');

  if (command === 'start') {
    if (sub) throw new UsageError(`start takes no arguments, got ${JSON.stringify(sub)}`);
    const names = values.target ? values.target.split(',').map((t) => t.trim()).filter(Boolean) : Object.keys(TARGETS);
    const unknown = names.filter((n) => !(n in TARGETS));
    if (unknown.length || names.length === 0) {
      throw new UsageError(`unknown target ${unknown.map((u) => JSON.stringify(u)).join(', ') || '(none)'}; targets are ${Object.keys(TARGETS).join(', ')}`);
    }
    return start(names, !values.target, out, err);
  }

  if (command === 'routes') {
    const stack = stackOption(values.stack);
    if (sub === 'import') {
      if (rest.length !== 1) throw new UsageError('routes import takes one FILE');
      return withPlatform((p) => importRoutesFile(p.db, stack, rest[0]!, out).then((ok) => (ok ? 0 : 1)));
    }
    if (sub === 'list') {
      if (rest.length) throw new UsageError('routes list takes no arguments');
      return withPlatform((p) => printRoutes(p.db, stack, values.json ?? false, out).then(() => 0));
    }
    throw new UsageError(`unknown routes command ${JSON.stringify(sub ?? '')}; use import or list`);
  }
  if (command === 'tokens') {
    if (sub === 'create') {
      if (rest.length) throw new UsageError('tokens create takes --name and --permissions, no arguments');
      return withPlatform((p) => createTokenCommand(p.db, values.name, values.permissions, out, { application: values.application, ttlMs: p.config.signon.apiTokenTtlMs }));
    }
    if (sub === 'list') return withPlatform((p) => listTokensCommand(p.db, out));
    if (sub === 'revoke') {
      if (rest.length !== 1) throw new UsageError('tokens revoke takes one token id');
      return withPlatform((p) => revokeTokenCommand(p.db, rest[0], out));
    }
    throw new UsageError(`unknown tokens command ${JSON.stringify(sub ?? '')}; use create, list or revoke`);
  }

  if (command === 'users') {
    if (sub === 'create') {
      if (rest.length) throw new UsageError('users create takes options, no arguments');
      const opts = { name: values.name, email: values.email, password: values.password, passwordStdin: values['password-stdin'], permissions: values.permissions, organisation: values.organisation, role: values.role };
      return withPlatform((p) => createUserCommand(p.db, opts, out));
    }
    if (sub === 'grant' || sub === 'revoke') {
      if (rest.length !== 1) throw new UsageError(`users ${sub} takes one USER (email or uid)`);
      return withPlatform((p) => changePermissionsCommand(p.db, sub, rest[0], values.permissions, out));
    }
    if (sub === 'suspend' || sub === 'unsuspend') {
      if (rest.length !== 1) throw new UsageError(`users ${sub} takes one USER (email or uid)`);
      return withPlatform((p) => suspendCommand(p.db, rest[0], sub === 'suspend', out));
    }
    if (sub === 'list') return withPlatform((p) => listUsersCommand(p.db, out));
    throw new UsageError(`unknown users command ${JSON.stringify(sub ?? '')}; use create, grant, revoke, suspend, unsuspend or list`);
  }

  if (command === 'seed') {
    if (sub) throw new UsageError(`seed takes no arguments, got ${JSON.stringify(sub)}`);
    if (values.api && !values.token) throw new UsageError('--api needs --token (make one with portico tokens create)');
    const report = (c: { drafts: number; published: number }) => {
      out(`seeded ${c.published} published and ${c.drafts} draft document(s)`);
      return 0;
    };
    if (values.token) {
      const api = values.api ?? `http://${loadConfig().host}:${loadConfig().ports['publishing-api']}`;
      return report(await seedDemoContent(api, values.token));
    }
    return withPlatform(async (p) => report(await withEphemeralPublishing(p, (url, token) => seedDemoContent(url, token))));
  }

  if (command === 'events') {
    if (sub !== 'tail' || rest.length) throw new UsageError(`unknown events command ${JSON.stringify(sub ?? '')}; use tail`);
    const config = loadConfig();
    return eventsTailCommand({ amqpUrl: config.amqpUrl, pattern: values.pattern, out, err, log: createLogger({ level: 'warn' }) });
  }

  if (command === 'search') {
    if (sub !== 'reindex' || rest.length) throw new UsageError(`unknown search command ${JSON.stringify(sub ?? '')}; use reindex`);
    return withPlatform((p) => searchReindexCommand(p.db, out, err));
  }

  if (command === 'edge') {
    if (sub !== 'vcl' || rest.length) throw new UsageError(`unknown edge command ${JSON.stringify(sub ?? '')}; use vcl`);
    return edgeVclCommand(values, loadConfig(), out, err);
  }

  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

async function withPlatform(fn: (p: Awaited<ReturnType<typeof openPlatform>>) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const platform = await openPlatform(config, createLogger({ level: 'warn' }));
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

async function start(names: string[], everything: boolean, out: Out, err: Out): Promise<number> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  const platform = await openPlatform(config, log);
  if (everything) {
    await seedDemoRoutes(platform);
    await seedDemoTransitionSite(platform.db, config.publishing.publicOrigin, log);
  }
  const running = await startTargets(platform, names);
  if (everything) {
    try {
      await seedDemoContentOnce(platform, `http://${config.host}:${config.ports['publishing-api']}`);
    } catch (e) {
      err(`seeding the demo content failed (the platform is running without it): ${(e as Error).message}`);
    }
  }
  out('Portico is running:');
  for (const r of running) for (const url of r.urls) out(`  ${r.name.padEnd(22)} ${url}`);
  if (everything) {
    const demo = await seedDemoUsers(platform.db);
    if (demo.length) out(`Demo sign-in, for trying Portico only (suspend these users on a real site), password ${DEMO_PASSWORD}:`);
    for (const u of demo) out(`  ${u.email}${u.note ? ` (${u.note})` : ''}`);
  }
  out(`Database: ${platform.db.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'PostgreSQL'}. Stop with Ctrl-C.`);

  return new Promise((resolve) => {
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      try {
        await stopAll(running);
        await platform.close();
        resolve(0);
      } catch (e) {
        err(`shutdown failed: ${(e as Error).message}`);
        resolve(1);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  });
}
