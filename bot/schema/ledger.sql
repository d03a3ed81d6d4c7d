-- Assignments and the append-only, hash-chained acknowledgement ledger.
CREATE TABLE IF NOT EXISTS assignments (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    version       TEXT NOT NULL,           -- the document version to study
    due_date      TEXT NOT NULL,           -- ISO date (a local date: due at the end of that day)
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

-- One row per (person, document version). hash = sha256 of the canonical serialisation of the
-- row's content and prev_hash (see bot/core/evidence/ledger.py); prev_hash of the first row is 64 zeros.
CREATE TABLE IF NOT EXISTS acks (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL,
    document_id   INTEGER NOT NULL,
    version       TEXT NOT NULL,
    assignment_id INTEGER,
    acked_at      TEXT NOT NULL,
    channel       TEXT NOT NULL,           -- telegram, zalo, web, "hội nghị" ...
    check_score   TEXT,                    -- "2/3" when a comprehension check was passed
    recorded_by   INTEGER,                 -- the officer who imported an attendance sheet
    source_hash   TEXT,                    -- sha256 of the imported file
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE
);
CREATE UNIQUE INDEX IF NOT EXISTS acks_once ON acks(person_id, document_id, version);
CREATE INDEX IF NOT EXISTS acks_document ON acks(document_id, version);

-- Append-only: the application never changes or removes a ledger row. Someone who drops these
-- triggers to tamper is still caught by `quantriet ledger verify`.
CREATE TRIGGER IF NOT EXISTS acks_no_update BEFORE UPDATE ON acks
BEGIN SELECT RAISE(ABORT, 'acks is append-only'); END;
CREATE TRIGGER IF NOT EXISTS acks_no_delete BEFORE DELETE ON acks
BEGIN SELECT RAISE(ABORT, 'acks is append-only'); END;

CREATE TABLE IF NOT EXISTS check_attempts (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL,
    assignment_id INTEGER NOT NULL,
    attempt       INTEGER NOT NULL,        -- 1, 2, ... per (person, assignment): seeds the questions
    questions     TEXT NOT NULL,           -- JSON of what was asked (text, options, answer, source)
    answers       TEXT NOT NULL DEFAULT '[]', -- JSON list of the chosen option indexes, in order
    score         INTEGER,
    passed        INTEGER,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    UNIQUE (person_id, assignment_id, attempt)
);
