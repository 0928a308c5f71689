import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { migrateSignon } from './schema.ts';
import { acceptOtp, currentOtp, newOtpSecret, otpStep, otpUri } from './totp.ts';
import { createUser } from './users.ts';

let t: TestDb;
before(async () => {
  t = await openTestDb();
  await migrateSignon(t.db);
});
after(() => t.close());

const NOW = Date.parse('2026-06-01T12:00:10Z');

test('a code is good for its own 30-second step and either neighbour, no further', () => {
  const secret = newOtpSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const code = currentOtp(secret, NOW);
  assert.equal(otpStep(secret, code, NOW), Math.floor(NOW / 30_000));
  assert.equal(otpStep(secret, code, NOW + 30_000), Math.floor(NOW / 30_000));
  assert.equal(otpStep(secret, code, NOW + 60_000), undefined);
  assert.equal(otpStep(secret, '12345', NOW), undefined);
  assert.equal(otpStep(secret, code.slice(0, 3) + ' ' + code.slice(3), NOW), Math.floor(NOW / 30_000), 'spaces are ignored');
});

test('a code is accepted once per user, and never an older one after a newer', async () => {
  const user = await createUser(t.db, { name: 'O', email: 'o@example.org' });
  const secret = newOtpSecret();
  const first = currentOtp(secret, NOW);
  assert.equal(await acceptOtp(t.db, user.id, secret, first, NOW), true);
  assert.equal(await acceptOtp(t.db, user.id, secret, first, NOW + 1000), false);
  assert.equal(await acceptOtp(t.db, user.id, secret, currentOtp(secret, NOW + 30_000), NOW + 30_000), true);
  assert.equal(await acceptOtp(t.db, user.id, secret, currentOtp(secret, NOW - 30_000), NOW), false);
});

test('the otpauth URI names the issuer and the account', () => {
  assert.match(otpUri('JBSWY3DPEHPK3PXP', 'a@example.org'), /^otpauth:\/\/totp\/Portico:a%40example\.org\?issuer=Portico&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30$/);
});
