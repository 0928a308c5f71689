-- Who a change was made for: the signed-in person an app acted for, beside
-- the token (actor) that says which app. Null when an app acted on its own.
ALTER TABLE events ADD COLUMN user_uid text, ADD COLUMN user_name text;
ALTER TABLE editions ADD COLUMN last_edited_by_uid text, ADD COLUMN last_edited_by_name text;

-- A document's history is read newest first, by content_id.
CREATE INDEX events_by_content ON events (content_id, id DESC) WHERE content_id IS NOT NULL;
