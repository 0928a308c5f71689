/**
 * Where signed-in sessions and logins in progress are kept, by a random key
 * the browser holds in a cookie. Memory by default; a shared store (Redis)
 * lets several processes of one app serve the same browser.
 */
export interface SessionStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A store in this process's memory. Entries expire by the injected clock; past
 * `maxEntries` the oldest go first, so a flood of abandoned logins cannot grow
 * it without bound.
 */
export function memorySessionStore({ now = Date.now, maxEntries = 100_000 }: { now?: () => number; maxEntries?: number } = {}): SessionStore {
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    async get(key) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (hit.expires <= now()) {
        entries.delete(key);
        return undefined;
      }
      return structuredClone(hit.value);
    },
    async set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value: structuredClone(value), expires: now() + ttlMs });
      // A Map iterates in insertion order: the first key is the oldest write.
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
