-- Message ids are never reused (AUTOINCREMENT, as the event cursor), a deleted message leaves a tombstone of
-- its (sender, client_id) only, so an outbox retry is told it was deleted instead of recreating it; and message
-- events written before their cursor was known (data.cursor = 0) get their own cursor.

CREATE TABLE messages_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    sender_id  INTEGER NOT NULL REFERENCES users(id),
    client_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('text', 'cue')),
    text       TEXT,
    cue        TEXT,
    cursor     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (sender_id, client_id)
);
INSERT INTO messages_new (id, channel_id, sender_id, client_id, kind, text, cue, cursor, created_at)
    SELECT id, channel_id, sender_id, client_id, kind, text, cue, cursor, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_channel ON messages(channel_id, id);

-- Nothing of the message: who sent it and the sender's own id for it, to answer a retry.
CREATE TABLE deleted_messages (
    sender_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT    NOT NULL,
    PRIMARY KEY (sender_id, client_id)
);

UPDATE events SET data = CAST(json_set(CAST(data AS TEXT), '$.cursor', id) AS BLOB) WHERE type = 'message';
