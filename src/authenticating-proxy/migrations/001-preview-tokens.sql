-- Preview tokens are not stored: they are signed, and carry their own expiry.
-- Revoking a document's links records a moment; every token for that
-- auth bypass id issued before it stops working.
CREATE TABLE revocations (
  auth_bypass_id text PRIMARY KEY,
  revoked_before timestamptz NOT NULL
);

-- The signing key embedded mode makes for itself when PREVIEW_TOKEN_SECRET is
-- unset, kept so that links survive a restart.
CREATE TABLE generated_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
