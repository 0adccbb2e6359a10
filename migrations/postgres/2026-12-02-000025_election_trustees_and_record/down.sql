CREATE TABLE ballot_answers (
    election_id BIGINT NOT NULL,
    tracking_code TEXT NOT NULL,
    question_id BIGINT NOT NULL REFERENCES election_questions (id),
    choice_id BIGINT NOT NULL REFERENCES election_choices (id),
    PRIMARY KEY (election_id, tracking_code, question_id),
    FOREIGN KEY (election_id, tracking_code) REFERENCES ballots (election_id, tracking_code)
);
DROP TABLE election_record;
DROP TABLE election_observers;
DROP TABLE ballot_alphas;
DROP TABLE election_trustees;
ALTER TABLE elections DROP COLUMN keyed_at;
ALTER TABLE elections DROP COLUMN threshold;
