-- The dues roll: bargaining units, classifications, the roster, dues
-- rates, the append-only ledger, and employer check-off imports.
-- Money is integer cents; rates are basis points; dates are the local's.
CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    employer TEXT NOT NULL DEFAULT '',
    contract_start DATE,
    contract_end DATE,
    arrears_allowance_months INTEGER NOT NULL DEFAULT 2 CHECK (arrears_allowance_months >= 0),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE classifications (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    UNIQUE (unit_id, name)
);

CREATE TABLE members (
    id BIGSERIAL PRIMARY KEY,
    employee_number TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    classification_id BIGINT NOT NULL REFERENCES classifications (id),
    department TEXT NOT NULL,
    hire_date DATE NOT NULL,
    annual_salary_cents BIGINT NOT NULL CHECK (annual_salary_cents >= 0),
    work_arrangement TEXT NOT NULL CHECK (work_arrangement IN ('on-site', 'hybrid', 'remote')),
    status TEXT NOT NULL CHECK (status IN ('member', 'non-member', 'on-leave', 'resigned', 'retired')),
    join_date DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX members_unit ON members (unit_id);
CREATE INDEX members_name ON members (last_name, first_name);

CREATE TABLE dues_rates (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    effective_from DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'flat')),
    basis_points INTEGER NOT NULL DEFAULT 0,
    monthly_min_cents BIGINT NOT NULL DEFAULT 0,
    monthly_max_cents BIGINT NOT NULL DEFAULT 0,
    flat_cents BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (unit_id, effective_from)
);

-- One row per employer file; the same file, or the same period for a unit,
-- cannot be imported twice.
CREATE TABLE checkoff_imports (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    file_sha256 TEXT NOT NULL UNIQUE,
    row_count INTEGER NOT NULL,
    total_cents BIGINT NOT NULL,
    imported_by BIGINT REFERENCES users (id),
    imported_by_label TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (unit_id, period_start, period_end)
);

-- Append-only: a correction is a new entry. Positive amounts are owed
-- (charges), negative ones paid (check-off, payments); balance = sum.
CREATE TABLE ledger_entries (
    id BIGSERIAL PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    entry_date DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('charge', 'checkoff', 'payment', 'adjustment')),
    amount_cents BIGINT NOT NULL,
    period TEXT,
    reason TEXT NOT NULL DEFAULT '',
    import_id BIGINT REFERENCES checkoff_imports (id),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_member_date ON ledger_entries (member_id, entry_date);
-- Posting a month twice changes nothing.
CREATE UNIQUE INDEX ledger_one_charge_a_month ON ledger_entries (member_id, period) WHERE kind = 'charge';

-- An uploaded file between its preview and the officer's confirmation,
-- kept in the database so any server process can finish the import.
CREATE TABLE pending_uploads (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('roster', 'checkoff')),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_name TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    content BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- At most one arrears notice a month to each member.
CREATE TABLE arrears_notices (
    member_id BIGINT NOT NULL REFERENCES members (id),
    month TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, month)
);
