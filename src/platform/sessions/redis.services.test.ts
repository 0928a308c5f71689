import { silentLogger } from '../log.ts';
import { sessionStoreContract } from './contract.ts';
import { openRedisSessionStore } from './redis.ts';

/** The Redis the services suite uses; every key is unique to the run and short-lived. */
const TEST_REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

sessionStoreContract('redis', () => openRedisSessionStore(TEST_REDIS_URL, { log: silentLogger(), prefix: 'portico-test:' }));
