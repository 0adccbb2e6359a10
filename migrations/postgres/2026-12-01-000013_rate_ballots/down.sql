ALTER TABLE dues_rates DROP COLUMN adopted_by_question_id;
