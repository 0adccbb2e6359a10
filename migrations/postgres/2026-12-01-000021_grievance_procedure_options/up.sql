-- A unit's grievance procedure's options beyond its steps; a unit without
-- a row has every option off.
CREATE TABLE grievance_procedures (
    unit_id BIGINT PRIMARY KEY NOT NULL REFERENCES units (id),
    -- A deadline counted in calendar days that falls on a weekend or a
    -- holiday moves to the next business day, as some contracts provide.
    roll_forward BOOLEAN NOT NULL DEFAULT FALSE
);
