import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { createTestDatabase, TEST_DATABASE } from '../src/platform/db/testing.ts';

// `portico transition ...` run in this process (main reads its configuration
// from process.env), so each command costs an open of the database and not a
// new Node process.
let dir: string;
let dropDatabase: (() => Promise<void>) | undefined;
const saved = { PORTICO_DATA_DIR: process.env.PORTICO_DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };

async function portico(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['transition', ...args], (line) => (stdout += `${line}\n`), (line) => (stderr += `${line}\n`));
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-transition-'));
  process.env.PORTICO_DATA_DIR = join(dir, 'data');
  delete process.env.DATABASE_URL;
  if (TEST_DATABASE === 'postgres') {
    const created = await createTestDatabase();
    process.env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
});
after(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

test('sites are added with their aka hosts, and bad or taken values are refused', async () => {
  const bad = await portico('site', 'add', 'old', '--host', 'http://www.old.gov.uk/', '--homepage', 'https://www.gov.uk/');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--host: "http:\/\/www\.old\.gov\.uk\/" is not a hostname/);

  const added = await portico('site', 'add', 'old', '--host', 'www.old.gov.uk', '--host', 'old.example.org', '--homepage', 'https://www.gov.uk/old',
    '--tna-timestamp', '20120816224015', '--query-params', 'id', '--organisation', 'Old Department');
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout, 'added site old: www.old.gov.uk, old.example.org, aka.old.gov.uk, aka-old.example.org\n');

  const taken = await portico('site', 'add', 'other', '--host', 'old.example.org', '--homepage', 'https://www.gov.uk/');
  assert.equal(taken.code, 1);
  assert.match(taken.stdout, /host old\.example\.org belongs to site old/);

  assert.equal((await portico('whitelist', 'add', 'www.Example.org')).stdout, 'redirects to www.example.org are allowed\n');
});

test('an import with a rejected row names each one by line and writes nothing', async () => {
  const csv = file('bad.csv', [
    'old url,new url',
    '/a,https://www.gov.uk/a',
    'http://www.other.gov.uk/b,https://www.gov.uk/b',
    '/c,https://www.example.com/c',
    '/d,TNA',
  ].join('\n'));
  const r = await portico('import', 'old', csv);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, [
    `${csv}:3: rejected http://www.other.gov.uk/b: old URL's host www.other.gov.uk is not one of the site's hosts (www.old.gov.uk, old.example.org, aka.old.gov.uk, aka-old.example.org)`,
    `${csv}:4: rejected /c: new URL's host www.example.com is not allowed: redirects go to .gov.uk, .mod.uk or .nhs.uk hosts, or to ones added with 'portico transition whitelist add'`,
    'nothing imported: 2 row(s) rejected; correct them and import the file again',
    '',
  ].join('\n'));
  assert.match((await portico('sites')).stdout, /0 redirect, 0 archive, 0 unresolved/);
});

test('an import prints what it created, updated and left alone', async () => {
  const first = file('first.csv', ['old url,new url', '/a,https://www.gov.uk/a', '/b,TNA', '/b,https://www.example.org/b', '/', '/c'].join('\n'));
  const r = await portico('import', 'old', first, '--tag', 'Batch-1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'old: 3 created, 0 updated, 0 unchanged, 0 rejected',
    '  2 row(s) ignored (a header, the homepage, or not a path or URL); 1 superseded by another row for the same path',
    '',
  ].join('\n'));

  const second = file('second.csv', '/a,https://www.gov.uk/a\n/b,TNA\n/d,TNA\n');
  const kept = await portico('import', 'old', second);
  assert.equal(kept.stdout, 'old: 1 created, 0 updated, 2 unchanged, 0 rejected\n  1 existing mapping(s) differ from the file and were kept; --update-existing overwrites them\n');
  const updated = await portico('import', 'old', second, '--update-existing');
  assert.equal(updated.stdout, 'old: 0 created, 1 updated, 2 unchanged, 0 rejected\n');

  const sites = await portico('sites');
  assert.equal(sites.stdout, [
    'old  www.old.gov.uk old.example.org aka.old.gov.uk aka-old.example.org',
    '    homepage https://www.gov.uk/old, archived 20120816224015, query params id',
    '    1 redirect, 2 archive, 1 unresolved',
    '1 site(s)',
    '',
  ].join('\n'));
});

test('an import names an unknown site or an unreadable file', async () => {
  const noSite = await portico('import', 'nosuch', file('x.csv', '/a,TNA\n'));
  assert.equal(noSite.code, 2);
  assert.match(noSite.stderr, /no transition site "nosuch"/);
  const noFile = await portico('import', 'old', join(dir, 'missing.csv'));
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /cannot read .*missing\.csv: ENOENT/);
  const notCsv = await portico('import', 'old', file('q.csv', '/a,TNA\n/b,"unclosed\n'));
  assert.equal(notCsv.code, 1);
  assert.match(notCsv.stdout, /q\.csv:2: not readable as CSV: Quote Not Closed/);
});
