import type { Mapping } from './mappings.ts';

/**
 * The mappings (and the absence of one) requests have looked up lately,
 * least recently used dropped first. The bouncer clears it whenever the
 * transition data changes; a lookup that began before a clear is not kept,
 * since it may have read what the change replaced.
 */
export class MappingCache {
  private readonly entries = new Map<string, Mapping | null>();
  private generation = 0;

  constructor(private readonly limit: number) {}

  /** The cached answer: a mapping, null for none, undefined when not cached. */
  get(siteId: number, path: string): Mapping | null | undefined {
    const key = `${siteId} ${path}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** Looks up through the cache; `load` reads the database. */
  async lookup(siteId: number, path: string, load: () => Promise<Mapping | undefined>): Promise<Mapping | undefined> {
    const hit = this.get(siteId, path);
    if (hit !== undefined) return hit ?? undefined;
    const started = this.generation;
    const found = await load();
    if (this.limit > 0 && started === this.generation) {
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(`${siteId} ${path}`, found ?? null);
    }
    return found;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
