ALTER TABLE units DROP COLUMN grace_days;
