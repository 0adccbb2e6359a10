-- The trustees who make an election's key and decrypt its sums, the
-- messages their devices sent while making the key (kept for the
-- election's life: each device rebuilds its secret from them at the
-- close), and the public record, one line per row in the order written.
ALTER TABLE elections ADD COLUMN threshold INTEGER NOT NULL DEFAULT 2;
-- When every trustee confirmed the key: the vote may open from then on.
ALTER TABLE elections ADD COLUMN keyed_at TIMESTAMP;

CREATE TABLE election_trustees (
    election_id BIGINT NOT NULL REFERENCES elections (id),
    position INTEGER NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    transport TEXT,
    deal TEXT,
    confirmation TEXT,
    PRIMARY KEY (election_id, position),
    UNIQUE (election_id, user_id)
);

-- Every ciphertext's first half cast so far: a ballot that copies one of
-- another ballot's encryptions is refused before it is appended.
CREATE TABLE ballot_alphas (
    election_id BIGINT NOT NULL REFERENCES elections (id),
    alpha TEXT NOT NULL,
    PRIMARY KEY (election_id, alpha)
);

-- An observer's link to one election's record (a candidate's or a
-- member's observer): only its hash is kept.
CREATE TABLE election_observers (
    token_hash TEXT PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES elections (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE election_record (
    election_id BIGINT NOT NULL REFERENCES elections (id),
    seq BIGINT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (election_id, seq)
);

-- Choices are no longer stored: each ballot is in the record, encrypted
-- under the trustees' key, and only sums are ever decrypted. Results of
-- elections closed before this are in election_results.
DROP TABLE ballot_answers;
