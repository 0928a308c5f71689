import { randomBytes } from 'node:crypto';
import type { Bouncer } from '../bouncer/types.ts';
import type { MirrorReader } from '../mirror/types.ts';
import type { Platform } from '../platform/platform.ts';
import { generatedSecret } from '../signon/generated-secrets.ts';
import { httpPurger } from './http-purger.ts';
import { createEdge, NO_BOUNCER, NO_MIRROR } from './index.ts';

/** The name the generated purge token is kept under in signon.generated_secrets. */
export const PURGE_TOKEN_SECRET = 'edge-purge-token';

/**
 * EDGE_PURGE_TOKEN, or else one made once per database and kept there, so
 * every edge process on the database (and `portico edge vcl` run against it)
 * agrees on it.
 */
export async function edgePurgeToken(platform: Pick<Platform, 'db' | 'config' | 'log'>): Promise<string> {
  const configured = platform.config.edge.purgeToken;
  if (configured) return configured;
  const token = await generatedSecret(platform.db, PURGE_TOKEN_SECRET, () => randomBytes(32).toString('base64url'));
  platform.log.info(
    { secret: PURGE_TOKEN_SECRET },
    `edge: the purge token is kept in the database (SELECT value FROM signon.generated_secrets WHERE name = '${PURGE_TOKEN_SECRET}'); set EDGE_PURGE_TOKEN to choose one`,
  );
  return token;
}

/**
 * The edge as `portico start` runs it: www on its port in front of the live
 * router, purged by publishing events on the platform's bus (and purging
 * EDGE_PURGE_PEERS with them).
 */
export async function startEdgeService(platform: Platform, o: { mirror?: MirrorReader; bouncer?: Bouncer } = {}) {
  const { config, log } = platform;
  const settings = config.edge;
  const token = await edgePurgeToken(platform);
  const edge = createEdge({
    originUrl: settings.originUrl,
    purgeToken: token,
    cacheBytes: settings.cacheBytes,
    defaultTtlMs: settings.defaultTtlMs,
    staleIfErrorMs: settings.staleIfErrorMs,
    mirrorTtlMs: settings.mirrorTtlMs,
    wwwHosts: settings.wwwHosts,
    apexHosts: settings.apexHosts,
    wwwOrigin: settings.wwwOrigin,
    mirror: o.mirror ?? NO_MIRROR,
    bouncer: o.bouncer ?? NO_BOUNCER,
    bus: await platform.bus(),
    purgePeers: settings.purgePeers.map((peer) => httpPurger(peer, token)),
    shutdownTimeoutMs: config.router.shutdownTimeoutMs,
    log,
  });
  const port = await edge.start(config.ports.www, config.host);
  return {
    name: 'edge',
    urls: [`http://${config.host}:${port}/ (www)`, `http://${config.host}:${port}/__edge/healthcheck/ready (edge health)`],
    edge,
    stop: () => edge.stop(),
  };
}
