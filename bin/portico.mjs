#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a checkout works without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
// Exit explicitly: a stopped platform has nothing left to do, and a stray handle must not keep it alive.
process.exit(await main(process.argv.slice(2)));
