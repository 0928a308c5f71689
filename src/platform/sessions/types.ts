/**
 * Short-lived shared state with expiry: sign-in sessions, and the OAuth
 * provider's codes, grants and tokens. In memory for one process, in Redis
 * when several processes must see the same sessions. Both adapters pass
 * `contract.ts`.
 */
export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  /** The value stored under `key`, or undefined when there is none or it has expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON-serialisable value for `ttlMs` milliseconds, replacing any earlier one. */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `member` to the set at `key`, which then lives `ttlMs` from now (an index such as "tokens of this grant"). */
  addToSet(key: string, member: string, ttlMs: number): Promise<void>;
  /** The members of the set at `key`; empty when there is none. */
  members(key: string): Promise<string[]>;
  /** Throws unless the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
