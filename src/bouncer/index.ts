import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../platform/db/index.ts';
import { REQUEST_ID_HEADER, type Logger } from '../platform/log.ts';
import { AllowList, hostFrom } from './allow-list.ts';
import { canonicalHost } from './canonical.ts';
import { loadDirectory, SiteDirectory } from './directory.ts';
import { MappingCache } from './mapping-cache.ts';
import { findMapping, redirectPaths } from './mappings.ts';
import { createPages } from './pages.ts';
import { respond, type Answer } from './respond.ts';
import { TRANSITION_CHANGES_CHANNEL } from './schema.ts';
import type { Bouncer } from './types.ts';

export type { Bouncer } from './types.ts';

export interface BouncerDeps {
  db: Db;
  log: Logger;
  /**
   * Hosts redirects may point at besides .gov.uk, .mod.uk, .nhs.uk and the
   * whitelisted_hosts table: the platform's public origin, typically. Host
   * names or origins (`http://127.0.0.1:8080` allows 127.0.0.1).
   */
  allowList?: readonly string[];
  /** Milliseconds between full reloads of the sites, a safety net under LISTEN/NOTIFY. */
  reloadIntervalMs?: number;
  /** Mapping lookups kept in memory (0: every request reads the database). */
  mappingCacheSize?: number;
}

export interface BouncerService extends Bouncer {
  /** Reads the sites again now; resolves when the new ones are in service. */
  reload(): Promise<void>;
}

/**
 * The bouncer: answers for the hosts of retired websites from the
 * `transition` schema. Sites, hosts and the allow-list are held in memory,
 * reloaded on a `transition_changes` notification and periodically; a
 * request's mapping is read from the database by its unique index and kept
 * in a bounded cache that each reload empties.
 */
export async function createBouncer({ db, log: parentLog, allowList = [], reloadIntervalMs = 60_000, mappingCacheSize = 50_000 }: BouncerDeps): Promise<BouncerService> {
  const log = parentLog.child({ service: 'bouncer' });
  const extraHosts = allowList.map(hostFrom);
  const pages = createPages();
  let directory = new SiteDirectory([], new AllowList(extraHosts));
  const mappings = new MappingCache(mappingCacheSize);
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (closed) return;
    timer = setTimeout(() => void reload(), ms);
    timer.unref();
  };

  const loadOnce = async () => {
    try {
      directory = await loadDirectory(db, extraHosts);
      mappings.clear();
      failures = 0;
      log.debug({ hosts: directory.hostCount }, 'loaded transition sites');
      schedule(reloadIntervalMs);
    } catch (err) {
      failures++;
      const retry = Math.min(reloadIntervalMs, 250 * 2 ** (failures - 1));
      log.error({ err: (err as Error).message, retry_in_ms: retry }, 'loading transition sites failed; keeping the ones in service');
      schedule(retry);
    }
  };

  /** One load at a time; a change announced during one is read by another straight after. */
  function reload(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  let unlisten: (() => Promise<void>) | undefined;
  // Subscribed before the first load, so a change made during it is not missed.
  try {
    unlisten = await db.listen(TRANSITION_CHANGES_CHANNEL, () => void reload());
  } catch (err) {
    log.error({ err: (err as Error).message }, 'cannot listen for transition changes; relying on periodic reloads');
  }
  await reload();

  const write = (req: IncomingMessage, res: ServerResponse, a: Answer) => {
    const body = req.method === 'HEAD' ? '' : a.body;
    res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
    res.end(body);
  };

  return {
    servesHost: (host) => directory.site(canonicalHost(host)) !== undefined,
    async handle(req, res) {
      let a: Answer;
      try {
        a = await respond(
          { directory, pages, findMapping: (siteId, path) => mappings.lookup(siteId, path, () => findMapping(db, siteId, path)), redirectPaths: (siteId) => redirectPaths(db, siteId) },
          req.headers.host ?? '',
          req.url ?? '/',
        );
      } catch (err) {
        log.error({ err: (err as Error).message, request_id: req.headers[REQUEST_ID_HEADER], host: req.headers.host, url: req.url }, 'bouncer request failed');
        a = { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'Service unavailable\n' };
      }
      write(req, res, a);
    },
    reload,
    async close() {
      closed = true;
      clearTimeout(timer);
      await unlisten?.().catch(() => undefined);
      await running;
    },
  };
}
