-- Ranking reads a small vector of the title (A) and description (B) only.
-- The full search_vector averages 2.4 KB and lives in TOAST: ranking every
-- match of a common word on it meant fetching and decompressing tens of
-- thousands of them. This one is about 240 bytes and MAIN keeps it in the row.
ALTER TABLE documents ADD COLUMN heading_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector(text_config, title), 'A') ||
  setweight(to_tsvector(text_config, description), 'B')
) STORED;
ALTER TABLE documents ALTER COLUMN heading_vector SET STORAGE MAIN;
