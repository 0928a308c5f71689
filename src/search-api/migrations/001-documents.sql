-- One row per live, searchable document, keyed like the live content store by
-- base path. The tsvector is derived here, not in the application, so the
-- weighting (title A, description B, body C) has one definition.
CREATE TABLE documents (
  base_path text PRIMARY KEY,
  content_id text NOT NULL,
  locale text NOT NULL,
  title text NOT NULL,
  description text NOT NULL,
  indexable_content text NOT NULL,
  document_type text NOT NULL,
  -- [{slug, title, link, content_id, acronym}] as results present them; the slugs again as an array to filter on.
  organisations jsonb NOT NULL,
  organisation_slugs text[] NOT NULL,
  -- The content_ids of the taxons the document is tagged to and all their ancestors.
  part_of_taxonomy_tree text[] NOT NULL,
  public_timestamp timestamptz,
  is_withdrawn boolean NOT NULL,
  payload_version bigint NOT NULL,
  -- English stems; any other locale is indexed word for word ('simple').
  text_config regconfig NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT now(),
  search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(text_config, title), 'A') ||
    setweight(to_tsvector(text_config, description), 'B') ||
    setweight(to_tsvector(text_config, indexable_content), 'C')
  ) STORED
);

CREATE INDEX documents_search_vector ON documents USING gin (search_vector);
CREATE INDEX documents_organisation_slugs ON documents USING gin (organisation_slugs);
CREATE INDEX documents_part_of_taxonomy_tree ON documents USING gin (part_of_taxonomy_tree);
CREATE INDEX documents_public_timestamp ON documents (public_timestamp DESC NULLS LAST, base_path);
CREATE INDEX documents_document_type ON documents (document_type);

-- The payload_version of each path's last deletion, so an older event that
-- arrives after it (a retry, another relay) cannot bring the document back.
CREATE TABLE deletions (
  base_path text PRIMARY KEY,
  payload_version bigint NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now()
);
