-- A case filed in error (a duplicate, the wrong member) is voided, never
-- deleted: it leaves every list, report and reminder, and keeps its row
-- and timeline with who voided it, when and why.
ALTER TABLE grievances ADD COLUMN voided_at TIMESTAMP;
ALTER TABLE grievances ADD COLUMN voided_by BIGINT REFERENCES users (id);
ALTER TABLE grievances ADD COLUMN voided_by_label TEXT NOT NULL DEFAULT '';
ALTER TABLE grievances ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
