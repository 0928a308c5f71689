import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { upsertRoutes } from '../content-store/routes.ts';
import { STACKS } from '../content-store/schema.ts';
import type { PortName } from '../platform/config.ts';
import { drain, listen } from '../platform/http.ts';
import type { Platform } from '../platform/platform.ts';
import { createPlaceholderApp } from '../placeholder/index.ts';
import { createRouter } from '../router/index.ts';
import { parseRoutesFile } from '../router/routes-file.ts';

export interface Running {
  name: string;
  urls: string[];
  stop(): Promise<void>;
}

type Target = (p: Platform) => Promise<Running>;

function routerTarget(stack: 'live' | 'draft'): Target {
  return async ({ db, config, log }) => {
    const router = createRouter({ stack, db, config: config.router, log });
    const { port, adminPort } = await router.start(
      config.ports[`router-${stack}` as PortName],
      config.ports[`router-${stack}-admin` as PortName],
      config.host,
    );
    return {
      name: `router-${stack}`,
      urls: [`http://${config.host}:${port}/`, `http://${config.host}:${adminPort}/healthcheck/ready (admin)`],
      stop: () => router.stop(),
    };
  };
}

/** Until the frontend exists, a placeholder answers for backend_id `frontend` on both stacks. */
const placeholderTarget: Target = async ({ config, log }) => {
  const servers: Server[] = [];
  const urls: string[] = [];
  for (const stack of STACKS) {
    const server = createPlaceholderApp(stack);
    const port = await listen(server, config.ports[`frontend-${stack}` as PortName], config.host);
    servers.push(server);
    urls.push(`http://${config.host}:${port}/ (${stack})`);
  }
  log.info({ urls }, 'placeholder frontend listening');
  return {
    name: 'placeholder-frontend',
    urls,
    stop: async () => {
      await Promise.all(servers.map((s) => drain(s, config.router.shutdownTimeoutMs)));
    },
  };
};

/** Every target `portico start --target` accepts, in start order. */
export const TARGETS: Record<string, Target> = {
  'placeholder-frontend': placeholderTarget,
  'router-live': routerTarget('live'),
  'router-draft': routerTarget('draft'),
};

const DEMO_ROUTES = fileURLToPath(new URL('../../demo/routes.jsonl', import.meta.url));

/**
 * Gives both stacks demo routes once per database, on its first start, so the
 * site has pages to show. A marker row makes it once: routes an operator later
 * deletes stay deleted.
 */
export async function seedDemoRoutes({ db, config, log }: Platform): Promise<boolean> {
  const parsed = parseRoutesFile(readFileSync(DEMO_ROUTES, 'utf8'));
  if (parsed.errors.length) throw new Error(`demo routes are invalid: ${JSON.stringify(parsed.errors)}`);
  const seeded = await db.transaction(async (tx) => {
    await tx.exec('CREATE TABLE IF NOT EXISTS public.portico_seeds (name text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())');
    const first = await tx.query("INSERT INTO public.portico_seeds (name) VALUES ('demo-routes') ON CONFLICT DO NOTHING RETURNING name");
    if (first.rows.length === 0) return false;
    for (const stack of STACKS) {
      const url = `http://${config.host}:${config.ports[`frontend-${stack}` as PortName]}/`;
      await upsertRoutes(tx, stack, [{ backend_id: 'frontend', backend_url: url }], parsed.routes);
    }
    return true;
  });
  if (seeded) log.info({ routes: parsed.routes.length }, 'seeded demo routes');
  return seeded;
}

export async function startTargets(platform: Platform, names: string[]): Promise<Running[]> {
  const running: Running[] = [];
  try {
    for (const name of names) running.push(await TARGETS[name]!(platform));
  } catch (err) {
    await stopAll(running);
    throw err;
  }
  return running;
}

/** Stops in reverse start order, so routers drain before the apps behind them go. */
export async function stopAll(running: Running[]): Promise<void> {
  for (const r of [...running].reverse()) await r.stop();
}
