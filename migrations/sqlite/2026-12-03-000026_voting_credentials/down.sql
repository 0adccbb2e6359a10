ALTER TABLE participation DROP COLUMN credential;
DROP TABLE election_credentials;
ALTER TABLE elections DROP COLUMN credential_officer_id;
