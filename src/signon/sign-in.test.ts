import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, PASSWORD, startTestSignon, type TestSignon } from './testing.ts';
import { currentOtp, otpSecretOf } from './totp.ts';
import { createUser, findUserByEmail, parsePermissionList } from './users.ts';

let s: TestSignon;
before(async () => {
  s = await startTestSignon({ lockout: { maxAttempts: 3, lockMs: 15 * 60_000 } });
  await createUser(s.t.db, { name: 'Nora Normal', email: 'nora@example.org', password: PASSWORD, permissions: parsePermissionList('publisher:signin') });
  await createUser(s.t.db, { name: 'Ada Admin', email: 'ada@example.org', password: PASSWORD, permissions: parsePermissionList('signon:signin,signon:admin') });
  await createUser(s.t.db, { name: 'Lou Locked', email: 'lou@example.org', password: PASSWORD });
});
after(() => s.close());

test('the sign-in page is a govuk-frontend form with a CSRF token', async () => {
  const page = await new Browser(s.url).get('/users/sign_in');
  assert.equal(page.status, 200);
  assert.match(page.body, /<form method="post" action="\/users\/sign_in"/);
  assert.match(page.body, /name="_csrf" value="[^"]+"/);
  assert.match(page.body, /govuk-frontend\.min\.css/);
  assert.match(page.body, /© Portico/);
  assert.doesNotMatch(page.body, /Crown copyright|govuk-footer__crown/, 'Portico is not a Crown site');
});

test('a form posted without its CSRF token is refused', async () => {
  const browser = new Browser(s.url);
  await browser.get('/users/sign_in');
  const answer = await browser.request('/users/sign_in', { form: { email: 'nora@example.org', password: PASSWORD } });
  assert.equal(answer.status, 403);
  assert.match(answer.body, /This form has expired/);
});

test('empty fields show the error summary linked to each field', async () => {
  const answer = await new Browser(s.url).submit('/users/sign_in', '/users/sign_in', { email: '', password: '' });
  assert.equal(answer.status, 400);
  assert.match(answer.body, /<title>Error: Sign in - Portico Signon<\/title>/);
  assert.match(answer.body, /govuk-error-summary/);
  assert.match(answer.body, /href="#email">Enter your email address/);
  assert.match(answer.body, /href="#password">Enter your password/);
});

test('a right password signs in and goes back where it was asked from; a wrong one or an unknown email says the same', async () => {
  const browser = new Browser(s.url);
  const wrong = await browser.submit('/users/sign_in', '/users/sign_in', { email: 'nora@example.org', password: 'not the password' });
  const unknown = await browser.submit('/users/sign_in', '/users/sign_in', { email: 'nobody@example.org', password: 'not the password' });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.match(wrong.body, /Enter a correct email address and password/);
  assert.match(unknown.body, /Enter a correct email address and password/);
  const ok = await browser.submit('/users/sign_in?return_to=/somewhere', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, `${s.url}/somewhere`);
  const home = await browser.get('/');
  assert.match(home.body, /signed in as Nora Normal/);
});

test('return_to cannot send the browser off signon', async () => {
  const browser = new Browser(s.url);
  const ok = await browser.submit('/users/sign_in?return_to=//evil.example/x', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD });
  assert.equal(ok.location, `${s.url}/`);
});

test('too many wrong passwords lock the account, even against the right one, until the lock ends', async () => {
  const browser = new Browser(s.url);
  for (let i = 0; i < 2; i++) assert.equal((await browser.submit('/users/sign_in', '/users/sign_in', { email: 'lou@example.org', password: 'wrong password' })).status, 401);
  const locking = await browser.submit('/users/sign_in', '/users/sign_in', { email: 'lou@example.org', password: 'wrong password' });
  assert.equal(locking.status, 423);
  assert.match(locking.body, /locked after too many failed attempts/);
  assert.equal((await browser.submit('/users/sign_in', '/users/sign_in', { email: 'lou@example.org', password: PASSWORD })).status, 423);
  s.clock.now += 15 * 60_000 + 1;
  assert.equal((await browser.submit('/users/sign_in', '/users/sign_in', { email: 'lou@example.org', password: PASSWORD })).status, 303);
});

test('signing out ends the session', async () => {
  const browser = new Browser(s.url);
  await browser.submit('/users/sign_in', '/users/sign_in', { email: 'nora@example.org', password: PASSWORD });
  const out = await browser.submit('/', '/users/sign_out', {});
  assert.equal(out.status, 200);
  assert.match(out.body, /You have signed out/);
  assert.equal((await browser.get('/')).status, 303);
});

test('a signon admin must set up two-step verification, and then give a code at every sign-in', async () => {
  const browser = new Browser(s.url);
  const first = await browser.submit('/users/sign_in', '/users/sign_in', { email: 'ada@example.org', password: PASSWORD });
  assert.equal(first.location, `${s.url}/users/two_step_verification/set_up`);
  assert.equal((await browser.get('/')).status, 303, 'not signed in before the second step');
  const setUp = await browser.get('/users/two_step_verification/set_up');
  const secret = /id="otp-secret">([A-Z2-7]+)</.exec(setUp.body)![1]!;
  assert.match(setUp.body, /otpauth:\/\/totp\/Portico:ada%40example\.org\?/);
  const bad = await browser.submit('/users/two_step_verification/set_up', '/users/two_step_verification/set_up', { code: '000000' });
  assert.equal(bad.status, 401);
  assert.match(bad.body, /govuk-error-summary/);
  const enrolled = await browser.submit('/users/two_step_verification/set_up', '/users/two_step_verification/set_up', { code: currentOtp(secret, s.clock.now) });
  assert.equal(enrolled.location, `${s.url}/`);
  assert.equal((await browser.get('/')).status, 200);
  assert.equal(await otpSecretOf(s.t.db, (await findUserByEmail(s.t.db, 'ada@example.org'))!.id), secret);

  const again = new Browser(s.url);
  const second = await again.submit('/users/sign_in', '/users/sign_in', { email: 'ada@example.org', password: PASSWORD });
  assert.equal(second.location, `${s.url}/users/two_step_verification`);
  assert.equal((await again.submit('/users/two_step_verification', '/users/two_step_verification', { code: '123' })).status, 401);
  const replayed = await again.submit('/users/two_step_verification', '/users/two_step_verification', { code: currentOtp(secret, s.clock.now) });
  assert.equal(replayed.status, 401, 'the code used to enrol is spent');
  s.clock.now += 30_000;
  const verified = await again.submit('/users/two_step_verification', '/users/two_step_verification', { code: currentOtp(secret, s.clock.now) });
  assert.equal(verified.location, `${s.url}/`);
  assert.match((await again.get('/')).body, /signed in as Ada Admin/);
});
