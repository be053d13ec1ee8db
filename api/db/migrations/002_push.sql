-- Web Push: each user's privacy level, one subscription per device (session), and the durable job queue.

ALTER TABLE users ADD COLUMN push_level TEXT NOT NULL DEFAULT 'hidden'
    CHECK (push_level IN ('hidden', 'sender', 'full'));

CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint   TEXT    NOT NULL UNIQUE,
    p256dh     TEXT    NOT NULL,
    auth       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_id);

-- One row per (message, device) still to deliver. Dropped once sent, once past expires_at,
-- or with its subscription.
CREATE TABLE push_jobs (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    ttl_seconds     INTEGER NOT NULL,
    urgency         TEXT    NOT NULL,
    topic           TEXT,
    expires_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    shrink          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_jobs_due ON push_jobs(next_attempt_at);
