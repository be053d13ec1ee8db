-- One push subscription per session (a session is one browser on one device, and a browser has one push
-- subscription): a newer one replaces the session's older ones. Existing databases keep each session's newest.
-- Foreign keys are off while a migration runs, so the replaced subscriptions' jobs are deleted by hand.

DELETE FROM push_jobs WHERE subscription_id NOT IN (SELECT max(id) FROM push_subscriptions GROUP BY session_id);
DELETE FROM push_subscriptions WHERE id NOT IN (SELECT max(id) FROM push_subscriptions GROUP BY session_id);
DROP INDEX push_subscriptions_session;
CREATE UNIQUE INDEX push_subscriptions_session ON push_subscriptions(session_id);
