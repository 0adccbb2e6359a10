-- Grievances: each unit's procedure (ordered steps with their limits) and
-- holidays, the cases, their grievants and articles, the append-only
-- timeline, notes, attachments, agreed extensions, and the reminders sent.
CREATE TABLE grievance_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL CHECK (position >= 1),
    name TEXT NOT NULL,
    filing_days INTEGER NOT NULL CHECK (filing_days >= 0),
    response_days INTEGER NOT NULL CHECK (response_days >= 0),
    day_count TEXT NOT NULL CHECK (day_count IN ('calendar', 'business')),
    arbitration BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (unit_id, position)
);

CREATE TABLE unit_holidays (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    holiday DATE NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (unit_id, holiday)
);

-- The current step, phase and next deadline are kept on the case so the
-- board and the reminder job read one row; the timeline is the record.
CREATE TABLE grievances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('individual', 'group', 'class')),
    class_description TEXT NOT NULL DEFAULT '',
    incident_date DATE NOT NULL,
    description TEXT NOT NULL,
    remedy TEXT NOT NULL,
    department TEXT NOT NULL,
    supervisor TEXT NOT NULL,
    filed_on DATE NOT NULL,
    late_days INTEGER NOT NULL DEFAULT 0,
    continuing_violation BOOLEAN NOT NULL DEFAULT FALSE,
    step_position INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('awaiting_response', 'awaiting_appeal', 'closed')),
    phase_since DATE NOT NULL,
    phase_reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'settled', 'withdrawn', 'denied', 'won', 'award')),
    due_on DATE,
    due_act TEXT NOT NULL DEFAULT '',
    due_basis TEXT NOT NULL DEFAULT '',
    steward_id BIGINT REFERENCES users (id),
    filed_by BIGINT REFERENCES users (id),
    outcome_terms TEXT NOT NULL DEFAULT '',
    back_pay_cents BIGINT,
    resolved_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX grievances_open_due ON grievances (status, due_on);
CREATE INDEX grievances_steward ON grievances (steward_id);

CREATE TABLE grievants (
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    PRIMARY KEY (grievance_id, member_id)
);
CREATE INDEX grievants_member ON grievants (member_id);

CREATE TABLE grievance_articles (
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    article TEXT NOT NULL,
    PRIMARY KEY (grievance_id, article)
);

-- Append-only: a mistake is corrected by a later event.
CREATE TABLE grievance_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    act TEXT NOT NULL,
    step_position INTEGER NOT NULL,
    occurred_on DATE NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    author_id BIGINT REFERENCES users (id),
    author_label TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX grievance_events_case ON grievance_events (grievance_id, id);

CREATE TABLE grievance_extensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    due_act TEXT NOT NULL,
    old_due DATE NOT NULL,
    new_due DATE NOT NULL,
    agreed_with TEXT NOT NULL,
    agreed_on DATE NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_by_label TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);

CREATE TABLE grievance_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    shared BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    author_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The file itself lives under DATA_DIR/attachments/<storage_key>.
CREATE TABLE grievance_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    uploaded_by_label TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);

-- One row per reminder sent: the key is what makes it at most once, even
-- with several server processes running the job.
CREATE TABLE deadline_reminders (
    grievance_id BIGINT NOT NULL REFERENCES grievances (id),
    due_on DATE NOT NULL,
    days_before INTEGER NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (grievance_id, due_on, days_before, user_id)
);
