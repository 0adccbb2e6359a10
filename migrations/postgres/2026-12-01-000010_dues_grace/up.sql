-- Days after the end of the pay period a month's dues are deducted in
-- before a member counts as behind for that month: check-off files reach
-- the local some days after payday.
ALTER TABLE units ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 10;
