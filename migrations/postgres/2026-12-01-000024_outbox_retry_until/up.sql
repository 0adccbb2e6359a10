-- When a message that keeps failing stops being retried and is parked: set
-- at its first try to that moment plus MAIL_RETRY_HOURS, and cleared by an
-- officer's retry so the retry gets a whole period of its own.
ALTER TABLE outbox ADD COLUMN retry_until TIMESTAMP;
