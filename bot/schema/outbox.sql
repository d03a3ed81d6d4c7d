-- Broadcasts: one outbox row per recipient, so a restart resumes where it stopped.
CREATE TABLE IF NOT EXISTS broadcasts (
    id            INTEGER PRIMARY KEY,
    created_by    INTEGER REFERENCES people(id),
    text          TEXT NOT NULL DEFAULT '',
    document_id   INTEGER REFERENCES documents(id),
    assignment_id INTEGER REFERENCES assignments(id),
    audience      TEXT NOT NULL,           -- JSON, as assignments.audience
    require_ack   INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'sending', -- draft, sending, done
    progress_ref  TEXT,                    -- JSON: where the officer's progress message lives
    created_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    person_id    INTEGER REFERENCES people(id),
    account_id   INTEGER REFERENCES accounts(id),
    status       TEXT NOT NULL DEFAULT 'pending', -- pending, sending, sent, failed, blocked, unreachable
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    next_try_at  TEXT,
    sent_at      TEXT,
    UNIQUE (broadcast_id, person_id)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(status, broadcast_id);

CREATE TABLE IF NOT EXISTS reminders_sent (
    assignment_id INTEGER NOT NULL,
    person_id     INTEGER NOT NULL,
    days_before   INTEGER NOT NULL,
    sent_at       TEXT NOT NULL,
    PRIMARY KEY (assignment_id, person_id, days_before)
);
