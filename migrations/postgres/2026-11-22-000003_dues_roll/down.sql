DROP TABLE arrears_notices;
DROP TABLE pending_uploads;
DROP TABLE ledger_entries;
DROP TABLE checkoff_imports;
DROP TABLE dues_rates;
DROP TABLE members;
DROP TABLE classifications;
DROP TABLE units;
