-- The latest item per base path. GET answers from `presented`, the response
-- body serialised at write time, so a read is one index lookup and no JSON
-- work; `payload` keeps what the Publishing API sent, to present again later.
CREATE TABLE content_items (
  base_path text PRIMARY KEY,
  content_id text NOT NULL,
  locale text NOT NULL,
  document_type text NOT NULL,
  schema_name text NOT NULL,
  rendering_app text,
  payload_version bigint NOT NULL CHECK (payload_version >= 0),
  routes jsonb NOT NULL,
  redirects jsonb NOT NULL,
  -- A gone item with blank details answers 410.
  gone boolean NOT NULL,
  -- details.max_cache_time in seconds, clamped per request to the service's TTL.
  max_cache_time integer,
  payload jsonb NOT NULL,
  presented text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL
);

CREATE INDEX content_items_content_id ON content_items (content_id, locale);

-- The item whose routes these are; NULL for routes imported by `portico routes
-- import`. Deleting an item deletes its routes, and the statement trigger on
-- routes fires for the cascade too.
ALTER TABLE routes ADD COLUMN content_base_path text REFERENCES content_items (base_path) ON DELETE CASCADE;

-- Replacing an item's routes reads and deletes by owner. Looking up a path by
-- route (an exact route, or an ancestor's prefix route) uses the primary key
-- (incoming_path, route_type).
CREATE INDEX routes_content_base_path ON routes (content_base_path) WHERE content_base_path IS NOT NULL;
