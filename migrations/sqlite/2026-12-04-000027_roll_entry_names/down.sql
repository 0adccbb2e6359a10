ALTER TABLE roll_challenges DROP COLUMN about;
ALTER TABLE roll_entries DROP COLUMN classification;
ALTER TABLE roll_entries DROP COLUMN name;
