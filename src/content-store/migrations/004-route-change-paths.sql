-- A statement on `routes` now tells the routers which routes it changed, so
-- they update those routes in place instead of reloading the whole table
-- (docs/decisions/010-incremental-route-updates.md). The payload is a JSON
-- array of [route_type, incoming_path] pairs, the routes' primary keys. The
-- empty payload still means "reload everything": it is sent for a statement
-- whose keys do not fit well within NOTIFY's 8000-byte limit, for TRUNCATE, and
-- for any change to `backends` (notify_route_change, from 001, unchanged).
--
-- Transition tables need one trigger per event: PostgreSQL refuses them on a
-- trigger for several events.
DROP TRIGGER routes_changed ON routes;

CREATE FUNCTION notify_route_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text[];
  payload text;
BEGIN
  -- A key takes at least 14 bytes (["exact","/"],), so more than 500 never
  -- fit in 7000: a statement that changed thousands of rows is read no further.
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(format('[%s,%s]', to_json(route_type), to_json(incoming_path))) INTO keys
    FROM (SELECT route_type, incoming_path FROM new_rows LIMIT 501) k;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(format('[%s,%s]', to_json(route_type), to_json(incoming_path))) INTO keys
    FROM (SELECT route_type, incoming_path FROM old_rows LIMIT 501) k;
  ELSE
    -- An update may move a route to another key: both the old and the new one changed.
    SELECT array_agg(format('[%s,%s]', to_json(route_type), to_json(incoming_path))) INTO keys
    FROM ((SELECT route_type, incoming_path FROM old_rows LIMIT 501)
          UNION (SELECT route_type, incoming_path FROM new_rows LIMIT 501)) k;
  END IF;
  -- A statement that changed no row changed no route.
  IF keys IS NULL THEN
    RETURN NULL;
  END IF;
  payload := CASE WHEN cardinality(keys) <= 500 THEN '[' || array_to_string(keys, ',') || ']' END;
  IF payload IS NULL OR octet_length(payload) > 7000 THEN
    payload := '';
  END IF;
  PERFORM pg_notify(TG_TABLE_SCHEMA || '_route_changes', payload);
  RETURN NULL;
END
$$;

CREATE TRIGGER routes_inserted AFTER INSERT ON routes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_route_keys();
CREATE TRIGGER routes_updated AFTER UPDATE ON routes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_route_keys();
CREATE TRIGGER routes_deleted AFTER DELETE ON routes REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_route_keys();
CREATE TRIGGER routes_truncated AFTER TRUNCATE ON routes
  FOR EACH STATEMENT EXECUTE FUNCTION notify_route_change();
