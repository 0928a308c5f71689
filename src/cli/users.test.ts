import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { migrateSignon } from '../signon/schema.ts';
import { findUserByEmail, permissionsOf } from '../signon/users.ts';
import { UsageError } from './routes.ts';
import { changePermissionsCommand, createUserCommand, listUsersCommand, suspendCommand } from './users.ts';

let t: TestDb;
const lines: string[] = [];
const out = (l: string) => lines.push(l);
before(async () => {
  t = await openTestDb();
  await migrateSignon(t.db);
});
after(() => t.close());

test('users create takes the password from stdin and the permissions as app:permission', async () => {
  const code = await createUserCommand(t.db, { name: 'Pat', email: 'pat@example.org', passwordStdin: true, permissions: 'publisher:signin,publisher:editor' }, out, async () => 'a long password');
  assert.equal(code, 0);
  const user = (await findUserByEmail(t.db, 'pat@example.org'))!;
  assert.equal(user.hasPassword, true);
  assert.deepEqual(await permissionsOf(t.db, user.id), { publisher: ['editor', 'signin'] });
  assert.match(lines.at(-1)!, /publisher:editor, publisher:signin/);
});

test('bad input is a usage error that says what to fix', async () => {
  await assert.rejects(createUserCommand(t.db, { name: 'X' }, out), UsageError);
  await assert.rejects(createUserCommand(t.db, { name: 'X', email: 'x@example.org', permissions: 'publisher:fly' }, out), /no permission "fly"/);
  await assert.rejects(createUserCommand(t.db, { name: 'X', email: 'x@example.org', password: 'p', passwordStdin: true }, out), /not both/);
  await assert.rejects(changePermissionsCommand(t.db, 'grant', 'nobody@example.org', 'publisher:signin', out), /no user/);
});

test('grant, revoke, suspend and list by email', async () => {
  assert.equal(await changePermissionsCommand(t.db, 'grant', 'pat@example.org', 'draft-origin:signin', out), 0);
  assert.equal(await changePermissionsCommand(t.db, 'revoke', 'pat@example.org', 'publisher:editor', out), 0);
  const user = (await findUserByEmail(t.db, 'pat@example.org'))!;
  assert.deepEqual(await permissionsOf(t.db, user.id), { 'draft-origin': ['signin'], publisher: ['signin'] });
  assert.equal(await suspendCommand(t.db, user.id, true, out), 0);
  lines.length = 0;
  await listUsersCommand(t.db, out);
  assert.match(lines[0]!, /suspended {2}pat@example\.org/);
});
