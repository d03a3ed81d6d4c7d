-- Conversation state, the question log, the audit trail and small key/value state.
CREATE TABLE IF NOT EXISTS sessions (
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT '{}', -- JSON: the flow in progress and the choices offered
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);

CREATE TABLE IF NOT EXISTS questions (
    id         INTEGER PRIMARY KEY,
    asked_at   TEXT NOT NULL,
    channel    TEXT NOT NULL,
    person_id  INTEGER,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    confident  INTEGER NOT NULL,
    score      REAL
);

CREATE TABLE IF NOT EXISTS audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    person_id INTEGER,
    channel   TEXT NOT NULL,               -- cli, telegram, web ...
    action    TEXT NOT NULL,               -- roster.import, assign, export ...
    allowed   INTEGER NOT NULL,
    detail    TEXT NOT NULL DEFAULT '{}'   -- JSON
);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, at);

CREATE TABLE IF NOT EXISTS receipts (
    id          INTEGER PRIMARY KEY,       -- "seen"/"received" events: evidence beside, never instead of, acks
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    person_id   INTEGER,
    kind        TEXT NOT NULL,             -- seen, received
    message_ref TEXT,
    at          TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS kv (
    key        TEXT PRIMARY KEY,           -- e.g. zalo_oa.refresh_token
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
