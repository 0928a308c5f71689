import type { SessionStore } from './types.ts';

interface Entry {
  value: unknown;
  expires: number;
}

/**
 * Sessions in this process's memory: what embedded mode uses. Values are
 * stored as JSON text, so a caller mutating what it got never changes the
 * stored copy, as with Redis.
 */
export function createMemorySessionStore({ now = Date.now }: { now?: () => number } = {}): SessionStore {
  const values = new Map<string, Entry>();
  const sets = new Map<string, { members: Set<string>; expires: number }>();
  let sweeps = 0;

  // Expired entries are dropped lazily on read, plus a sweep every 1000 writes so unread ones do not pile up.
  const sweep = () => {
    if (++sweeps % 1000 !== 0) return;
    const t = now();
    for (const [k, e] of values) if (e.expires <= t) values.delete(k);
    for (const [k, e] of sets) if (e.expires <= t) sets.delete(k);
  };

  return {
    kind: 'memory',
    async get<T>(key: string) {
      const e = values.get(key);
      if (!e) return undefined;
      if (e.expires <= now()) {
        values.delete(key);
        return undefined;
      }
      return JSON.parse(e.value as string) as T;
    },
    async set(key, value, ttlMs) {
      sweep();
      values.set(key, { value: JSON.stringify(value), expires: now() + ttlMs });
    },
    async delete(key) {
      values.delete(key);
      sets.delete(key);
    },
    async addToSet(key, member, ttlMs) {
      sweep();
      const e = sets.get(key);
      const live = e && e.expires > now() ? e.members : new Set<string>();
      live.add(member);
      sets.set(key, { members: live, expires: now() + ttlMs });
    },
    async members(key) {
      const e = sets.get(key);
      return e && e.expires > now() ? [...e.members] : [];
    },
    async ping() {},
    async close() {
      values.clear();
      sets.clear();
    },
  };
}
