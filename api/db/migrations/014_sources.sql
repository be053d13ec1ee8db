-- Sources (docs/sources.md): a protected conversation with someone on the other side, and the intel log.

-- A guest is a source's own account: one conversation, with its handler, and no team.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'guest'));

-- A new channel kind, source: the handler and the guest only (the table is rebuilt to widen its CHECK, as in 012).
CREATE TABLE channels_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('everyone', 'leads', 'group', 'direct', 'source')),
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

-- notes: who the source really is, for the handler's eyes only (wiped when the contact ends).
-- link_hash: the open single-use link's token hash, NULL once used or replaced.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id         INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    handler_id      INTEGER NOT NULL REFERENCES users(id),
    guest_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    channel_id      INTEGER REFERENCES channels(id) ON DELETE SET NULL,
    pseudonym       TEXT    NOT NULL,
    notes           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('invited', 'open', 'ended')),
    link_hash       BLOB    UNIQUE,
    link_expires_at INTEGER,
    created_at      INTEGER NOT NULL,
    joined_at       INTEGER,
    ended_at        INTEGER
);
CREATE INDEX sources_team ON sources(team_id, id);
CREATE INDEX sources_handler ON sources(handler_id);

CREATE TABLE intel_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL,
    claim       TEXT    NOT NULL,
    reliability TEXT    NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
    credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),
    said_at     INTEGER,
    created_at  INTEGER NOT NULL,
    verdict     TEXT    CHECK (verdict IN ('corroborated', 'contradicted')),
    by_entry_id INTEGER REFERENCES intel_entries(id) ON DELETE SET NULL,
    note        TEXT,
    known       INTEGER NOT NULL DEFAULT 0,
    assessed_by INTEGER,
    assessed_at INTEGER
);
CREATE INDEX intel_team ON intel_entries(team_id, id);
CREATE INDEX intel_source ON intel_entries(source_id);

-- Give to get: what the team shared with the source, and when.
CREATE TABLE source_gives (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL,
    what       TEXT    NOT NULL,
    given_at   INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX source_gives_source ON source_gives(source_id, id);
