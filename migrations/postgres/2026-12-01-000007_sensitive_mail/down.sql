ALTER TABLE outbox DROP COLUMN sensitive;
