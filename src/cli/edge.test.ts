import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../platform/config.ts';
import { edgeVclCommand } from './edge.ts';
import { UsageError } from './routes.ts';

const config = loadConfig({ PORTICO_PORT_ROUTER_LIVE: '9084', PORTICO_PUBLIC_ORIGIN: 'https://www.example.gov' });
const TOKEN = 'a-purge-token-of-some-length';

function run(flags: Parameters<typeof edgeVclCommand>[0]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = edgeVclCommand(flags, config, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('without flags the VCL points at the configured live router and the mirror port', () => {
  const r = run({ 'purge-token': TOKEN });
  assert.equal(r.code, 0);
  assert.match(r.out, /^vcl 4\.1;/);
  assert.match(r.out, /backend origin \{\s+\.host = "127\.0\.0\.1";\s+\.port = "9084";/);
  assert.match(r.out, /backend mirror \{\s+\.host = "127\.0\.0\.1";\s+\.port = "8101";/);
  assert.match(r.out, /set req\.http\.host = "www\.example\.gov";/, 'the public origin is the canonical www host');
  assert.match(r.out, /req\.http\.Portico-Host == "localhost"/, 'the loopback names are www too, as at the edge');
});

test('--out writes the file and says so on stderr; flags override the configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-vcl-'));
  try {
    const file = join(dir, 'www.vcl');
    const r = run({ 'purge-token': TOKEN, out: file, origin: 'http://10.1.1.1:80', 'www-host': 'www.test', 'apex-host': 'test', 'default-ttl': '600' });
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    assert.match(r.err, /wrote .*www\.vcl/);
    const vcl = readFileSync(file, 'utf8');
    assert.match(vcl, /\.host = "10\.1\.1\.1";\s+\.port = "80";/);
    assert.match(vcl, /req\.http\.Portico-Host == "test"/);
    assert.match(vcl, /set beresp\.ttl = 600s;/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is a usage error naming the flag', () => {
  assert.throws(() => run({}), (e: unknown) => e instanceof UsageError && /needs a purge token/.test(e.message));
  assert.throws(() => run({ 'purge-token': TOKEN, 'default-ttl': '1h' }), (e: unknown) => e instanceof UsageError && /^--default-ttl: .*"1h"/.test(e.message));
  assert.throws(() => run({ 'purge-token': TOKEN, mirror: 'https://mirror' }), (e: unknown) => e instanceof UsageError && /^--mirror: Varnish backends are plain http/.test(e.message));
  assert.throws(() => run({ 'purge-token': 'short' }), (e: unknown) => e instanceof UsageError && /^--purge-token: must be at least 16/.test(e.message));
});
