-- Quán triệt conferences (hội nghị học tập, quán triệt): who is invited, who checked in.
-- A check-in is also an acknowledgement in the ledger (channel "hội nghị"); this table keeps the
-- attendance itself (where the person scanned from, when) and points to that ledger row.
CREATE TABLE IF NOT EXISTS conferences (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    title         TEXT NOT NULL,
    starts_at     TEXT NOT NULL,           -- UTC ISO time
    ends_at       TEXT NOT NULL,           -- UTC ISO time; check-ins after it are refused
    place         TEXT NOT NULL DEFAULT '',
    online_link   TEXT NOT NULL DEFAULT '',
    units         TEXT NOT NULL,           -- JSON list of the invited unit ids (with their sub-units; [] = all)
    secret        TEXT NOT NULL,           -- key of the rotating check-in codes (HMAC per time window)
    created_by    INTEGER REFERENCES people(id),
    created_at    TEXT NOT NULL,
    invitation_id INTEGER REFERENCES broadcasts(id),
    reminder_id   INTEGER REFERENCES broadcasts(id) -- the day-before reminder, once queued
);

CREATE TABLE IF NOT EXISTS conference_invitees (
    conference_id INTEGER NOT NULL REFERENCES conferences(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (conference_id, person_id)
);

CREATE TABLE IF NOT EXISTS conference_checkins (
    conference_id INTEGER NOT NULL REFERENCES conferences(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    channel       TEXT NOT NULL,           -- where the QR code was opened: telegram, zalo, web
    checked_at    TEXT NOT NULL,
    ack_id        INTEGER NOT NULL,        -- the ledger row (new, or the person's earlier confirmation)
    PRIMARY KEY (conference_id, person_id)
);
