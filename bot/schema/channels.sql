-- What the channel adapters keep: the inbound log of fire-once platforms and short-lived download links.

-- Every update from a platform that delivers only once (Zalo Bot getUpdates, Zalo webhooks) is
-- written here before it is answered, so a crash between receiving and replying loses nothing:
-- rows without handled_at are processed again on start. event_ref de-duplicates webhook retries.
CREATE TABLE IF NOT EXISTS inbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,             -- zalo, zalo_oa
    event       TEXT NOT NULL,             -- the platform's event name
    external_id TEXT,                      -- the sender's platform id
    event_ref   TEXT,                      -- the platform's message id, else "sha256:" of the body
    body        TEXT NOT NULL,             -- the update as received (JSON)
    received_at TEXT NOT NULL,
    handled_at  TEXT,
    error       TEXT,                      -- why handling failed (details are in the log)
    UNIQUE (channel, event_ref)
);
CREATE INDEX IF NOT EXISTS inbox_open ON inbox(channel, handled_at);

-- A file offered as a link (Zalo has no documents): the token itself is never stored, only its
-- sha256, so a copy of the database does not reveal live links. Bytes live in
-- <data>/downloads/<sha256 of content>, shared by every link to the same file.
CREATE TABLE IF NOT EXISTS downloads (
    token_hash  TEXT PRIMARY KEY,
    blob        TEXT NOT NULL,             -- sha256 of the content = file name under downloads/
    filename    TEXT NOT NULL,
    mime        TEXT NOT NULL,
    purpose     TEXT NOT NULL DEFAULT '',  -- e.g. "zalo:<user id>": who the link was made for
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    downloads   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS downloads_expiry ON downloads(expires_at);
