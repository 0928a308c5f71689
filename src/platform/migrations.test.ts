import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from './db/postgres.ts';
import { openTestDb, type TestDb } from './db/testing.ts';
import { silentLogger } from './log.ts';
import { migrate } from './migrations.ts';

let t: TestDb;
const dirs: string[] = [];

before(async () => {
  t = await openTestDb();
});

after(async () => {
  await t.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function ledger(schema: string): Promise<string[]> {
  const { rows } = await t.db.query<{ name: string }>(
    'SELECT name FROM public.portico_migrations WHERE schema_name = $1 ORDER BY name',
    [schema],
  );
  return rows.map((r) => r.name);
}

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await t.db.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

test('applies the files in name order, in the given schema, and records each', async () => {
  const dir = migrationsDir({
    // Each file needs the one before it, so any other order fails.
    '010-third.sql': 'INSERT INTO things (id, note) VALUES (2, (SELECT note FROM notes));',
    '002-second.sql': "ALTER TABLE things ADD COLUMN note text; CREATE TABLE notes (note text); INSERT INTO notes VALUES ('hi');",
    '001-first.sql': 'CREATE TABLE things (id int PRIMARY KEY); INSERT INTO things VALUES (1);',
    'README.md': 'not a migration',
  });
  assert.deepEqual(await migrate(t.db, { schema: 'mig_order', dir }), ['001-first.sql', '002-second.sql', '010-third.sql']);
  assert.deepEqual(await tablesIn('mig_order'), ['notes', 'things']);
  assert.deepEqual(await tablesIn('public'), ['portico_migrations']);
  assert.deepEqual((await t.db.query('SELECT id, note FROM mig_order.things ORDER BY id')).rows, [
    { id: 1, note: null },
    { id: 2, note: 'hi' },
  ]);
  assert.deepEqual(await ledger('mig_order'), ['001-first.sql', '002-second.sql', '010-third.sql']);
  // The schema was put on the search_path for the migrations only.
  assert.deepEqual((await t.db.query('SELECT current_schemas(false)::text[] AS path')).rows, [{ path: ['public'] }]);
});

test('a second run applies nothing, and a later run applies only the new files', async () => {
  const dir = migrationsDir({ '001-a.sql': 'CREATE TABLE a (id int);' });
  assert.deepEqual(await migrate(t.db, { schema: 'mig_again', dir }), ['001-a.sql']);
  assert.deepEqual(await migrate(t.db, { schema: 'mig_again', dir }), []);

  writeFileSync(join(dir, '002-b.sql'), 'CREATE TABLE b (id int);');
  assert.deepEqual(await migrate(t.db, { schema: 'mig_again', dir }), ['002-b.sql']);
  assert.deepEqual(await ledger('mig_again'), ['001-a.sql', '002-b.sql']);

  // The ledger is per schema: the same files apply again to another.
  assert.deepEqual(await migrate(t.db, { schema: 'mig_again_other', dir }), ['001-a.sql', '002-b.sql']);
  assert.deepEqual(await tablesIn('mig_again_other'), ['a', 'b']);
});

test('a failing migration is rolled back whole, leaves no ledger row, and stops the ones after it', async () => {
  const dir = migrationsDir({
    '001-ok.sql': 'CREATE TABLE kept (id int);',
    '002-broken.sql': 'CREATE TABLE partial (id int); INSERT INTO partial VALUES (1); INSERT INTO kept VALUES (1); SELECT 1 / 0;',
    '003-later.sql': 'CREATE TABLE later (id int);',
  });
  await assert.rejects(migrate(t.db, { schema: 'mig_fail', dir }), /division by zero/);
  assert.deepEqual(await ledger('mig_fail'), ['001-ok.sql']);
  assert.deepEqual(await tablesIn('mig_fail'), ['kept']);
  assert.deepEqual((await t.db.query('SELECT * FROM mig_fail.kept')).rows, []);

  writeFileSync(join(dir, '002-broken.sql'), 'CREATE TABLE partial (id int);');
  assert.deepEqual(await migrate(t.db, { schema: 'mig_fail', dir }), ['002-broken.sql', '003-later.sql']);
});

test('concurrent runs, from one process or two, apply each file exactly once', async () => {
  const dir = migrationsDir({
    '001-log.sql': 'CREATE TABLE log (n int);',
    '002-two.sql': 'INSERT INTO log VALUES (2);',
    '003-three.sql': 'INSERT INTO log VALUES (3);',
  });
  // On PostgreSQL, a second pool stands in for a second process starting at the same moment.
  const other = t.url ? await openPostgres(t.url, { log: silentLogger() }) : t.db;
  try {
    const runs = await Promise.all([
      migrate(t.db, { schema: 'mig_race', dir }),
      migrate(other, { schema: 'mig_race', dir }),
      migrate(t.db, { schema: 'mig_race', dir }),
    ]);
    assert.deepEqual(runs.flat().sort(), ['001-log.sql', '002-two.sql', '003-three.sql']);
  } finally {
    if (other !== t.db) await other.close();
  }
  assert.deepEqual((await t.db.query('SELECT n FROM mig_race.log ORDER BY n')).rows, [{ n: 2 }, { n: 3 }]);
  assert.deepEqual(await ledger('mig_race'), ['001-log.sql', '002-two.sql', '003-three.sql']);
});
