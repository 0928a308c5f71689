import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPglite } from './pglite.ts';
import { connectionLost, isDatabaseUnavailable } from './unavailable.ts';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

test('connection errors and dropped sessions are unavailability', () => {
  for (const err of [
    withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    withCode('ECONNRESET', 'read ECONNRESET'),
    withCode('EPIPE'),
    withCode('ETIMEDOUT'),
    withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND db'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P03', 'the database system is starting up'),
    withCode('53300', 'sorry, too many clients already'),
    withCode('08006', 'connection failure'),
    new Error('Connection terminated'),
    new Error('Connection terminated unexpectedly'),
    new Error('Connection terminated due to connection timeout'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Client has encountered a connection error and is not queryable'),
    new Error('Cannot use a pool after calling end on the pool'),
    new Error('PGlite is closed'),
  ]) {
    assert.equal(isDatabaseUnavailable(err), true, err.message);
  }
});

test('looks through cause and AggregateError', () => {
  const refused = withCode('ECONNREFUSED');
  assert.equal(isDatabaseUnavailable(new AggregateError([withCode('EADDRNOTAVAIL'), refused], 'connect failed')), true);
  assert.equal(isDatabaseUnavailable(new Error('loading the item failed', { cause: refused })), true);
  assert.equal(isDatabaseUnavailable(new Error('outer', { cause: new Error('inner', { cause: new Error('Connection terminated') }) })), true);
});

test('a statement that failed on a working connection is not unavailability', () => {
  for (const err of [
    withCode('42601', 'syntax error at or near "SELEC"'),
    withCode('23505', 'duplicate key value violates unique constraint'),
    withCode('40001', 'could not serialize access'),
    withCode('FST_ERR_CTP_INVALID_JSON_BODY', 'Body is not valid JSON'),
    new Error('transaction rolled back: a statement in it failed'),
    new TypeError("Cannot read properties of undefined (reading 'rows')"),
    new Error('wrapped', { cause: withCode('23505') }),
  ]) {
    assert.equal(isDatabaseUnavailable(err), false, err.message);
  }
  for (const notAnError of [undefined, null, 'Connection terminated', 42, {}]) assert.equal(isDatabaseUnavailable(notAnError), false);
});

test('a cause that refers back to itself ends the search', () => {
  const err: Error & { cause?: unknown } = new Error('loop');
  err.cause = err;
  assert.equal(isDatabaseUnavailable(err), false);
});

test('connectionLost, which the PostgreSQL adapter retries on, is the narrower set', () => {
  assert.equal(connectionLost(withCode('57P01')), true);
  assert.equal(connectionLost(new Error('Connection terminated unexpectedly')), true);
  assert.equal(connectionLost(withCode('ECONNRESET')), true);
  // Never connected: nothing to retry on another pooled connection.
  assert.equal(connectionLost(withCode('ECONNREFUSED')), false);
  assert.equal(connectionLost(new Error('PGlite is closed')), false);
});

test('what the drivers really throw: a refused connection and a closed PGlite', async () => {
  // Port 1 on loopback: nothing listens, the connect is refused at once.
  const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/nothing', connectionTimeoutMillis: 2000 });
  const refused = await pool.query('SELECT 1').then(() => undefined, (err: unknown) => err);
  await pool.end();
  assert.ok(refused, 'the query is rejected');
  assert.equal(isDatabaseUnavailable(refused), true, String(refused));

  const db = await openPglite();
  await db.close();
  const closed = await db.query('SELECT 1').then(() => undefined, (err: unknown) => err);
  assert.ok(closed, 'the query is rejected');
  assert.equal(isDatabaseUnavailable(closed), true, String(closed));
});
