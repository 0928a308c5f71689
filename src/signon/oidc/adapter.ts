import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SessionStore } from '../../platform/sessions/index.ts';

// An index of a grant's codes and tokens lives as long as the longest of them can.
const GRANT_INDEX_MS = 30 * 24 * 3_600_000;
// For the rare model stored without an expiry.
const DEFAULT_MS = 14 * 24 * 3_600_000;

/**
 * oidc-provider's storage (codes, tokens, grants, its sessions and
 * interactions) on the platform's session store, so that in services mode
 * every signon process shares them through Redis.
 */
export function sessionStoreAdapter(store: SessionStore): new (name: string) => Adapter {
  return class SessionStoreAdapter implements Adapter {
    constructor(private readonly name: string) {}

    private key(id: string): string {
      return `oidc:${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const ttl = expiresIn ? expiresIn * 1000 : DEFAULT_MS;
      await store.set(this.key(id), payload, ttl);
      if (payload.grantId) await store.addToSet(`oidc:grant:${payload.grantId}`, this.key(id), GRANT_INDEX_MS);
      if (payload.uid) await store.set(this.key(`uid:${payload.uid}`), id, ttl);
      if (payload.userCode) await store.set(this.key(`user-code:${payload.userCode}`), id, ttl);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return store.get<AdapterPayload>(this.key(id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await store.get<string>(this.key(`uid:${uid}`));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await store.get<string>(this.key(`user-code:${userCode}`));
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      const payload = await this.find(id);
      if (!payload) return;
      const ttl = typeof payload.exp === 'number' ? payload.exp * 1000 - Date.now() : DEFAULT_MS;
      if (ttl > 0) await store.set(this.key(id), { ...payload, consumed: Math.floor(Date.now() / 1000) }, ttl);
    }

    async destroy(id: string): Promise<void> {
      await store.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const index = `oidc:grant:${grantId}`;
      for (const key of await store.members(index)) await store.delete(key);
      await store.delete(index);
    }
  };
}
