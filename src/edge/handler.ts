import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Bouncer } from '../bouncer/types.ts';
import type { MirrorReader } from '../mirror/types.ts';
import { REQUEST_ID_HEADER, type Logger } from '../platform/log.ts';
import { sendError, sendJson, sendRedirect, UNAVAILABLE, UNKNOWN_HOST } from './answers.ts';
import { cacheKey, pathOf } from './cache-key.ts';
import { freshness, type PolicyDefaults } from './cache-policy.ts';
import { chooseEncoding, type Encoding } from './encoding.ts';
import type { Entry } from './entry.ts';
import { APEX, RETIRED, WWW, type HostKind } from './hosts.ts';
import { originRequestFields, type createOrigin, type OriginResponse } from './origin.ts';
import { answerOps, OPS_PREFIX, type EdgeCounts } from './ops.ts';
import { PURGE_TOKEN_HEADER } from './purge-types.ts';
import { RequestFields } from './request-fields.ts';
import { passedFields, storedResponse } from './stored-response.ts';
import { variantId, type CacheStore } from './store.ts';

export type { EdgeCounts } from './ops.ts';

export interface EdgeHandlerDeps {
  store: CacheStore;
  origin: ReturnType<typeof createOrigin>;
  mirror: MirrorReader;
  bouncer: Bouncer;
  classify: (host: string | undefined) => HostKind;
  /** Where the apex host redirects to: www's origin, no trailing slash. */
  wwwOrigin: string;
  purgeToken: string;
  policy: PolicyDefaults;
  /** How long a page from the mirror is kept before origin is tried again. */
  mirrorTtlMs: number;
  /** How long a key whose response was uncacheable goes straight to origin, without waiting on another request. */
  passTtlMs: number;
  now: () => number;
  log: Logger;
  /** False while the edge drains. */
  ready: () => boolean;
}

type Outcome =
  | { kind: 'stored'; entry: Entry; ms: number }
  | { kind: 'uncacheable'; response: OriginResponse }
  | { kind: 'failed' };

const HIT_TIMING = 'cacheHit;dur=0';
const STALE_TIMING = 'cacheHit;desc="stale";dur=0';
const MIRROR_TIMING = 'cacheHit;desc="mirror";dur=0';

/** Age values as strings, made once: a hit sends one without building it. */
const AGES: string[] = [];
function ageOf(ms: number): string {
  const s = ms > 0 ? Math.floor(ms / 1000) : 0;
  if (s >= 4096) return String(s);
  return (AGES[s] ??= String(s));
}

/**
 * The edge's request handler: purges, its own health paths, then by Host:
 * www served from the cache (HIT, else one origin request per key however
 * many ask at once, MISS), stale copies answered at once while refreshed
 * behind them, and when origin fails (5xx or no answer) the stale copy, the
 * mirror's, or a 503 page; the apex redirected to www; retired sites'
 * hosts handed to the bouncer; other hosts 404. Methods other than GET and
 * HEAD go to origin uncached.
 */
