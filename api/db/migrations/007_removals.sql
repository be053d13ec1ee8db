-- When a member was last removed from a team by someone else: invites made before that no longer let them back in
-- (a multi-use link they joined by would otherwise undo their removal at once).
CREATE TABLE removals (
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    removed_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
