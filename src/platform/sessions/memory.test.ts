import { sessionStoreContract } from './contract.ts';
import { createMemorySessionStore } from './memory.ts';

sessionStoreContract('memory', async () => createMemorySessionStore());
