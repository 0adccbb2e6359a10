-- Salary-floor comparisons: each classification's floor under the current
-- contract, bargaining scenarios with their own floors, and the reference
-- costs (rent, living wage, inflation) each with its source and date.
ALTER TABLE classifications ADD COLUMN floor_cents BIGINT;

CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    raise_bp INTEGER NOT NULL DEFAULT 0,
    flat_raise_cents BIGINT NOT NULL DEFAULT 0,
    premium_monthly_cents BIGINT NOT NULL DEFAULT 0,
    effective_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (unit_id, name)
);

CREATE TABLE scenario_floors (
    scenario_id BIGINT NOT NULL REFERENCES scenarios (id),
    classification_id BIGINT NOT NULL REFERENCES classifications (id),
    floor_cents BIGINT NOT NULL CHECK (floor_cents >= 0),
    PRIMARY KEY (scenario_id, classification_id)
);

-- Rent and the living wage are cents (a month, a year); CPI is basis points.
CREATE TABLE reference_costs (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('rent', 'living_wage', 'cpi')),
    amount BIGINT NOT NULL,
    source TEXT NOT NULL,
    as_of DATE NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_id, kind)
);
