import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TEST_DATABASE } from '../src/platform/db/testing.ts';

const BIN = new URL('../bin/portico.mjs', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let env: NodeJS.ProcessEnv;
let dir: string;
let dropDatabase: (() => Promise<void>) | undefined;

function portico(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));
  env = { ...process.env, PORTICO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  if (TEST_DATABASE === 'postgres') {
    const created = await createTestDatabase();
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
});
after(async () => {
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('arguments', () => {
  test('--help prints usage and exits 0', async () => {
    const r = await portico(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: portico/);
    assert.match(r.stdout, /routes import FILE/);
  });

  const BAD: [string[], RegExp][] = [
    [[], /no command/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['start', '--target', 'router-live,teapot'], /unknown target "teapot"/],
    [['routes', 'import'], /one FILE/],
    [['routes', 'list', '--stack', 'staging'], /--stack must be live or draft/],
    [['routes', 'dance'], /unknown routes command/],
    [['start', '--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, message] of BAD) {
    test(`portico ${args.join(' ') || '(nothing)'} exits 2 saying what was wrong`, async () => {
      const r = await portico(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  test('a bad configuration value exits 2 naming the variable', async () => {
    const r = await portico(['routes', 'list'], { PORTICO_PORT_WWW: 'eighty', ROUTER_BACKEND_CONNECT_TIMEOUT: 'soon' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PORTICO_PORT_WWW: must be a port number/);
    assert.match(r.stderr, /ROUTER_BACKEND_CONNECT_TIMEOUT: must be a duration/);
  });
});

describe('routes import and list', () => {
  test('a file with bad lines is refused whole, each problem with its line and field', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      [
        '{"backend_id":"frontend","backend_url":"http://127.0.0.1:8093/"}',
        '{"incoming_path":"/fine","route_type":"exact","handler":"backend","backend_id":"frontend"}',
        '{"incoming_path":"no-slash","route_type":"exact","handler":"gone"}',
        '{"incoming_path":"/r","route_type":"exact","handler":"redirect"}',
      ].join('\n'),
    );
    const r = await portico(['routes', 'import', file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /bad\.jsonl:3: incoming_path must start with \//);
    assert.match(r.stdout, /bad\.jsonl:4: redirect_to is required/);
    assert.match(r.stdout, /nothing imported/);
    const list = await portico(['routes', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout.trim(), '', 'not even the good lines were written');
  });

  test('a good file is imported into the chosen stack and listed back', async () => {
    const file = join(dir, 'good.jsonl');
    const lines = [
      { backend_id: 'frontend', backend_url: 'http://127.0.0.1:8093/' },
      { incoming_path: '/help', route_type: 'prefix', handler: 'backend', backend_id: 'frontend' },
      { incoming_path: '/old', route_type: 'exact', handler: 'redirect', redirect_to: '/help', redirect_type: 'temporary' },
      { incoming_path: '/retired', route_type: 'exact', handler: 'gone' },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await portico(['routes', 'import', file, '--stack', 'draft']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /imported 1 backend\(s\) and 3 route\(s\) into the draft stack/);

    const draft = await portico(['routes', 'list', '--stack', 'draft', '--json']);
    const listed = draft.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(new Set(listed.map((l) => JSON.stringify(l))), new Set(lines.map((l) => JSON.stringify(l))));

    const live = await portico(['routes', 'list']);
    assert.match(live.stdout, /0 route\(s\), 0 backend\(s\) in the live stack/);
  });

  test('a missing file is a usage error', async () => {
    const r = await portico(['routes', 'import', join(dir, 'nope.jsonl')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read .*nope\.jsonl: ENOENT/);
  });
});

describe('tokens', () => {
  test('create prints the token alone on the last line; list shows it without the token; revoke ends it', async () => {
    const r = await portico(['tokens', 'create', '--name', 'whitehall']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const token = lines.at(-1)!;
    assert.match(token, /^portico_[A-Za-z0-9_-]{40,}$/);
    assert.match(lines[0]!, /publishing-api\.read, publishing-api\.write/);
    const list = await portico(['tokens', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /active .* whitehall\s+\[publishing-api\.read, publishing-api\.write\]/);
    assert.ok(!list.stdout.includes(token), 'the token itself is never shown again');
    const id = /^([0-9a-f-]{36})\s+active .*whitehall/m.exec(list.stdout)![1]!;
    assert.equal((await portico(['tokens', 'revoke', id])).code, 0);
    assert.match((await portico(['tokens', 'list'])).stdout, new RegExp(`${id}\\s+revoked`));
    assert.equal((await portico(['tokens', 'revoke', id])).code, 1, 'revoking twice says there is no such active token');
  });

  for (const [args, message] of [
    [['tokens', 'create'], /needs --name/],
    [['tokens', 'create', '--name', 'x', '--permissions', 'root'], /unknown permission "root"/],
    [['tokens', 'revoke'], /one token id/],
    [['tokens', 'mint'], /unknown tokens command/],
  ] as [string[], RegExp][]) {
    test(`portico ${args.join(' ')} exits 2 saying what was wrong`, async () => {
      const r = await portico(args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

describe('seed', () => {
  test('publishes the demo documents through the Publishing API: their routes reach both stacks', async () => {
    const r = await portico(['seed']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /seeded 12 published and 1 draft document\(s\)/);
    const live = (await portico(['routes', 'list', '--stack', 'live', '--json'])).stdout;
    assert.match(live, /"incoming_path":"\/keeping-bees"/);
    assert.doesNotMatch(live, /apply-for-a-village-hall-grant/, 'the draft is not live');
    assert.match((await portico(['routes', 'list', '--stack', 'draft', '--json'])).stdout, /apply-for-a-village-hall-grant/);
  });

  test('--api without --token is a usage error', async () => {
    const r = await portico(['seed', '--api', 'http://127.0.0.1:1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--api needs --token/);
  });
});
