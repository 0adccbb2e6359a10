-- The roll as published: each entry keeps the name and classification it
-- was drawn with, so the list members check (and its fingerprint) stays
-- what it was when the roster is edited afterwards.
ALTER TABLE roll_entries ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE roll_entries ADD COLUMN classification TEXT NOT NULL DEFAULT '';
UPDATE roll_entries SET
    name = (SELECT m.first_name || ' ' || m.last_name FROM members m WHERE m.id = roll_entries.member_id),
    classification = (SELECT c.name FROM members m JOIN classifications c ON c.id = m.classification_id
                      WHERE m.id = roll_entries.member_id);
-- How the challenger named the entry they challenged ("V00002", or "Ann
-- Lee, Research Analyst" picked from the list): the words shown back to
-- them, so a name they picked is never answered with an employee number.
ALTER TABLE roll_challenges ADD COLUMN about TEXT NOT NULL DEFAULT '';
