import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { migrateSignon } from './schema.ts';
import {
  createUser, findUserByEmail, grantPermissions, hasPermission, listUsers, parsePermissionList, permissionsOf, revokePermissions, setSuspended, UserInputError,
} from './users.ts';

let t: TestDb;
before(async () => {
  t = await openTestDb();
  await migrateSignon(t.db);
});
after(() => t.close());

test('a user is made with permissions per application; the email is unique whatever its case', async () => {
  const user = await createUser(t.db, { name: 'Ada', email: 'Ada@Example.org', password: 'a long password', permissions: parsePermissionList('publisher:signin,publisher:editor') });
  assert.equal(user.hasPassword, true);
  assert.deepEqual(await permissionsOf(t.db, user.id), { publisher: ['editor', 'signin'] });
  assert.equal((await findUserByEmail(t.db, 'ada@example.ORG'))?.id, user.id);
  await assert.rejects(createUser(t.db, { name: 'Ada 2', email: 'ada@example.org' }), /already exists/);
});

test('unknown applications and permissions are refused before anything is written', async () => {
  const before = (await listUsers(t.db)).length;
  await assert.rejects(createUser(t.db, { name: 'B', email: 'b@example.org', permissions: parsePermissionList('nope:signin') }), /unknown application "nope"/);
  await assert.rejects(createUser(t.db, { name: 'B', email: 'b@example.org', permissions: parsePermissionList('publisher:fly') }), /publisher has no permission "fly"/);
  await assert.rejects(createUser(t.db, { name: 'B', email: 'b@example.org', password: 'short' }), UserInputError);
  assert.equal((await listUsers(t.db)).length, before);
  assert.throws(() => parsePermissionList('publisher'), /application:permission/);
});

test('grant and revoke are idempotent; suspension is recorded', async () => {
  const user = await createUser(t.db, { name: 'Cy', email: 'cy@example.org' });
  assert.equal(user.hasPassword, false, 'invited users have no password until they set one');
  const perms = parsePermissionList('draft-origin:signin');
  await grantPermissions(t.db, user.id, perms);
  await grantPermissions(t.db, user.id, perms);
  assert.equal(await hasPermission(t.db, user.id, 'draft-origin', 'signin'), true);
  await revokePermissions(t.db, user.id, perms);
  await revokePermissions(t.db, user.id, perms);
  assert.equal(await hasPermission(t.db, user.id, 'draft-origin', 'signin'), false);
  assert.equal(await setSuspended(t.db, user.id, true), true);
  assert.ok((await findUserByEmail(t.db, 'cy@example.org'))!.suspendedAt);
  await setSuspended(t.db, user.id, false);
  assert.equal((await findUserByEmail(t.db, 'cy@example.org'))!.suspendedAt, null);
});
