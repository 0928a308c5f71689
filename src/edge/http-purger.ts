import { Agent, request } from 'undici';
import { PURGE_TOKEN_HEADER, SOFT_PURGE_HEADER, type Purger } from './purge-types.ts';

export interface HttpPurgerOptions {
  /** The Host the PURGE requests carry: the www host whose copies are purged (default: the base URL's). */
  host?: string;
  /** Milliseconds for a connection, and again for the answer (default 2000). */
  timeoutMs?: number;
  /** Further attempts after a connection error, timeout or 5xx (default 3), spaced by `retryDelayMs` doubling. */
  retries?: number;
  retryDelayMs?: number;
  /** PURGE requests in flight at once (default 8). */
  concurrency?: number;
}

/** The peer refused the token: retrying cannot help, the configuration must change. */
export class PurgeRefusedError extends Error {
  constructor(
    readonly peer: string,
    readonly status: number,
  ) {
    super(`${peer} refused the purge token (${status}): check that the edge's purge token matches the one this peer was configured with`);
    this.name = 'PurgeRefusedError';
  }
}

class RetryableError extends Error {}

/**
 * A purger for a CDN peer over HTTP (another Portico edge, or a Varnish
 * running the generated VCL): one `PURGE <path>` per path, with the token and,
 * for a soft purge, the soft header, as src/edge/purge-types.ts fixes them.
 * A 404 counts as done (nothing cached there). Resolves once every path is
 * purged; rejects naming each path that was not.
 */
export function httpPurger(baseUrl: string, token: string, options: HttpPurgerOptions = {}): Purger {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`purge peer ${baseUrl}: must be an http(s) URL`);
  if (token === '') throw new Error(`purge peer ${baseUrl}: the purge token is empty`);
  const origin = base.origin;
  const timeoutMs = options.timeoutMs ?? 2000;
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const dispatcher = new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  async function once(path: string, soft: boolean): Promise<void> {
    const headers: Record<string, string> = { [PURGE_TOKEN_HEADER]: token };
    if (soft) headers[SOFT_PURGE_HEADER] = '1';
    if (options.host) headers.host = options.host;
    let status: number;
    try {
      const res = await request(origin + path, { method: 'PURGE', headers, dispatcher });
      status = res.statusCode;
      await res.body.dump();
    } catch (err) {
      throw new RetryableError(`${(err as { code?: string }).code ?? (err as Error).message}`);
    }
    if (status === 401 || status === 403) throw new PurgeRefusedError(origin, status);
    if (status >= 500) throw new RetryableError(`status ${status}`);
    if (status >= 300 && status !== 404) throw new Error(`${origin} answered PURGE ${path} with ${status}`);
  }

  async function purgeOne(path: string, soft: boolean): Promise<void> {
    if (!path.startsWith('/')) throw new Error(`cannot purge ${JSON.stringify(path)}: a path starts with /`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(path, soft);
      } catch (err) {
        if (!(err instanceof RetryableError) || attempt >= retries) {
          throw err instanceof RetryableError ? new Error(`${origin}: PURGE ${path} failed after ${attempt + 1} attempt(s): ${err.message}`) : err;
        }
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** attempt));
      }
    }
  }

  return {
    name: `http ${origin}`,
    async purge(paths, { soft }) {
      const queue = [...new Set(paths)];
      const failures: Error[] = [];
      const worker = async () => {
        for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
          await purgeOne(path, soft).catch((err: Error) => failures.push(err));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) {
        const refused = failures.find((f) => f instanceof PurgeRefusedError);
        throw refused ?? new Error(`${failures.length} purges failed: ${failures.map((f) => f.message).join('; ')}`);
      }
    },
  };
}
