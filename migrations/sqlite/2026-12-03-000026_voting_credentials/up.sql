-- The person who makes an election's voting credentials, off the server.
ALTER TABLE elections ADD COLUMN credential_officer_id BIGINT REFERENCES users (id);

-- The public halves the credential officer uploaded, until the opening
-- copies them into the record. No names: nothing here says whose is whose.
CREATE TABLE election_credentials (
    election_id BIGINT NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    PRIMARY KEY (election_id, public_key)
);

-- The public credential a member cast with, so that a second ballot (a
-- re-vote) uses the same one and no login uses another member's.
ALTER TABLE participation ADD COLUMN credential TEXT;
