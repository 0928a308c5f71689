-- People who sign in, the applications they sign in to, and what each may do
-- in each. A user's uid (id) is what every application knows them by.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  organisation_slug text,
  role text NOT NULL DEFAULT 'normal' CHECK (role IN ('normal', 'admin', 'superadmin')),
  -- Null until the user sets one through an invitation link.
  password_hash text,
  suspended_at timestamptz,
  -- Failed sign-in attempts since the last success or lock; see lockout.ts.
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  -- Base32 TOTP secret; null until two-step verification is set up.
  otp_secret text,
  -- The 30-second step of the last code accepted: a code is good once.
  otp_last_step bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Emails compare without case, as mail systems do.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE applications (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9-]{1,60}$'),
  name text NOT NULL,
  -- Permissions this application understands; `signin` lets a user in at all.
  supported_permissions text[] NOT NULL DEFAULT '{signin}'
);

INSERT INTO applications (slug, name, supported_permissions) VALUES
  ('publisher', 'Publisher', '{signin,editor,managing_editor,admin}'),
  ('draft-origin', 'Draft stack (content preview)', '{signin}'),
  ('publishing-api', 'Publishing API', '{signin,read,write}'),
  ('signon', 'Signon', '{signin,admin}');

CREATE TABLE user_permissions (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  application text NOT NULL REFERENCES applications (slug) ON DELETE CASCADE,
  permission text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, application, permission)
);

-- One-time links that let an invited user set their password. Only a hash is kept.
CREATE TABLE password_links (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- Values made once per database and shared by every signon process on it:
-- the OIDC signing key, and the cookie secret when SESSION_SECRET is unset.
CREATE TABLE generated_secrets (
  name text PRIMARY KEY,
  value jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
