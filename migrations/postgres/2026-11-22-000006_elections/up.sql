-- Elections: questions and choices, the roll and its challenges, who took
-- part, and the ballots. The ballot tables hold no voter, no time and no
-- key that follows the order of casting: their key is a random tracking
-- code; at the close the election's rows are written again in key order
-- in one transaction, so neither their physical order nor their
-- transaction ids follow the order of casting. Participation is keyed by member, never by time.
CREATE TABLE elections (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    cutoff DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'open', 'closed')),
    roll_fingerprint TEXT,
    eligible INTEGER,
    close_reason TEXT NOT NULL DEFAULT '',
    closed_at TIMESTAMP,
    purged_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE election_questions (
    id BIGSERIAL PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES elections (id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('yes_no', 'choice')),
    pass_num INTEGER NOT NULL,
    pass_den INTEGER NOT NULL CHECK (pass_den > 0),
    pass_at_least BOOLEAN NOT NULL,
    min_turnout_bp INTEGER NOT NULL DEFAULT 0,
    dues_kind TEXT CHECK (dues_kind IN ('percent', 'flat')),
    dues_basis_points INTEGER NOT NULL DEFAULT 0,
    dues_min_cents BIGINT NOT NULL DEFAULT 0,
    dues_max_cents BIGINT NOT NULL DEFAULT 0,
    dues_flat_cents BIGINT NOT NULL DEFAULT 0,
    dues_effective DATE,
    UNIQUE (election_id, position)
);

CREATE TABLE election_choices (
    id BIGSERIAL PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES election_questions (id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    UNIQUE (question_id, position)
);

CREATE TABLE roll_entries (
    election_id BIGINT NOT NULL REFERENCES elections (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    employee_number TEXT NOT NULL,
    PRIMARY KEY (election_id, member_id)
);

CREATE TABLE roll_challenges (
    id BIGSERIAL PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES elections (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
    reason TEXT NOT NULL,
    raised_by BIGINT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolution TEXT NOT NULL DEFAULT '',
    resolved_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);

CREATE TABLE participation (
    election_id BIGINT NOT NULL REFERENCES elections (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    method TEXT NOT NULL CHECK (method IN ('online', 'paper')),
    PRIMARY KEY (election_id, member_id)
);

CREATE TABLE ballots (
    election_id BIGINT NOT NULL REFERENCES elections (id),
    tracking_code TEXT NOT NULL,
    PRIMARY KEY (election_id, tracking_code)
);

CREATE TABLE ballot_answers (
    election_id BIGINT NOT NULL,
    tracking_code TEXT NOT NULL,
    question_id BIGINT NOT NULL REFERENCES election_questions (id),
    choice_id BIGINT NOT NULL REFERENCES election_choices (id),
    PRIMARY KEY (election_id, tracking_code, question_id),
    FOREIGN KEY (election_id, tracking_code) REFERENCES ballots (election_id, tracking_code)
);

-- The certified count, written once at the close; it outlives a purge.
CREATE TABLE election_results (
    question_id BIGINT NOT NULL REFERENCES election_questions (id),
    choice_id BIGINT NOT NULL REFERENCES election_choices (id),
    votes INTEGER NOT NULL,
    PRIMARY KEY (question_id, choice_id)
);

CREATE TABLE election_outcomes (
    election_id BIGINT PRIMARY KEY REFERENCES elections (id),
    participated_online INTEGER NOT NULL,
    participated_paper INTEGER NOT NULL,
    summary TEXT NOT NULL
);

-- Reminders an officer schedules; `sent_at` is set by whichever process
-- claims one first, so each goes out once.
CREATE TABLE election_reminders (
    id BIGSERIAL PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES elections (id),
    due_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    recipients INTEGER
);
