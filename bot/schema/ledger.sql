-- Assignments and the append-only, hash-chained acknowledgement ledger.
CREATE TABLE IF NOT EXISTS assignments (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    version       TEXT NOT NULL,           -- the document version to study
    due_date      TEXT NOT NULL,           -- ISO date
    audience      TEXT NOT NULL,           -- JSON: {"units": [...], "subunits": true, "roles": [...]}
    require_check INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER REFERENCES people(id),
    created_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS assignment_members (
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (assignment_id, person_id)
);
CREATE INDEX IF NOT EXISTS assignment_members_person ON assignment_members(person_id);

CREATE TABLE IF NOT EXISTS acks (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL,
    document_id   INTEGER NOT NULL,
    version       TEXT NOT NULL,
    assignment_id INTEGER,
    acked_at      TEXT NOT NULL,
    channel       TEXT NOT NULL,           -- telegram, zalo, web, "hội nghị" ...
    check_score   TEXT,                    -- "3/3" when a comprehension check was passed
    recorded_by   INTEGER,                 -- the officer who imported an attendance sheet
    source_hash   TEXT,                    -- sha256 of the imported file
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE
);
CREATE UNIQUE INDEX IF NOT EXISTS acks_once ON acks(person_id, document_id, version);

CREATE TABLE IF NOT EXISTS check_attempts (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL,
    assignment_id INTEGER NOT NULL,
    questions     TEXT NOT NULL,           -- JSON of what was asked
    answers       TEXT,                    -- JSON of what was chosen
    score         INTEGER,
    passed        INTEGER,
    started_at    TEXT NOT NULL,
    finished_at   TEXT
);
