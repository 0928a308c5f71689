import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../../test/support/ports.ts';
import type { TestDb } from './testing.ts';
import { ident, type Db } from './types.ts';

/** Resolves after every queued microtask and pending I/O callback has had its turn, to give concurrent work a chance to interleave. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What every Db adapter must do, whichever database is under it. Services are
 * tested on PGlite and run on PostgreSQL, so a behaviour that differs between
 * the two is a bug that only production finds: pin it here.
 */
export function dbContract(open: () => Promise<TestDb>): void {
  describe('Db contract', () => {
    let t: TestDb;
    let db: Db;
    before(async () => {
      t = await open();
      db = t.db;
    });
    after(() => t.close());

    async function count(table: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]!.n;
    }

    test('query binds $n parameters and returns the rows', async () => {
      const { rows } = await db.query('SELECT $1::int + $2::int AS sum, $3::text AS word, $4::text AS nothing', [1, 2, 'x', null]);
      assert.deepEqual(rows, [{ sum: 3, word: 'x', nothing: null }]);
    });

    // int8 is the exception, and why this list leaves it out: PGlite gives a
    // number (a bigint past 2^53), node-postgres a string. Convert count(*) and
    // bigint columns with Number(), or cast them to int in SQL.
    test('common types come back as the same JavaScript values', async () => {
      const { rows } = await db.query(
        `SELECT 7::int AS i, 1.5::numeric AS num, 0.5::float8 AS f, true AS b, $1::jsonb AS j,
                '2024-01-02T03:04:05Z'::timestamptz AS ts, $2::text[] AS arr, $3::uuid AS id`,
        [{ a: [1, 'two'] }, ['p', 'q'], '00000000-0000-4000-8000-000000000001'],
      );
      assert.deepEqual(rows[0], {
        i: 7,
        num: '1.5',
        f: 0.5,
        b: true,
        j: { a: [1, 'two'] },
        ts: new Date('2024-01-02T03:04:05Z'),
        arr: ['p', 'q'],
        id: '00000000-0000-4000-8000-000000000001',
      });
    });

    test('affectedRows counts the rows an INSERT, UPDATE or DELETE wrote', async () => {
      await db.exec('CREATE TABLE affected (id int PRIMARY KEY, v text)');
      assert.equal((await db.query("INSERT INTO affected VALUES (1, 'a'), (2, 'a'), (3, 'b')")).affectedRows, 3);
      assert.equal((await db.query("UPDATE affected SET v = 'c' WHERE v = $1", ['a'])).affectedRows, 2);
      assert.equal((await db.query('DELETE FROM affected WHERE id = $1', [3])).affectedRows, 1);
      assert.equal((await db.query('DELETE FROM affected WHERE id = $1', [99])).affectedRows, 0);
    });

    test('exec runs several statements and resolves to one result per statement', async () => {
      const results = await db.exec(`
        CREATE TABLE multi (id int);
        INSERT INTO multi VALUES (1), (2);
        SELECT id FROM multi ORDER BY id;
      `);
      assert.equal(results.length, 3);
      assert.equal(results[1]!.affectedRows, 2);
      assert.deepEqual(results[2]!.rows, [{ id: 1 }, { id: 2 }]);
    });

    test('a transaction commits when fn resolves, and resolves to its value', async () => {
      await db.exec('CREATE TABLE committed (id int)');
      const value = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO committed VALUES (1)');
        await tx.exec('INSERT INTO committed VALUES (2); INSERT INTO committed VALUES (3)');
        return 'done';
      });
      assert.equal(value, 'done');
      assert.equal(await count('committed'), 3);
    });

    test('a transaction rolls back every statement when fn throws, and rejects with that error', async () => {
      await db.exec('CREATE TABLE rolled_back (id int)');
      const boom = new Error('boom');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO rolled_back VALUES (1)');
          await tx.exec('INSERT INTO rolled_back VALUES (2)');
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.equal(await count('rolled_back'), 0);
    });

    test('a failed statement in a transaction rolls it back and leaves the database usable', async () => {
      await db.exec('CREATE TABLE poisoned (id int PRIMARY KEY)');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO poisoned VALUES (1)');
          await tx.query('INSERT INTO poisoned VALUES (1)');
        }),
        /duplicate key/,
      );
      assert.equal(await count('poisoned'), 0);
      await db.transaction((tx) => tx.query('INSERT INTO poisoned VALUES (2)'));
      await db.query('INSERT INTO poisoned VALUES (3)');
      assert.deepEqual((await db.query('SELECT id FROM poisoned ORDER BY id')).rows, [{ id: 2 }, { id: 3 }]);
    });

    test('a transaction whose fn swallows a failed statement rejects rather than committing half of it', async () => {
      await db.exec('CREATE TABLE swallowed (id int PRIMARY KEY)');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO swallowed VALUES (1)');
          await tx.query('SELECT 1 / 0').catch(() => undefined);
        }),
      );
      assert.equal(await count('swallowed'), 0);
      await db.query('INSERT INTO swallowed VALUES (2)');
      assert.equal(await count('swallowed'), 1);
    });

    test('exec that fails inside its own BEGIN leaves no transaction open behind it', async () => {
      await db.exec('CREATE TABLE explicit (id int)');
      await assert.rejects(db.exec('BEGIN; INSERT INTO explicit VALUES (1); SELECT 1 / 0; COMMIT'), /division by zero/);
      await db.exec('INSERT INTO explicit VALUES (2)');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO explicit VALUES (3)');
          throw new Error('undo');
        }),
      );
      assert.deepEqual((await db.query('SELECT id FROM explicit')).rows, [{ id: 2 }]);
    });

    // PGlite runs one transaction at a time; PostgreSQL runs them side by side, at
    // READ COMMITTED, so read-then-write must lock what it read (FOR UPDATE). With
    // that, both must apply every increment.
    test('concurrent read-then-write transactions all apply', async () => {
      await db.exec('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)');
      const increments = 5;
      await Promise.all(
        Array.from({ length: increments }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1 FOR UPDATE');
            await yieldTurn();
            await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
          }),
        ),
      );
      assert.deepEqual((await db.query('SELECT n FROM counter')).rows, [{ n: increments }]);
    });

    test('statements outside a transaction never see its uncommitted writes', async () => {
      await db.exec('CREATE TABLE uncommitted (id int)');
      let outside: Promise<number> | undefined;
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO uncommitted VALUES (1)');
          outside = count('uncommitted');
          // PostgreSQL answers at once; PGlite holds the statement until this
          // transaction ends, so awaiting it here would never return.
          if (db.kind === 'postgres') assert.equal(await outside, 0);
          throw new Error('undo');
        }),
      );
      assert.equal(await outside, 0);
    });

    test('listen delivers notified payloads in order', async () => {
      const got: string[] = [];
      const unlisten = await db.listen('contract_order', (p) => got.push(p));
      await db.notify('contract_order', 'one');
      await db.notify('contract_order', 'two');
      await eventually(() => (got.length >= 2 ? true : undefined), 5000, 'two notifications');
      assert.deepEqual(got, ['one', 'two']);
      await unlisten();
    });

    test('a NOTIFY inside a transaction is delivered on commit and not before', async () => {
      const got: string[] = [];
      const unlisten = await db.listen('contract_commit', (p) => got.push(p));
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', ['contract_commit', 'in-tx']);
        await tx.query('SELECT 1');
        assert.deepEqual(got, []);
      });
      await eventually(() => (got.length > 0 ? true : undefined), 5000, 'the committed notification');
      assert.deepEqual(got, ['in-tx']);
      await unlisten();
    });

    test('a NOTIFY inside a rolled-back transaction is never delivered', async () => {
      const got: string[] = [];
      const unlisten = await db.listen('contract_rollback', (p) => got.push(p));
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', ['contract_rollback', 'rolled-back']);
          throw new Error('undo');
        }),
      );
      // Notifications arrive in commit order, so once this one is in, the other never will be.
      await db.notify('contract_rollback', 'after');
      await eventually(() => (got.includes('after') ? true : undefined), 5000, 'the later notification');
      assert.deepEqual(got, ['after']);
      await unlisten();
    });

    test('unlisten stops delivery to that handler, and to the channel once its last handler goes', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const sentinel: string[] = [];
      const unlistenA = await db.listen('contract_unlisten', (p) => a.push(p));
      const unlistenB = await db.listen('contract_unlisten', (p) => b.push(p));
      const unlistenSentinel = await db.listen('contract_sentinel', (p) => sentinel.push(p));

      await unlistenA();
      await db.notify('contract_unlisten', 'x1');
      await eventually(() => (b.length > 0 ? true : undefined), 5000, 'the remaining handler');
      assert.deepEqual(a, []);

      await unlistenB();
      await db.notify('contract_unlisten', 'x2');
      await db.notify('contract_sentinel', 's');
      await eventually(() => (sentinel.length > 0 ? true : undefined), 5000, 'the sentinel');
      assert.deepEqual(b, ['x1']);
      assert.deepEqual(a, []);
      await unlistenSentinel();
    });

    test('listen refuses a channel name that is not a safe identifier', async () => {
      for (const bad of ['x; DROP TABLE counter', 'Mixed', 'a-b', '']) {
        await assert.rejects(db.listen(bad, () => undefined), /not a safe SQL identifier/, bad);
      }
      assert.equal(await count('counter'), 1);
    });

    test('ping resolves while the database answers', async () => {
      await db.ping();
    });

    test('ident quotes a lower-case identifier', () => {
      assert.equal(ident('content_store_live'), '"content_store_live"');
      assert.equal(ident('_x1'), '"_x1"');
      assert.equal(ident('a'.repeat(63)), `"${'a'.repeat(63)}"`);
    });

    test('ident rejects anything that could change the SQL around it or be folded to another name', () => {
      for (const bad of ['', '1abc', 'Upper', 'a-b', 'a b', 'a"b', "a'b", 'a;b', 'a.b', 'é', 'a'.repeat(64)]) {
        assert.throws(() => ident(bad), /not a safe SQL identifier/, bad);
      }
    });
  });
}
