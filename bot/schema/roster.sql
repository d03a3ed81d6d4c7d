-- The organisation tree, the roster and the chat accounts linked to it.
CREATE TABLE IF NOT EXISTS units (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,               -- knowledge.text.fold(name): matching without diacritics
    parent_id INTEGER REFERENCES units(id),
    kind      TEXT,                        -- tỉnh, huyện, xã, sở, chi bộ ...
    UNIQUE (name, parent_id)
);
CREATE INDEX IF NOT EXISTS units_key ON units(name_key);
CREATE INDEX IF NOT EXISTS units_parent ON units(parent_id);

CREATE TABLE IF NOT EXISTS people (
    id             INTEGER PRIMARY KEY,
    full_name      TEXT NOT NULL,
    name_key       TEXT NOT NULL,          -- knowledge.text.fold(full_name), for search and matching
    unit_id        INTEGER REFERENCES units(id),
    position       TEXT,
    phone          TEXT UNIQUE,            -- normalised: 0xxxxxxxxx
    role           TEXT NOT NULL DEFAULT 'cadre' CHECK (role IN ('cadre', 'officer', 'admin')),
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'inactive')),
    invite_code    TEXT UNIQUE,            -- one-time code for linking a chat account
    invite_used_at TEXT,                   -- set when the code was used (kept to say "already used")
    created_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS people_unit ON people(unit_id, name_key);
CREATE INDEX IF NOT EXISTS people_name ON people(name_key);

CREATE TABLE IF NOT EXISTS accounts (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,            -- telegram, zalo, zalo_oa, web
    external_id  TEXT NOT NULL,            -- the platform's user/chat id, always a string
    person_id    INTEGER REFERENCES people(id),
    display_name TEXT,
    linked_at    TEXT,
    blocked_at   TEXT,                     -- the user blocked the bot
    UNIQUE (channel, external_id)
);
CREATE INDEX IF NOT EXISTS accounts_person ON accounts(person_id);
