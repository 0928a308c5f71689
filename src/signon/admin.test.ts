import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, PASSWORD, startTestSignon, type TestSignon } from './testing.ts';
import { currentOtp } from './totp.ts';
import { createUser, findUserByEmail, parsePermissionList, permissionsOf } from './users.ts';

let s: TestSignon;
let admin: Browser;
before(async () => {
  s = await startTestSignon();
  await createUser(s.t.db, { name: 'Ada Admin', email: 'ada@example.org', password: PASSWORD, permissions: parsePermissionList('signon:signin,signon:admin') });
  await createUser(s.t.db, { name: 'Nora Normal', email: 'nora@example.org', password: PASSWORD, permissions: parsePermissionList('publisher:signin') });
  admin = new Browser(s.url);
  await admin.submit('/users/sign_in', '/users/sign_in', { email: 'ada@example.org', password: PASSWORD });
  const setUp = await admin.get('/users/two_step_verification/set_up');
  const secret = /id="otp-secret">([A-Z2-7]+)</.exec(setUp.body)![1]!;
  await admin.submit('/users/two_step_verification/set_up', '/users/two_step_verification/set_up', { code: currentOtp(secret, s.clock.now) });
});
after(() => s.close());

test('admins see every user; others are refused, and the signed-out are sent to sign in', async () => {
  const list = await admin.get('/admin/users');
  assert.equal(list.status, 200);
  assert.match(list.body, /Nora Normal/);
  const nora = new Browser(s.url);
  await nora.submit('/users/sign_in', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD });
  assert.equal((await nora.get('/admin/users')).status, 403);
  const anonymous = await new Browser(s.url).get('/admin/users');
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.location!, /\/users\/sign_in\?return_to=%2Fadmin%2Fusers$/);
});

test('inviting shows the error summary for missing fields, then makes the user and a one-time set-password link', async () => {
  const missing = await admin.submit('/admin/users/new', '/admin/users', { name: '', email: '' });
  assert.equal(missing.status, 400);
  assert.match(missing.body, /govuk-error-summary/);
  assert.match(missing.body, /href="#name">Enter a name/);

  const answer = await admin.submit('/admin/users/new', '/admin/users', [['name', 'Ivy Invited'], ['email', 'ivy@example.org'], ['organisation', 'dept'], ['permissions', 'publisher:signin'], ['permissions', 'publisher:editor']]);
  assert.equal(answer.status, 200, answer.body);
  const created = answer.body;
  const ivy = (await findUserByEmail(s.t.db, 'ivy@example.org'))!;
  assert.deepEqual(await permissionsOf(s.t.db, ivy.id), { publisher: ['editor', 'signin'] });
  const link = /id="invite-url">([^<]+)</.exec(created)![1]!;
  assert.ok(link.startsWith(`${s.url}/users/set_password/`));

  const invitee = new Browser(s.url);
  const mismatch = await invitee.submit(link, link, { password: 'a new long password', confirmation: 'something else' });
  assert.match(mismatch.body, /The passwords do not match/);
  const set = await invitee.submit(link, link, { password: 'a new long password', confirmation: 'a new long password' });
  assert.equal(set.status, 303);
  assert.equal((await invitee.get(link)).status, 404, 'the link works once');
  const signedIn = await invitee.submit('/users/sign_in', '/users/sign_in', { email: 'ivy@example.org', password: 'a new long password' });
  assert.equal(signedIn.status, 303);
});

test('the permissions form grants what is ticked and revokes what is not', async () => {
  const nora = (await findUserByEmail(s.t.db, 'nora@example.org'))!;
  const answer = await admin.submit(`/admin/users/${nora.id}`, `/admin/users/${nora.id}/permissions`, { permissions: 'draft-origin:signin' });
  assert.equal(answer.status, 200);
  assert.match(answer.body, /Permissions saved/);
  assert.deepEqual(await permissionsOf(s.t.db, nora.id), { 'draft-origin': ['signin'] });
});

test('suspending ends the user\'s session at once; unsuspending lets them sign in again', async () => {
  const nora = (await findUserByEmail(s.t.db, 'nora@example.org'))!;
  const browser = new Browser(s.url);
  await browser.submit('/users/sign_in', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD });
  assert.equal((await browser.get('/')).status, 200);
  const suspended = await admin.submit(`/admin/users/${nora.id}`, `/admin/users/${nora.id}/suspension`, { suspended: 'true' });
  assert.match(suspended.body, /id="status">Suspended/);
  assert.equal((await browser.get('/')).status, 303);
  const refused = await browser.submit('/users/sign_in', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD });
  assert.match(refused.body, /suspended/);
  await admin.submit(`/admin/users/${nora.id}`, `/admin/users/${nora.id}/suspension`, { suspended: 'false' });
  assert.equal((await browser.submit('/users/sign_in', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD })).status, 303);
});

test('admin forms need their CSRF token', async () => {
  const nora = (await findUserByEmail(s.t.db, 'nora@example.org'))!;
  const answer = await admin.request(`/admin/users/${nora.id}/suspension`, { form: { suspended: 'true' } });
  assert.equal(answer.status, 403);
  assert.equal((await findUserByEmail(s.t.db, 'nora@example.org'))!.suspendedAt, null);
});
