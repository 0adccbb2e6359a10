-- A person's membership status and join date as of each day: every change
-- from an import or an edit is kept with the day it takes effect, so
-- standing on a past cut-off reads the status of that day.
CREATE TABLE member_status_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    join_date DATE,
    effective_from DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX member_status_history_member ON member_status_history (member_id, effective_from);
-- What is on the roster now has held for as long as anyone knows.
INSERT INTO member_status_history (member_id, status, join_date, effective_from, recorded_at, recorded_by)
    SELECT id, status, join_date, '1900-01-01', updated_at, 'the roster before history was kept' FROM members;
