-- Link expansion and dependency resolution look editions up by the documents
-- their edition links point at ("who links to X?"). edition_link_keys gives,
-- for an edition's links, every target content_id on its own and every
-- "link_type:content_id" pair (lower case), so one GIN index answers both
-- "links to X with any type" and "links to X as parent".

CREATE FUNCTION edition_link_keys(links jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT k), '{}'::text[])
  FROM (
    SELECT lower(t.id) AS id, kv.key AS link_type
    FROM jsonb_each(CASE WHEN jsonb_typeof(links) = 'object' THEN links ELSE '{}'::jsonb END) AS kv
    CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(kv.value) = 'array' THEN kv.value ELSE '[]'::jsonb END) AS t(id)
  ) AS l
  CROSS JOIN LATERAL (VALUES (l.id), (l.link_type || ':' || l.id)) AS keys(k)
$$;

-- fastupdate off: without it new keys wait in a pending list that every
-- search scans until a vacuum, which after a bulk load costs each expansion
-- milliseconds. Writes are few next to expansions.
CREATE INDEX editions_link_keys ON editions USING gin (edition_link_keys(edition_links)) WITH (fastupdate = off)
  WHERE content_store IS NOT NULL;

-- Reverse links ask "who links to X as parent?": with only links_target, a
-- document linked 100,000 times as an organisation would read every one of
-- those links to find its few children.
CREATE INDEX links_target_type ON links (target_content_id, link_type);
