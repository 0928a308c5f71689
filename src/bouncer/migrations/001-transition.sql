-- Retired websites (sites), the hostnames they answered on (hosts), and what
-- each old path does now (mappings), as GOV.UK's Transition keeps them for
-- Bouncer. `portico transition` writes them; the bouncer reads them.

CREATE TABLE organisations (
  id bigserial PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title text NOT NULL
);

CREATE TABLE sites (
  id bigserial PRIMARY KEY,
  abbr text NOT NULL UNIQUE CHECK (abbr ~ '^[A-Za-z0-9_-]+$'),
  organisation_id bigint REFERENCES organisations (id),
  -- When The National Archives captured the site: its archive links point at that capture.
  tna_timestamp timestamptz NOT NULL,
  -- Where the site's own homepage (and any path that canonicalises to "") goes now.
  homepage text NOT NULL,
  -- nil: per-path mappings; redirect: every path to global_new_url; archive: every path is gone.
  global_type text CHECK (global_type IN ('redirect', 'archive')),
  global_new_url text,
  global_redirect_append_path boolean NOT NULL DEFAULT false,
  -- The query parameters that tell pages apart on the old site, colon-separated; all others are dropped.
  query_params text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (global_type IS DISTINCT FROM 'redirect' OR global_new_url IS NOT NULL)
);

CREATE TABLE hosts (
  id bigserial PRIMARY KEY,
  hostname text NOT NULL UNIQUE CHECK (hostname = lower(hostname) AND hostname <> ''),
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  -- Set on an aka host (aka.example.gov.uk, aka-example.org.uk): the host it stands for.
  canonical_host_id bigint REFERENCES hosts (id) ON DELETE CASCADE
);
CREATE INDEX hosts_site_id ON hosts (site_id);

-- Canonical paths are ASCII (anything else is percent-encoded), so 2048
-- characters fit a btree entry and the path itself is the unique key.
CREATE TABLE mappings (
  id bigserial PRIMARY KEY,
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  path text NOT NULL CHECK (path LIKE '/%' AND path <> '/' AND octet_length(path) <= 2048),
  type text NOT NULL CHECK (type IN ('redirect', 'archive', 'unresolved')),
  new_url text,
  suggested_url text,
  -- A capture at The National Archives other than the site's own tna_timestamp one.
  archive_url text,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, path),
  CHECK (type <> 'redirect' OR new_url IS NOT NULL)
);
-- The sitemap lists a site's redirects.
CREATE INDEX mappings_site_redirects ON mappings (site_id, path) WHERE type = 'redirect';

-- Hosts redirects may point at besides *.gov.uk, *.mod.uk and *.nhs.uk.
CREATE TABLE whitelisted_hosts (
  hostname text PRIMARY KEY CHECK (hostname = lower(hostname) AND hostname <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per `portico transition import` that wrote anything.
CREATE TABLE import_batches (
  id bigserial PRIMARY KEY,
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  filename text NOT NULL,
  tags text[] NOT NULL,
  update_existing boolean NOT NULL,
  created integer NOT NULL,
  updated integer NOT NULL,
  unchanged integer NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- The bouncer keeps sites, hosts and the allow-list in memory, and the
-- mappings requests looked up lately: any change to them tells it to reload
-- and forget those. A transaction sends one notice however many statements
-- it runs (PostgreSQL folds identical ones), so an import is one reload.
CREATE FUNCTION notify_transition_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('transition_changes', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER organisations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_transition_change();
CREATE TRIGGER sites_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sites
  FOR EACH STATEMENT EXECUTE FUNCTION notify_transition_change();
CREATE TRIGGER hosts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hosts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_transition_change();
CREATE TRIGGER mappings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mappings
  FOR EACH STATEMENT EXECUTE FUNCTION notify_transition_change();
CREATE TRIGGER whitelisted_hosts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON whitelisted_hosts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_transition_change();
