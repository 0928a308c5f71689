import type { Logger } from '../log.ts';
import { createMemorySessionStore } from './memory.ts';
import { openRedisSessionStore } from './redis.ts';
import type { SessionStore } from './types.ts';

export type { SessionStore } from './types.ts';

/** Redis when REDIS_URL is set (services mode), else this process's memory. */
export function openSessionStore(redisUrl: string | undefined, log: Logger): Promise<SessionStore> {
  return redisUrl ? openRedisSessionStore(redisUrl, { log }) : Promise.resolve(createMemorySessionStore());
}
