import { readFileSync } from 'node:fs';
import type { ObjectStore } from '../platform/object-store/index.ts';
import type { Logger } from '../platform/log.ts';
import { systemClock, type Clock } from './clock.ts';
import { mirrorKey } from './layout.ts';
import { cssLinks, htmlLinks } from './links.ts';
import { redirectPage } from './redirect-page.ts';
import { crawlTarget, isDenied, type Scope } from './scope.ts';
import { newestFirst, parseSitemap } from './sitemap.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What the crawler says it is, so a site's operators can tell its requests apart. */
export const USER_AGENT = `portico-mirror/${VERSION}`;

export interface CrawlProgress {
  /** Targets finished, whatever the outcome. */
  done: number;
  /** Pages and files written to the mirror, redirect pages included. */
  saved: number;
  /** Redirects saved as meta-refresh pages. */
  redirects: number;
  /** 404 or 410: not saved, and any old copy deleted. */
  gone: number;
  /** Gave up: 5xx or no answer after every retry, 429 for too long, or another status. */
  failed: number;
  /** Waiting or being fetched. */
  queued: number;
  /** Targets finished per second since the crawl began. */
  rate: number;
  elapsedMs: number;
}

export interface CrawlOptions {
  /** Where requests go: the live site (`http://127.0.0.1:8084`). */
  origin: string;
  /** Other origins that are the same site, such as its public www origin that sitemaps and links name. */
  siteOrigins?: string[];
  store: ObjectStore;
  /** Requests in flight at most (4). */
  concurrency?: number;
  /** Requests started per second at most (10). */
  ratePerSecond?: number;
  /** Path prefixes never fetched (`/search`). */
  deny?: string[];
  /** Retries of a 5xx or a failed connection before the target counts as failed (4). */
  maxRetries?: number;
  /** Milliseconds before the first retry of a 5xx; doubled each time (1000). */
  retryDelayMs?: number;
  /** Milliseconds to pause every request after a 429 without Retry-After (5000). */
  backoffMs?: number;
  /** 429s one target may get before it counts as failed (10). */
  maxBackoffs?: number;
  /** Milliseconds to wait for an answer (30 000). */
  timeoutMs?: number;
  userAgent?: string;
  clock?: Clock;
  log?: Logger;
  onProgress?: (progress: CrawlProgress) => void;
  /** Stops the crawl: nothing new starts, requests in flight are abandoned. */
  signal?: AbortSignal;
}

export const CRAWL_DEFAULTS = { concurrency: 4, ratePerSecond: 10, deny: ['/search'] } as const;

export type Outcome = 'saved' | 'redirect' | 'gone' | 'failed' | 'skipped';

/** Spaces request starts at least 1/rate apart; a 429 pushes every next start back. */
function rateLimiter(ratePerSecond: number, clock: Clock, signal?: AbortSignal) {
  const interval = 1000 / ratePerSecond;
  let next = clock.now();
  return {
    async take() {
      const now = clock.now();
      const at = Math.max(now, next);
      next = at + interval;
      if (at > now) await clock.sleep(at - now, signal);
    },
    pauseUntil(time: number) {
      next = Math.max(next, time);
    },
  };
}

function retryAfterMs(header: string | null, clock: Clock): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - clock.now());
}

/**
 * Crawls the live site into the object store (govuk-mirror's rules, reference
 * C.4). `crawlSite` starts from the sitemap and follows links; `crawlPaths`
 * fetches the given paths only, for re-crawling what a publish changed.
 * Every target is fetched once; redirects are saved as meta-refresh pages,
 * never followed blindly.
 */
