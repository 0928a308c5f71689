import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

test('a password hashes to an argon2id string with its own salt, and verifies only itself', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(a, b, 'a fresh salt each time');
  assert.equal(await verifyPassword(a, 'correct horse battery'), true);
  assert.equal(await verifyPassword(a, 'correct horse batter'), false);
});

test('a malformed stored hash fails verification instead of throwing', async () => {
  assert.equal(await verifyPassword('not-a-hash', 'anything'), false);
});

test('passwords are 10 to 128 characters', () => {
  assert.match(passwordProblem('short')!, /at least 10/);
  assert.match(passwordProblem('x'.repeat(129))!, /128 characters or fewer/);
  assert.equal(passwordProblem('long enough!'), undefined);
});
