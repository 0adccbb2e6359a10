-- A rate adopted by a passed ballot question names it: a dues increase is
-- set only by a secret ballot of members in good standing.
ALTER TABLE dues_rates ADD COLUMN adopted_by_question_id BIGINT REFERENCES election_questions (id);
