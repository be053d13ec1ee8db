-- Channel ids are never reused (AUTOINCREMENT, as message ids and the event cursor): a deleted group's id given to
-- the next channel made would send what still names it (an outbox item queued offline, a notification's link, a
-- lead's request on a stale screen) to the new channel's people, perhaps in another team.

CREATE TABLE channels_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('everyone', 'leads', 'group', 'direct')),
    name       TEXT    NOT NULL,
    direct_key TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (team_id, direct_key)
);
INSERT INTO channels_new (id, team_id, kind, name, direct_key, created_at)
    SELECT id, team_id, kind, name, direct_key, created_at FROM channels;
DROP TABLE channels;
ALTER TABLE channels_new RENAME TO channels;
CREATE UNIQUE INDEX channels_builtin ON channels(team_id, kind) WHERE kind IN ('everyone', 'leads');
