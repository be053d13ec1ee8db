-- Full-text search of text messages (GET /api/teams/{team_id}/search). A normal FTS5 table holding the text,
-- rowid = messages.id; triggers keep it in step: a text enters when stored, leaves when deleted or recalled.
-- Deleting a channel's history also runs FTS5 'optimize' (api/db/dialect.py) so deleted words leave its segments.
CREATE VIRTUAL TABLE message_search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO message_search (rowid, text)
    SELECT id, text FROM messages WHERE kind = 'text' AND text IS NOT NULL AND recalled_at IS NULL;
CREATE TRIGGER message_search_insert AFTER INSERT ON messages
    WHEN new.kind = 'text' AND new.text IS NOT NULL AND new.recalled_at IS NULL
BEGIN
    INSERT INTO message_search (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER message_search_delete AFTER DELETE ON messages WHEN old.kind = 'text'
BEGIN
    DELETE FROM message_search WHERE rowid = old.id;
END;
CREATE TRIGGER message_search_recall AFTER UPDATE OF recalled_at ON messages
    WHEN old.recalled_at IS NULL AND new.recalled_at IS NOT NULL AND new.kind = 'text'
BEGIN
    DELETE FROM message_search WHERE rowid = new.id;
END;
