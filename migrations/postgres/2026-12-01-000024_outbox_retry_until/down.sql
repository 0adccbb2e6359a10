ALTER TABLE outbox DROP COLUMN retry_until;