export function createCrawler(o: CrawlOptions) {
  const clock = o.clock ?? systemClock;
  const origin = new URL(o.origin).origin;
  const scope: Scope = {
    siteOrigins: new Set([origin, ...(o.siteOrigins ?? []).map((s) => new URL(s).origin)]),
    deny: o.deny ?? [...CRAWL_DEFAULTS.deny],
  };
  const concurrency = o.concurrency ?? CRAWL_DEFAULTS.concurrency;
  const maxRetries = o.maxRetries ?? 4;
  const retryDelayMs = o.retryDelayMs ?? 1000;
  const backoffMs = o.backoffMs ?? 5000;
  const maxBackoffs = o.maxBackoffs ?? 10;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const userAgent = o.userAgent ?? USER_AGENT;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  const ratePerSecond = o.ratePerSecond ?? CRAWL_DEFAULTS.ratePerSecond;
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be more than 0, got ${ratePerSecond}`);
  const limiter = rateLimiter(ratePerSecond, clock, o.signal);

  /** One request, rate-limited, redirects left to the caller; undefined when no answer came. */
  async function request(target: string): Promise<Response | undefined> {
    await limiter.take();
    if (o.signal?.aborted) return undefined;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await fetch(`${origin}${target}`, {
        redirect: 'manual',
        headers: { 'user-agent': userAgent, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
        signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
      });
    } catch (err) {
      o.log?.debug({ target, err: (err as Error).message }, 'mirror: no answer');
      return undefined;
    }
  }

  /** Retries 5xx and failed connections with a growing delay, and 429 after the server's wait. */
  async function fetchPatiently(target: string): Promise<Response | undefined> {
    let retries = 0;
    let backoffs = 0;
    for (;;) {
      const res = await request(target);
      if (o.signal?.aborted) return undefined;
      if (res?.status === 429) {
        await res.body?.cancel();
        if (++backoffs > maxBackoffs) return res;
        const wait = retryAfterMs(res.headers.get('retry-after'), clock) ?? backoffMs;
        limiter.pauseUntil(clock.now() + wait);
        o.log?.info({ target, wait_ms: wait }, 'mirror: told to slow down (429)');
        continue;
      }
      if (res && res.status < 500) return res;
      await res?.body?.cancel();
      if (retries >= maxRetries) return res;
      await clock.sleep(retryDelayMs * 2 ** retries, o.signal);
      retries++;
    }
  }

  async function run(seeds: string[], follow: boolean, outcomes?: Map<string, Outcome>): Promise<CrawlProgress> {
    const started = clock.now();
    const counts = { done: 0, saved: 0, redirects: 0, gone: 0, failed: 0 };
    const seen = new Set<string>();
    const waiting: string[] = [];
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const signalChange = () => {
      wake?.();
      wake = undefined;
    };
    const enqueue = (target: string | undefined) => {
      if (target === undefined || seen.has(target)) return;
      seen.add(target);
      waiting.push(target);
      signalChange();
    };
    const progress = (): CrawlProgress => {
      const elapsedMs = clock.now() - started;
      return { ...counts, queued: waiting.length + inFlight, rate: elapsedMs > 0 ? (counts.done * 1000) / elapsedMs : 0, elapsedMs };
    };

    const followLinks = (body: Buffer, contentType: string, url: string) => {
      if (!follow) return;
      const links = /^text\/html|application\/xhtml\+xml/i.test(contentType)
        ? htmlLinks(body.toString('utf8'), url)
        : /^text\/css/i.test(contentType)
          ? cssLinks(body.toString('utf8'), url)
          : [];
      for (const link of links) enqueue(crawlTarget(link, scope));
    };

    async function visit(target: string): Promise<Outcome> {
      const key = target.includes('?') ? undefined : mirrorKey(target);
      const res = await fetchPatiently(target);
      if (!res) {
        if (!o.signal?.aborted) o.log?.warn({ target }, 'mirror: no answer after every retry');
        return 'failed';
      }
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        const to = new URL(res.headers.get('location')!, `${origin}${target}`);
        const onSite = scope.siteOrigins.has(to.origin);
        if (key) await o.store.put(key, redirectPage(onSite ? `${to.pathname}${to.search}` : to.href), { contentType: 'text/html; charset=utf-8' });
        if (onSite && follow) enqueue(crawlTarget(to, scope));
        return key ? 'redirect' : 'skipped';
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        if (key) await o.store.delete(key);
        return 'gone';
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        o.log?.warn({ target, status: res.status }, 'mirror: not saved');
        return 'failed';
      }
      const body = Buffer.from(await res.arrayBuffer());
      const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
      followLinks(body, contentType, `${origin}${target}`);
      if (!key) return 'skipped';
      await o.store.put(key, body, { contentType });
      return 'saved';
    }

    async function worker(): Promise<void> {
      for (;;) {
        if (o.signal?.aborted) return;
        const target = waiting.shift();
        if (target === undefined) {
          if (inFlight === 0) return signalChange();
          await new Promise<void>((resolve) => {
            const previous = wake;
            wake = () => {
              previous?.();
              resolve();
            };
          });
          continue;
        }
        inFlight++;
        let outcome: Outcome;
        try {
          outcome = await visit(target);
        } catch (err) {
          o.log?.warn({ target, err: (err as Error).message }, 'mirror: could not save');
          outcome = 'failed';
        }
        inFlight--;
        outcomes?.set(target, outcome);
        counts.done++;
        if (outcome === 'saved') counts.saved++;
        if (outcome === 'redirect') {
          counts.saved++;
          counts.redirects++;
        }
        if (outcome === 'gone') counts.gone++;
        if (outcome === 'failed') counts.failed++;
        o.onProgress?.(progress());
        signalChange();
      }
    }

    for (const seed of seeds) enqueue(seed);
    const stop = () => signalChange();
    o.signal?.addEventListener('abort', stop, { once: true });
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      o.signal?.removeEventListener('abort', stop);
    }
    return progress();
  }

  /** The sitemap's pages, newest lastmod first, following a sitemap index; [] when the site has none. */
  async function sitemapTargets(): Promise<string[]> {
    const read = async (target: string) => {
      const res = await fetchPatiently(target);
      if (!res || res.status !== 200) {
        await res?.body?.cancel();
        o.log?.warn({ target, status: res?.status }, 'mirror: no sitemap');
        return undefined;
      }
      return parseSitemap(await res.text());
    };
    const top = await read('/sitemap.xml');
    if (!top) return [];
    const urls = [...top.urls];
    for (const loc of top.sitemaps) {
      const target = toTarget(loc);
      const child = target ? await read(target) : undefined;
      if (child) urls.push(...child.urls);
    }
    return newestFirst(urls).flatMap((loc) => toTarget(loc) ?? []);
  }

  function toTarget(loc: string): string | undefined {
    try {
      return crawlTarget(new URL(loc), scope);
    } catch {
      return undefined;
    }
  }

  return {
    /** The whole site: the sitemap's pages newest first, then `/`, following links as they are found. */
    async crawlSite(): Promise<CrawlProgress> {
      return run([...(await sitemapTargets()), '/'], true);
    },
    /** These public paths only, each fetched once; denied ones are left alone. Says what came of each. */
    async crawlPaths(paths: string[]): Promise<CrawlProgress & { outcomes: Map<string, Outcome> }> {
      const outcomes = new Map<string, Outcome>();
      const progress = await run(paths.filter((p) => p.startsWith('/') && !isDenied(p.split('?')[0]!, scope.deny)), false, outcomes);
      return { ...progress, outcomes };
    },
  };
}
