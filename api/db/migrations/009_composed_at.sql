-- When a message was written, as its sender's device said (an outbox item sent later), clamped on the way in to
-- [now - COMPOSED_MAX_AGE_MS, now] (api/actions/messages.py); NULL: the client did not say (then it is created_at).
ALTER TABLE messages ADD COLUMN composed_at INTEGER;
