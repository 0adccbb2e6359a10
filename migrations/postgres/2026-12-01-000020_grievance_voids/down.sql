ALTER TABLE grievances DROP COLUMN void_reason;
ALTER TABLE grievances DROP COLUMN voided_by_label;
ALTER TABLE grievances DROP COLUMN voided_by;
ALTER TABLE grievances DROP COLUMN voided_at;
