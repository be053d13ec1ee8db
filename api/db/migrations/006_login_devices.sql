-- Browsers a user has signed in on, by the hash of the device key in their bc_device cookie: a log-in from one of
-- them is throttled apart from everyone else's (api/throttle.py), so strangers cannot lock the owner out.
CREATE TABLE login_devices (
    token_hash   BLOB    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_used_at INTEGER NOT NULL
);
CREATE INDEX login_devices_user ON login_devices(user_id, last_used_at);
