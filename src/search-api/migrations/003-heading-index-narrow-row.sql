-- Relevance ranks only the documents whose title and description match the
-- query on their own; this finds them without reading every match of the words.
CREATE INDEX documents_heading_vector ON documents USING gin (heading_vector);

-- A search still reads the row of every match for the total and the facets.
-- A row written over 512 bytes has its largest values (the body, then the
-- organisations' jsonb, the description, the title) compressed and moved to
-- TOAST, which only the page of results reads back; that halves the heap a
-- pass reads. What the passes group and compare by is kept in the row: the
-- toaster would otherwise move it too, and the facets would detoast every match.
ALTER TABLE documents SET (toast_tuple_target = 512);
ALTER TABLE documents
  ALTER COLUMN organisation_slugs SET STORAGE PLAIN,
  ALTER COLUMN document_type SET STORAGE PLAIN,
  ALTER COLUMN locale SET STORAGE PLAIN,
  ALTER COLUMN base_path SET STORAGE PLAIN;
