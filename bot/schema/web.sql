-- The web channel (bot/channels/web): browser sessions and the message log of the web chat.
-- A session row is keyed by the sha256 of the cookie token, so a copy of the database does not
-- hand out usable cookies; logging out deletes the row.
CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,             -- chat (invite code) or admin (password)
    external_id TEXT NOT NULL,             -- accounts.external_id of the linked "web" account
    csrf        TEXT NOT NULL,             -- the token every POST of this session must carry
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_expiry ON web_sessions(expires_at);

-- Everything shown in one web chat, both ways: replies, pushed broadcasts and the user's own
-- messages. The page polls for rows whose rev is above the last one it saw; an edit (progress
-- messages, answered buttons) rewrites a row and gives it a new rev.
CREATE TABLE IF NOT EXISTS web_messages (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body        TEXT NOT NULL,             -- JSON: {"text": ..., "buttons": [[{label, data, url}]]}
    file_name   TEXT,                      -- an attachment, downloadable by this account only
    file_mime   TEXT,
    file_data   BLOB,
    at          TEXT NOT NULL,
    rev         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS web_messages_account ON web_messages(external_id, rev);
