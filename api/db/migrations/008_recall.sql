-- When its sender recalled a mis-tapped cue (within RECALL_SECONDS of sending it); NULL while it stands.
ALTER TABLE messages ADD COLUMN recalled_at INTEGER;
