-- The highest event cursor that has reached one of the member's devices (the "delivered" receipt).
ALTER TABLE channel_members ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
