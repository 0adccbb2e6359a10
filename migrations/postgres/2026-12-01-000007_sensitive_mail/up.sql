-- Whether a message's bodies must be scrubbed once it is delivered or
-- parked: the notice kind says so when it is queued, so the outbox need
-- not know which features send secrets.
ALTER TABLE outbox ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE outbox SET sensitive = TRUE WHERE template = 'election_receipt';
