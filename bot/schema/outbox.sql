-- Broadcasts: one outbox row per recipient account, so a restart resumes where it stopped.
CREATE TABLE IF NOT EXISTS broadcasts (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL DEFAULT 'broadcast', -- broadcast, assignment, reminder, notice
    created_by    INTEGER REFERENCES people(id),
    text          TEXT NOT NULL DEFAULT '',  -- the officer's own words
    document_id   INTEGER REFERENCES documents(id),
    assignment_id INTEGER REFERENCES assignments(id),
    audience      TEXT NOT NULL,           -- JSON, as assignments.audience (+ "people": [...])
    require_ack   INTEGER NOT NULL DEFAULT 0,
    due_date      TEXT,                    -- ISO local date of the assignment a confirm creates
    require_check INTEGER NOT NULL DEFAULT 0,
    reply         TEXT,                    -- JSON of the message every recipient gets (frozen at confirm)
    status        TEXT NOT NULL DEFAULT 'sending', -- draft, sending, done, cancelled
    progress_ref  TEXT,                    -- JSON {channel, external_id, message_ref}: the officer's progress message
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT
);
CREATE INDEX IF NOT EXISTS broadcasts_status ON broadcasts(status);

-- status: pending (to send), sending (the network call is in flight), sent, failed (retries
-- exhausted or refused by the platform), blocked (the user blocked the bot), unreachable (no
-- linked account). A row left in 'sending' by a crash is sent again on start.
CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    person_id    INTEGER REFERENCES people(id),
    account_id   INTEGER REFERENCES accounts(id),
    channel      TEXT,                     -- the account's channel (NULL when unreachable)
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0, -- failed tries (timeouts, network errors)
    error        TEXT,
    next_try_at  TEXT,                     -- UTC; not before (backoff, per-chat spacing)
    message_ref  TEXT,                     -- the platform's id of the delivered message
    sent_at      TEXT,
    UNIQUE (broadcast_id, person_id, account_id)
);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries(status, channel, id);
CREATE INDEX IF NOT EXISTS deliveries_broadcast ON deliveries(broadcast_id, status);

CREATE TABLE IF NOT EXISTS reminders_sent (
    assignment_id INTEGER NOT NULL,
    person_id     INTEGER NOT NULL,
    days_before   INTEGER NOT NULL,
    sent_at       TEXT NOT NULL,
    PRIMARY KEY (assignment_id, person_id, days_before)
);
