-- A mistaken entry is never edited or deleted: a reversal entry cancels
-- it and points at it. An entry is reversed at most once.
ALTER TABLE ledger_entries ADD COLUMN reverses_id BIGINT REFERENCES ledger_entries (id);
CREATE UNIQUE INDEX ledger_entries_reverses ON ledger_entries (reverses_id);
-- A whole check-off import reversed as one act.
ALTER TABLE checkoff_imports ADD COLUMN reversed_at TIMESTAMP;
ALTER TABLE checkoff_imports ADD COLUMN reversal_reason TEXT;
-- A reversed month can be posted again: each posting of a member's month
-- is a round, and only one charge stands per round.
ALTER TABLE ledger_entries ADD COLUMN charge_round INTEGER NOT NULL DEFAULT 1;
DROP INDEX ledger_one_charge_a_month;
CREATE UNIQUE INDEX ledger_one_charge_a_month ON ledger_entries (member_id, period, charge_round)
    WHERE kind = 'charge' AND reverses_id IS NULL;
