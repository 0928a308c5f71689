#!/usr/bin/env node
// Node 20's test runner takes paths, not globs, and cannot strip types: find the
// files here and run them through tsx.
//   default:     every *.test.ts on PGlite (no server needed)
//   --services:  every *.test.ts again on PostgreSQL, plus *.services.test.ts
//                (tests that need real PostgreSQL, RabbitMQ or Redis)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const services = process.argv.includes('--services');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

let files = [...find('src'), ...find('test')].sort();
if (!services) files = files.filter((f) => !f.endsWith('.services.test.ts'));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const env = { ...process.env };
if (services) env.PORTICO_TEST_DATABASE ??= 'postgres';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
