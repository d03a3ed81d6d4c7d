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

-- Units that change (the 2025 reorganisation). ``units`` holds each unit's present state (a closed
-- unit keeps its row, with valid_until set and detached from the tree so a successor may reuse its
-- name); the rows below keep what it was and who was in it on any date. Dates are local ISO dates,
-- valid_from inclusive, valid_until exclusive, NULL meaning "since before the records" / "still".
-- The triggers that fill unit_versions and memberships are in store.MIGRATIONS ("units-history").
CREATE TABLE IF NOT EXISTS unit_changes (     -- one row per reorganisation operation (also audited)
    id          INTEGER PRIMARY KEY,
    operation   TEXT NOT NULL CHECK (operation IN ('rename', 'merge', 'move', 'split', 'dissolve')),
    effective   TEXT NOT NULL,                 -- ISO date the change takes effect
    detail      TEXT NOT NULL,                 -- JSON: the units before and after, people moved
    source_file TEXT,                          -- the mapping file it came from, and its sha256
    source_hash TEXT,
    applied_by  INTEGER REFERENCES people(id),
    applied_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS unit_versions (    -- a unit's name and parent over a period
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    name        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES units(id),
    valid_from  TEXT,
    valid_until TEXT,
    change_id   INTEGER REFERENCES unit_changes(id)
);
CREATE INDEX IF NOT EXISTS unit_versions_unit ON unit_versions(unit_id, valid_until);

CREATE TABLE IF NOT EXISTS memberships (      -- which unit a person belonged to over a period
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    valid_from  TEXT,
    valid_until TEXT,
    change_id   INTEGER REFERENCES unit_changes(id)
);
-- covers "the unit of a person on a day" (history.MEMBERSHIP_ON_SQL), asked once per member by a
-- report by a past day's tree: no table read for it
CREATE INDEX IF NOT EXISTS memberships_on ON memberships(person_id, valid_from, valid_until, unit_id);
CREATE INDEX IF NOT EXISTS memberships_unit ON memberships(unit_id, valid_until);

-- Set by a reorganisation inside its own write transaction (and emptied before it commits), so the
-- history triggers date their rows by the change's effective date and link them to it. Outside a
-- reorganisation it is empty: a new person or unit is "since before the records", a move is dated
-- today (Vietnam).
CREATE TABLE IF NOT EXISTS unit_change_context (
    change_id INTEGER,
    effective TEXT NOT NULL
);
