-- A form's one-time submission key, claimed before the act runs, with the
-- answer to give back to a second sending of the same form. The key is
-- stored hashed with the browser's CSRF seed, so it names no person.
CREATE TABLE form_submissions (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    location TEXT,
    flash_cookie TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX form_submissions_created ON form_submissions (created_at);
