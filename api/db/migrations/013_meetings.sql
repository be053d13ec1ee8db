-- Meetings (docs/meetings.md): who is at the table, the floor, urgent cues that insist, and the debrief's timeline.

-- How an urgent cue in a live meeting insists: re-buzzed every escalate_every_s, at most escalate_times more times.
ALTER TABLE teams ADD COLUMN escalate_every_s INTEGER NOT NULL DEFAULT 30;
ALTER TABLE teams ADD COLUMN escalate_times INTEGER NOT NULL DEFAULT 3;

-- Ids never reused (AUTOINCREMENT): a stale screen's request must never reach another team's meeting.
CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    channel_id   INTEGER NOT NULL REFERENCES channels(id),  -- where its cues go; a deleted group hands over to Everyone
    title        TEXT    NOT NULL,
    counterpart  TEXT    NOT NULL,
    planned_at   INTEGER,
    state        TEXT    NOT NULL CHECK (state IN ('planned', 'live', 'ended')),
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    ended_at     INTEGER,
    floor_holder INTEGER REFERENCES users(id),
    floor_since  INTEGER
);
CREATE INDEX meetings_team ON meetings(team_id, id);
-- One live meeting per team, held by the database itself (two leads starting at once cannot both win).
CREATE UNIQUE INDEX meetings_one_live ON meetings(team_id) WHERE state = 'live';

-- Who is at the table: where they are and what they do in this meeting.
CREATE TABLE meeting_seats (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    place      TEXT    NOT NULL CHECK (place IN ('room', 'call', 'remote')),
    role       TEXT    NOT NULL CHECK (role IN ('speaking', 'observing', 'notes')),
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

-- The floor queue: one request per person, served oldest first.
CREATE TABLE floor_requests (
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requested_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

-- The debrief's timeline, written as things happen. It keeps the cue's code and label, never a message's text, and
-- outlives the channel's history (a message id here is a reference, not a key).
CREATE TABLE meeting_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    user_id    INTEGER,
    other_id   INTEGER,
    message_id INTEGER,
    cue        TEXT,
    label      TEXT,
    ms         INTEGER,
    place      TEXT,
    role       TEXT,
    urgency    TEXT,  -- a cue's: only an urgent cue waits for an answer (a normal one expires with none needed)
    audience   TEXT  -- a cue's: the JSON list of who it went to (the debrief names who never acknowledged it)
);
CREATE INDEX meeting_log_meeting ON meeting_log(meeting_id, id);
CREATE INDEX meeting_log_message ON meeting_log(message_id) WHERE message_id IS NOT NULL;

-- Which stored events are a meeting's, so that deleting the meeting deletes them too.
CREATE TABLE meeting_events (
    cursor     INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL
);
CREATE INDEX meeting_events_meeting ON meeting_events(meeting_id);

-- An urgent cue's schedule of re-buzzes: stored, like push jobs, so a restart resumes it.
CREATE TABLE escalations (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    every_ms   INTEGER NOT NULL,
    times      INTEGER NOT NULL,  -- re-buzzes at most
    buzzes     INTEGER NOT NULL DEFAULT 1,  -- so far, the first send included
    expires_at INTEGER NOT NULL,
    next_at    INTEGER,  -- NULL once stopped
    reason     TEXT
);
CREATE INDEX escalations_due ON escalations(next_at) WHERE next_at IS NOT NULL;