export function createEdgeHandler(d: EdgeHandlerDeps) {
  const { store, origin, log, now } = d;
  const counts: EdgeCounts = { hit: 0, miss: 0, stale: 0, mirror: 0, pass: 0, unavailable: 0, redirect: 0, retired: 0, unknownHost: 0, purge: 0, originFailure: 0 };
  const inflight = new Map<string, Promise<Outcome>>();
  const mirrorReads = new Map<string, Promise<Entry | undefined>>();
  const fields = new RequestFields();
  const expected = Buffer.from(d.purgeToken);

  function serve(res: ServerResponse, e: Entry, wanted: Encoding, label: string, timing: string, t: number, requestId: string, isHead: boolean): void {
    const v = e.variant(wanted);
    res.writeHead(e.status, e.heads[v]!.fill(label, timing, ageOf(t - e.storedAt), requestId));
    if (isHead) res.end();
    else res.end(e.bodies[v]);
  }

  /** A browser's copy is still the cached one: 304, no body. */
  function notModified(res: ServerResponse, e: Entry, wanted: Encoding, t: number, requestId: string): void {
    res.writeHead(304, e.notModified[e.variant(wanted)]!.fill('HIT', HIT_TIMING, ageOf(t - e.storedAt), requestId));
    res.end();
  }

  /** The stored copy this request would get, fresh or not. */
  function lookup(key: string, req: IncomingMessage): Entry | undefined {
    const e = store.get(key);
    if (e !== undefined) return e;
    const vary = store.varyFields(key);
    return vary === undefined ? undefined : store.get(variantId(key, varyValues(req, vary)));
  }

  /** One origin request per key at a time; concurrent askers share its outcome. */
  function shared(key: string, req: IncomingMessage, requestId: string): { outcome: Promise<Outcome>; mine: boolean } {
    const running = inflight.get(key);
    if (running !== undefined) return { outcome: running, mine: false };
    const outcome = fetchAndStore(key, req, requestId).finally(() => inflight.delete(key));
    inflight.set(key, outcome);
    return { outcome, mine: true };
  }

  async function fetchAndStore(key: string, req: IncomingMessage, requestId: string): Promise<Outcome> {
    const path = pathOf(key);
    const seq = store.purgeSeq;
    let r: OriginResponse;
    try {
      // HEAD is fetched as GET, so the copy kept has a body for the GETs after it.
      r = await origin.fetch('GET', key, originRequestFields(req, requestId, true));
    } catch (err) {
      counts.originFailure++;
      log.warn({ request_id: requestId, path, err: (err as Error).message }, 'origin unreachable');
      return { kind: 'failed' };
    }
    if (r.status >= 500) {
      counts.originFailure++;
      log.warn({ request_id: requestId, path, status: r.status }, 'origin failed');
      return { kind: 'failed' };
    }
    const t = now();
    const life = freshness(r.status, r.headers, t, d.policy);
    if (!life.store) {
      store.pass(key, t + d.passTtlMs);
      return { kind: 'uncacheable', response: r };
    }
    const { entry, varyFields } = await storedResponse({ key, path, varyValues: (f) => varyValues(req, f), status: r.status, headers: r.headers, body: r.body, now: t, life, source: 'origin' });
    // Fetched across a purge of its path: the askers get it, the next request fetches again.
    if (store.purgedSince(path, seq)) entry.markPurged(now());
    store.put(key, entry, varyFields);
    return { kind: 'stored', entry, ms: r.ms };
  }

  function miss(req: IncomingMessage, res: ServerResponse, key: string, wanted: Encoding, requestId: string, isHead: boolean): void {
    const { outcome, mine } = shared(key, req, requestId);
    outcome.then(
      (o) => {
        if (res.destroyed) return;
        switch (o.kind) {
          case 'stored': {
            const e = o.entry;
            const vary = store.varyFields(key);
            // A coalesced asker whose Vary values differ from the first one's needs its own copy.
            if (!mine && e.id !== (vary === undefined ? key : variantId(key, varyValues(req, vary)))) {
              pass(req, res, key, requestId);
              return;
            }
            counts.miss++;
            serve(res, e, wanted, 'MISS', `cacheMiss;dur=${o.ms.toFixed(1)}`, now(), requestId, isHead);
            return;
          }
          case 'uncacheable':
            if (mine) sendPassed(res, o.response, requestId, isHead);
            else pass(req, res, key, requestId);
            return;
          case 'failed':
            void failover(req, res, key, wanted, requestId, isHead);
            return;
        }
      },
      (err: Error) => {
        log.error({ err, request_id: requestId, key }, 'edge fetch failed');
        if (!res.headersSent) UNAVAILABLE.send(res, requestId, isHead);
        else res.destroy();
      },
    );
  }

  /** Origin failed: the stale copy, else the mirror's page, else the 503 page. */
  async function failover(req: IncomingMessage, res: ServerResponse, key: string, wanted: Encoding, requestId: string, isHead: boolean): Promise<void> {
    const t = now();
    const stale = lookup(key, req);
    if (stale !== undefined && t < stale.errorUntil) {
      if (stale.source === 'mirror') counts.mirror++;
      else counts.stale++;
      serve(res, stale, wanted, stale.source === 'mirror' ? 'MIRROR' : 'STALE', stale.source === 'mirror' ? MIRROR_TIMING : STALE_TIMING, t, requestId, isHead);
      return;
    }
    const page = await mirrorCopy(key, requestId);
    if (res.destroyed) return;
    if (page !== undefined) {
      counts.mirror++;
      serve(res, page, wanted, 'MIRROR', MIRROR_TIMING, now(), requestId, isHead);
      return;
    }
    counts.unavailable++;
    UNAVAILABLE.send(res, requestId, isHead);
  }

  /** The mirror's copy of the key's path, read once however many ask, and kept for mirrorTtlMs. */
  function mirrorCopy(key: string, requestId: string): Promise<Entry | undefined> {
    const running = mirrorReads.get(key);
    if (running) return running;
    const read = (async () => {
      const path = pathOf(key);
      let page;
      try {
        page = await d.mirror.read(path);
      } catch (err) {
        log.warn({ request_id: requestId, path, err: (err as Error).message }, 'mirror read failed');
        return undefined;
      }
      if (page === undefined) return undefined;
      const t = now();
      const { entry } = await storedResponse({
        key,
        path,
        varyValues: () => [],
        status: 200,
        headers: { 'content-type': page.contentType, 'cache-control': `max-age=${Math.round(d.mirrorTtlMs / 1000)}`, 'last-modified': page.savedAt.toUTCString() },
        body: page.body,
        now: t,
        life: { ttlMs: d.mirrorTtlMs, staleWhileRevalidateMs: 0, staleIfErrorMs: d.policy.staleIfErrorMs },
        source: 'mirror',
      });
      if (d.mirrorTtlMs > 0) store.put(key, entry);
      return entry;
    })().finally(() => mirrorReads.delete(key));
    mirrorReads.set(key, read);
    return read;
  }

  /** Refreshes a stale copy behind the answer already given; failure leaves the stale copy in place. */
  function revalidate(key: string, req: IncomingMessage, requestId: string): void {
    if (inflight.has(key)) return;
    shared(key, req, requestId).outcome.catch((err: Error) => log.error({ err, key }, 'background revalidation failed'));
  }

  /** An uncacheable response already read whole. */
  function sendPassed(res: ServerResponse, r: OriginResponse, requestId: string, isHead: boolean): void {
    counts.pass++;
    res.writeHead(r.status, [
      ...passedFields(r.headers),
      'content-length',
      String(r.body.length),
      'x-cache',
      'PASS',
      'server-timing',
      `cacheMiss;desc="pass";dur=${r.ms.toFixed(1)}`,
      REQUEST_ID_HEADER,
      requestId,
    ]);
    if (isHead) res.end();
    else res.end(r.body);
  }

  /** Streams the request to origin and the answer back, nothing kept. */
  function pass(req: IncomingMessage, res: ServerResponse, target: string, requestId: string): void {
    counts.pass++;
    const started = performance.now();
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    origin.pool
      .request({ method, path: target, headers: originRequestFields(req, requestId, false), body: hasBody ? req : undefined })
      .then(
        (r) => {
          if (res.destroyed) {
            r.body.destroy();
            return;
          }
          res.writeHead(r.statusCode, [
            ...passedFields(r.headers),
            'x-cache',
            'PASS',
            'server-timing',
            `cacheMiss;desc="pass";dur=${(performance.now() - started).toFixed(1)}`,
            REQUEST_ID_HEADER,
            requestId,
          ]);
          pipeline(r.body, res, (err) => {
            if (err && !res.destroyed) res.destroy();
          });
        },
        (err: Error) => {
          counts.originFailure++;
          log.warn({ request_id: requestId, method, err: err.message }, 'origin failed a passed request');
          if (res.headersSent) res.destroy();
          else {
            counts.unavailable++;
            UNAVAILABLE.send(res, requestId, method === 'HEAD');
          }
        },
      );
  }

  function purgeRequest(res: ServerResponse, target: string, token: string | undefined, soft: string | undefined, requestId: string): void {
    if (token === undefined || token === '') {
      sendError(res, 401, 'purge_token_missing', `PURGE needs the ${PURGE_TOKEN_HEADER} header`, requestId);
      return;
    }
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      sendError(res, 403, 'purge_token_invalid', `the ${PURGE_TOKEN_HEADER} header does not hold the purge token`, requestId);
      return;
    }
    const path = pathOf(target);
    if (!path.startsWith('/')) {
      sendError(res, 400, 'purge_path_invalid', 'PURGE takes a path starting with /', requestId);
      return;
    }
    const isSoft = soft === '1' || soft === 'true';
    const purged = purge([path], isSoft);
    sendJson(res, 200, { status: 'ok', path, soft: isSoft, purged }, requestId);
  }

  function purge(paths: readonly string[], soft: boolean): number {
    const t = now();
    let n = 0;
    for (const path of paths) n += store.purge(path, soft, t);
    counts.purge += paths.length;
    return n;
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const f = fields.read(req.rawHeaders);
    const requestId = f.requestId || randomUUID();
    let target = req.url ?? '/';
    if (target.charCodeAt(0) !== 47) target = originForm(target);
    const method = req.method;
    const isHead = method === 'HEAD';

    if (method === 'PURGE') return purgeRequest(res, target, f.purgeToken, f.softPurge, requestId);
    if (target.startsWith(OPS_PREFIX)) return answerOps(res, pathOf(target), requestId, { counts, store, ready: d.ready() });

    const kind = d.classify(f.host);
    if (kind !== WWW) {
      if (kind === APEX) {
        counts.redirect++;
        return sendRedirect(res, d.wwwOrigin + target, requestId, isHead);
      }
      if (kind === RETIRED) {
        counts.retired++;
        d.bouncer.handle(req, res).catch((err: Error) => {
          log.error({ err, request_id: requestId }, 'bouncer failed');
          if (!res.headersSent) sendError(res, 500, 'bouncer_failed', 'the redirect for this host could not be made', requestId);
          else res.destroy();
        });
        return;
      }
      counts.unknownHost++;
      return UNKNOWN_HOST.send(res, requestId, isHead);
    }

    if (method !== 'GET' && !isHead) return pass(req, res, target, requestId);

    const key = cacheKey(target);
    const wanted = chooseEncoding(f.acceptEncoding);
    const e = lookup(key, req);
    const t = now();
    if (e !== undefined) {
      if (t < e.freshUntil) {
        store.touch(e);
        if (e.source === 'mirror') {
          counts.mirror++;
          return serve(res, e, wanted, 'MIRROR', MIRROR_TIMING, t, requestId, isHead);
        }
        counts.hit++;
        if (f.ifNoneMatch !== undefined && e.matches(f.ifNoneMatch)) return notModified(res, e, wanted, t, requestId);
        return serve(res, e, wanted, 'HIT', HIT_TIMING, t, requestId, isHead);
      }
      if (t < e.revalidateUntil) {
        counts.stale++;
        serve(res, e, wanted, 'STALE', STALE_TIMING, t, requestId, isHead);
        return revalidate(key, req, requestId);
      }
    }
    if (t < store.passUntil(key)) return pass(req, res, key, requestId);
    miss(req, res, key, wanted, requestId, isHead);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      route(req, res);
    } catch (err) {
      log.error({ err }, 'edge request failed');
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'edge_error', 'the edge could not answer this request', randomUUID());
    }
  }

  /** Resolves once no origin fetch or mirror read is running (background revalidations included). */
  async function idle(): Promise<void> {
    while (inflight.size > 0 || mirrorReads.size > 0) await Promise.allSettled([...inflight.values(), ...mirrorReads.values()]);
  }

  return { handle, purge, counts, idle };
}

function varyValues(req: IncomingMessage, fields: readonly string[]): string[] {
  return fields.map((name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v ?? '';
  });
}

/** An absolute-form target (`GET http://host/path`) reduced to its path and query. */
function originForm(target: string): string {
  try {
    const u = new URL(target);
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}
