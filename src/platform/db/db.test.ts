import { dbContract } from './contract.ts';
import { openTestDb } from './testing.ts';

dbContract(() => openTestDb());
