-- API users: accounts for other systems rather than people. They never sign
-- in with a password; they hold bearer tokens, each for one application (whose
-- permissions /user.json reports for it) and each with an expiry. Existing
-- tokens each join an API user named after them and expire a year after they
-- were made.
ALTER TABLE users ADD COLUMN api_user boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX users_api_user_name_key ON users (name) WHERE api_user;

ALTER TABLE api_tokens ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN application text REFERENCES applications (slug) ON DELETE SET NULL;
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;

INSERT INTO users (name, email, api_user)
  SELECT DISTINCT name, 'api-' || md5(name) || '@api-users.invalid', true FROM api_tokens;
UPDATE api_tokens t SET user_id = u.id, expires_at = t.created_at + interval '1 year'
  FROM users u WHERE u.api_user AND u.name = t.name;

ALTER TABLE api_tokens ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);
