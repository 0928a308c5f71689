import { createClient } from 'redis';
import type { Logger } from '../log.ts';
import type { SessionStore } from './types.ts';

/**
 * Sessions in Redis, shared by every process that names the same server:
 * what services mode uses. Keys are prefixed so one Redis can serve several
 * sites. node-redis reconnects by itself; while it is away calls fail, and
 * the caller answers 503 rather than treating anyone as signed out.
 */
export async function openRedisSessionStore(url: string, opts: { log: Logger; prefix?: string }): Promise<SessionStore> {
  const prefix = opts.prefix ?? 'portico:sessions:';
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000) } });
  let lastError = '';
  client.on('error', (err: Error) => {
    // Logged once per distinct error: a down server would otherwise log on every retry.
    if (err.message !== lastError) opts.log.warn({ err }, 'redis session store error');
    lastError = err.message;
  });
  client.on('ready', () => {
    lastError = '';
  });
  await client.connect();
  const k = (key: string) => prefix + key;

  return {
    kind: 'redis',
    async get<T>(key: string) {
      const raw = await client.get(k(key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlMs) {
      await client.set(k(key), JSON.stringify(value), { expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) } });
    },
    async delete(key) {
      await client.del(k(key));
    },
    async addToSet(key, member, ttlMs) {
      await client.multi().sAdd(k(key), member).pExpire(k(key), Math.max(1, Math.round(ttlMs))).exec();
    },
    async members(key) {
      return client.sMembers(k(key));
    },
    async ping() {
      await client.ping();
    },
    async close() {
      client.destroy();
    },
  };
}
