-- Accounts, devices (sessions), teams, channels, cues, messages, acks and the event log.
-- Times are UTC integer milliseconds.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL UNIQUE,
    csrf_token   TEXT    NOT NULL,
    device       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('owner', 'lead', 'member')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    token_hash BLOB    NOT NULL UNIQUE,
    role       TEXT    NOT NULL CHECK (role IN ('lead', 'member')),
    created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_uses   INTEGER NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invites_team ON invites(team_id);

-- kind: everyone and leads are built in (one each per team); group is custom; direct is one-to-one.
CREATE TABLE channels (
    id         INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('everyone', 'leads', 'group', 'direct')),
    name       TEXT    NOT NULL,
    direct_key TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (team_id, direct_key)
);
CREATE UNIQUE INDEX channels_builtin ON channels(team_id, kind) WHERE kind IN ('everyone', 'leads');

-- last_read is the cursor of the last message the member has read in this channel.
CREATE TABLE channel_members (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_read  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);

CREATE TABLE cues (
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    urgency     TEXT    NOT NULL CHECK (urgency IN ('normal', 'high')),
    rhythm      TEXT    NOT NULL,
    ttl_seconds INTEGER NOT NULL,
    PRIMARY KEY (team_id, code)
);

-- The global, monotonic cursor. AUTOINCREMENT: an id is never reused, even after deletes.
-- Visibility: user_id set = that user only; else channel_id set = that channel's members;
-- else the team's members.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT    NOT NULL,
    team_id    INTEGER NOT NULL,
    channel_id INTEGER,
    user_id    INTEGER,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_channel ON events(channel_id, id) WHERE user_id IS NULL;
CREATE INDEX events_team ON events(team_id, id) WHERE channel_id IS NULL AND user_id IS NULL;
CREATE INDEX events_user ON events(user_id, id) WHERE user_id IS NOT NULL;

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
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
CREATE INDEX messages_channel ON messages(channel_id, id);

CREATE TABLE acks (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
