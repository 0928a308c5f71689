import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../platform/config.ts';

test('signon defaults: this host\'s 8083, each app\'s origin for its redirect URI, 5 attempts for 15 minutes, tokens for a year', () => {
  const { signon } = loadConfig({});
  assert.equal(signon.url, 'http://127.0.0.1:8083');
  assert.deepEqual(signon.clientSecrets, {});
  assert.deepEqual(signon.appUrls, { publisher: 'http://127.0.0.1:8082', 'draft-origin': 'http://127.0.0.1:8081' });
  assert.deepEqual(signon.lockout, { maxAttempts: 5, lockMs: 15 * 60_000 });
  assert.equal(signon.sessionIdleMs, 30 * 60_000);
  assert.equal(signon.apiTokenTtlMs, 365 * 24 * 3_600_000);
  assert.equal(signon.sessionSecret, undefined);
});

test('client secrets and app URLs are slug=value lists', () => {
  const { signon } = loadConfig({
    SIGNON_URL: 'https://signon.example.org/',
    SIGNON_CLIENT_SECRETS: 'publisher=0123456789abcdef0123, draft-origin=fedcba9876543210fedc',
    SIGNON_APP_URLS: 'publisher=https://publisher.example.org',
    SIGNON_LOCKOUT_ATTEMPTS: '3',
    SIGNON_LOCKOUT_DURATION: '1h',
  });
  assert.equal(signon.url, 'https://signon.example.org');
  assert.deepEqual(signon.clientSecrets, { publisher: '0123456789abcdef0123', 'draft-origin': 'fedcba9876543210fedc' });
  assert.equal(signon.appUrls.publisher, 'https://publisher.example.org');
  assert.deepEqual(signon.lockout, { maxAttempts: 3, lockMs: 3_600_000 });
});

test('bad signon values are all reported at once', () => {
  assert.throws(
    () => loadConfig({ SIGNON_CLIENT_SECRETS: 'publisher=short,nonsense', SIGNON_APP_URLS: 'publisher=https://x.org/path', SESSION_SECRET: 'too short' }),
    (err: ConfigError) => {
      assert.equal(err.problems.length, 4, err.message);
      assert.match(err.message, /SIGNON_CLIENT_SECRETS: a client secret must be at least 16 characters, got an entry for "publisher"/);
      assert.match(err.message, /SIGNON_CLIENT_SECRETS: each entry is slug=value, got an entry for "nonsense"/);
      assert.match(err.message, /SIGNON_APP_URLS: an app URL is an origin/);
      assert.match(err.message, /SESSION_SECRET: must be at least 32 bytes/);
      return true;
    },
  );
});
