DROP INDEX ledger_one_charge_a_month;
CREATE UNIQUE INDEX ledger_one_charge_a_month ON ledger_entries (member_id, period) WHERE kind = 'charge';
ALTER TABLE ledger_entries DROP COLUMN charge_round;
ALTER TABLE checkoff_imports DROP COLUMN reversal_reason;
ALTER TABLE checkoff_imports DROP COLUMN reversed_at;
DROP INDEX ledger_entries_reverses;
ALTER TABLE ledger_entries DROP COLUMN reverses_id;
