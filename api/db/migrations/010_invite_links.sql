-- An invite keeps its link, so that the owner and leads can copy it again while it is usable (issue 11). Invites
-- made before this keep only their token's hash: their link cannot be shown again (make a new one).
ALTER TABLE invites ADD COLUMN token TEXT;
