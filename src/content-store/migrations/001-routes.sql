-- The routing table each router loads. One copy per content store schema
-- (content_store_live, content_store_draft); the content store writes it.
CREATE TABLE backends (
  backend_id text PRIMARY KEY CHECK (backend_id ~ '^[a-z0-9][a-z0-9-]*$'),
  backend_url text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE routes (
  incoming_path text NOT NULL,
  route_type text NOT NULL CHECK (route_type IN ('exact', 'prefix')),
  handler text NOT NULL CHECK (handler IN ('backend', 'redirect', 'gone')),
  backend_id text,
  redirect_to text,
  redirect_type text CHECK (redirect_type IN ('permanent', 'temporary')),
  segments_mode text CHECK (segments_mode IN ('preserve', 'ignore')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incoming_path, route_type),
  CHECK ((handler = 'backend') = (backend_id IS NOT NULL)),
  CHECK ((handler = 'redirect') = (redirect_to IS NOT NULL))
);

-- Any change to either table tells the routers of this schema to reload. A
-- statement-level trigger sends one notification per statement, and PostgreSQL
-- folds identical notifications within a transaction into one at commit.
CREATE FUNCTION notify_route_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '_route_changes', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER routes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routes
  FOR EACH STATEMENT EXECUTE FUNCTION notify_route_change();
CREATE TRIGGER backends_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON backends
  FOR EACH STATEMENT EXECUTE FUNCTION notify_route_change();
