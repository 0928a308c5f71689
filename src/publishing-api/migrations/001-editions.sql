-- Every edition of every document, as GOV.UK's Publishing API keeps them.

-- A document is one content_id in one locale; its lock_version is the
-- optimistic lock every write that carries previous_version is checked against.
CREATE TABLE documents (
  id bigserial PRIMARY KEY,
  content_id uuid NOT NULL,
  locale text NOT NULL DEFAULT 'en',
  lock_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (content_id, locale)
);

CREATE TABLE editions (
  id bigserial PRIMARY KEY,
  document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  user_facing_version integer NOT NULL CHECK (user_facing_version > 0),
  state text NOT NULL CHECK (state IN ('draft', 'published', 'unpublished', 'superseded')),
  -- Which content store shows this edition: the draft, the live one (published or
  -- unpublished), or neither (superseded).
  content_store text CHECK (content_store IN ('draft', 'live')),
  base_path text,
  title text,
  description text,
  details jsonb NOT NULL DEFAULT '{}',
  document_type text NOT NULL,
  schema_name text NOT NULL,
  publishing_app text NOT NULL,
  rendering_app text,
  phase text NOT NULL DEFAULT 'live',
  analytics_identifier text,
  routes jsonb NOT NULL DEFAULT '[]',
  redirects jsonb NOT NULL DEFAULT '[]',
  edition_links jsonb NOT NULL DEFAULT '{}',
  update_type text,
  change_note text,
  auth_bypass_ids text[] NOT NULL DEFAULT '{}',
  first_published_at timestamptz,
  public_updated_at timestamptz,
  major_published_at timestamptz,
  published_at timestamptz,
  last_edited_at timestamptz,
  publishing_request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (document_id, user_facing_version),
  CHECK ((state = 'draft') = (content_store IS NOT DISTINCT FROM 'draft')),
  CHECK ((state IN ('published', 'unpublished')) = (content_store IS NOT DISTINCT FROM 'live'))
);
-- At most one draft and one live edition per document, and one document per
-- path in each content store: the last guard if two writers race.
CREATE UNIQUE INDEX editions_one_per_store ON editions (document_id, content_store) WHERE content_store IS NOT NULL;
CREATE UNIQUE INDEX editions_path_per_store ON editions (base_path, content_store) WHERE content_store IS NOT NULL AND base_path IS NOT NULL;
CREATE INDEX editions_listing ON editions (document_type, publishing_app);

CREATE TABLE unpublishings (
  edition_id bigint PRIMARY KEY REFERENCES editions (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('gone', 'redirect', 'withdrawal', 'vanish', 'substitute')),
  explanation text,
  alternative_path text,
  redirects jsonb NOT NULL DEFAULT '[]',
  unpublished_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE link_sets (
  content_id uuid PRIMARY KEY,
  lock_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE links (
  link_set_content_id uuid NOT NULL REFERENCES link_sets (content_id) ON DELETE CASCADE,
  link_type text NOT NULL CHECK (link_type ~ '^[a-z0-9_]+$'),
  target_content_id uuid NOT NULL,
  position integer NOT NULL,
  PRIMARY KEY (link_set_content_id, link_type, position)
);
CREATE INDEX links_target ON links (target_content_id);

CREATE TABLE path_reservations (
  base_path text PRIMARY KEY,
  publishing_app text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per command; its id is the payload_version sent to the content
-- stores, which orders their writes.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  action text NOT NULL,
  content_id uuid,
  payload jsonb NOT NULL,
  actor text,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
