-- A validator for GET /content's conditional requests: a frontend that has
-- rendered an item asks again with If-None-Match and gets 304 while the item
-- is unchanged. A digest of the answer's own bytes, so that anything that
-- changes `presented` (a publish, a re-present, links expanded afresh)
-- changes it, and nothing else does. Generated, so every writer keeps it
-- right without knowing about it; computed once per write, never per read.
-- Adding it rewrites the table once.
ALTER TABLE content_items ADD COLUMN etag text GENERATED ALWAYS AS (md5(presented)) STORED;
