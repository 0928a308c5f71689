import { silentLogger } from '../log.ts';
import { busContract } from './contract.ts';
import { createMemoryBus } from './memory.ts';

busContract('memory', { open: async () => createMemoryBus({ log: silentLogger() }), timeoutMs: 5000 });
